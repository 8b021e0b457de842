0000: ld  [arch]
0001: jeq #0xc000003e true:0002 false:0102  ; AUDIT_ARCH_X86_64
0002: ld  [nr]
0003: jge #0x40000000 true:0004 false:0005
0004: jeq #0xffffffff true:0005 false:0102
0005: ld  [nr]
0006: jgt #1          true:0007 false:0098
0007: jgt #39         true:0008 false:0075
0008: jeq #436        true:0009 false:0039
0009: ld  [args[0].hi]
0010: and #0x00000000
0011: jeq #0          true:0012 false:0100
0012: ld  [args[0].lo]
0013: jeq #1024       true:0101 false:0014
0014: and #0xfffffe00
0015: jeq #512        true:0101 false:0016
0016: ld  [args[0].lo]
0017: and #0xffffff00
0018: jeq #256        true:0101 false:0019
0019: ld  [args[0].lo]
0020: and #0xffffff80
0021: jeq #128        true:0101 false:0022
0022: ld  [args[0].lo]
0023: and #0xffffffc0
0024: jeq #64         true:0101 false:0025
0025: ld  [args[0].lo]
0026: and #0xffffffe0
0027: jeq #32         true:0101 false:0028
0028: ld  [args[0].lo]
0029: and #0xfffffff0
0030: jeq #16         true:0101 false:0031
0031: ld  [args[0].lo]
0032: and #0xfffffff8
0033: jeq #8          true:0101 false:0034
0034: ld  [args[0].lo]
0035: and #0xfffffffc
0036: jeq #4          true:0101 false:0037
0037: ld  [args[0].lo]
0038: jeq #3          true:0101 false:0100
0039: jeq #257        true:0040 false:0053
0040: ld  [args[2].hi]
0041: and #0x00000000
0042: jeq #0          true:0043 false:0100
0043: ld  [args[2].lo]
0044: and #0x00000002
0045: jeq #2          true:0052 false:0046
0046: ld  [args[2].lo]
0047: and #0x00000001
0048: jeq #1          true:0052 false:0049
0049: ld  [args[2].lo]
0050: and #0x00000003
0051: jeq #0          true:0101 false:0100
0052: ret ERRNO(EACCES)
0053: jeq #135        true:0054 false:0055
0054: ret TRAP(0)
0055: jeq #41         true:0056 false:0100
0056: ld  [args[0].hi]
0057: and #0x00000000
0058: jeq #0          true:0059 false:0100
0059: ld  [args[0].lo]
0060: jeq #2          true:0061 false:0067
0061: ld  [args[1].hi]
0062: and #0x00000000
0063: jeq #0          true:0064 false:0067
0064: ld  [args[1].lo]
0065: and #0x0000000f
0066: jeq #1          true:0101 false:0067
0067: ld  [args[0].lo]
0068: jeq #1          true:0069 false:0100
0069: ld  [args[1].hi]
0070: and #0x00000000
0071: jeq #0          true:0072 false:0100
0072: ld  [args[1].lo]
0073: and #0x0000000f
0074: jeq #1          true:0101 false:0100
0075: jeq #39         true:0076 false:0077
0076: ret LOG
0077: jeq #16         true:0078 false:0085
0078: ld  [args[1].hi]
0079: and #0x00000000
0080: jeq #0          true:0081 false:0100
0081: ld  [args[1].lo]
0082: jeq #21523      true:0101 false:0083
0083: jeq #21522      true:0102 false:0084
0084: jeq #21505      true:0101 false:0100
0085: jeq #9          true:0086 false:0097
0086: ld  [args[1].hi]
0087: jgt #1          true:0100 false:0088
0088: jeq #1          true:0089 false:0091
0089: ld  [args[1].lo]
0090: jgt #0          true:0100 false:0091
0091: ld  [args[2].hi]
0092: and #0x00000000
0093: jeq #0          true:0094 false:0100
0094: ld  [args[2].lo]
0095: and #0x00000004
0096: jeq #0          true:0101 false:0100
0097: jeq #3          true:0101 false:0100
0098: jeq #1          true:0101 false:0099
0099: jeq #0          true:0101 false:0100
0100: ret ERRNO(EPERM)
0101: ret ALLOW
0102: ret KILL_PROCESS
