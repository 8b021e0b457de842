0000: ld  [arch]
0001: jeq #0xc000003e true:0002 false:0104  ; AUDIT_ARCH_X86_64
0002: ld  [nr]
0003: jge #0x40000000 true:0004 false:0005
0004: jeq #0xffffffff true:0005 false:0104
0005: ld  [nr]
0006: jgt #3          true:0007 false:0099
0007: jgt #41         true:0008 false:0057
0008: jeq #436        true:0009 false:0039
0009: ld  [args[0].hi]
0010: and #0x00000000
0011: jeq #0          true:0012 false:0102
0012: ld  [args[0].lo]
0013: jeq #1024       true:0103 false:0014
0014: and #0xfffffe00
0015: jeq #512        true:0103 false:0016
0016: ld  [args[0].lo]
0017: and #0xffffff00
0018: jeq #256        true:0103 false:0019
0019: ld  [args[0].lo]
0020: and #0xffffff80
0021: jeq #128        true:0103 false:0022
0022: ld  [args[0].lo]
0023: and #0xffffffc0
0024: jeq #64         true:0103 false:0025
0025: ld  [args[0].lo]
0026: and #0xffffffe0
0027: jeq #32         true:0103 false:0028
0028: ld  [args[0].lo]
0029: and #0xfffffff0
0030: jeq #16         true:0103 false:0031
0031: ld  [args[0].lo]
0032: and #0xfffffff8
0033: jeq #8          true:0103 false:0034
0034: ld  [args[0].lo]
0035: and #0xfffffffc
0036: jeq #4          true:0103 false:0037
0037: ld  [args[0].lo]
0038: jeq #3          true:0103 false:0102
0039: jeq #322        true:0040 false:0041
0040: ret USER_NOTIF
0041: jeq #257        true:0042 false:0055
0042: ld  [args[2].hi]
0043: and #0x00000000
0044: jeq #0          true:0045 false:0102
0045: ld  [args[2].lo]
0046: and #0x00000002
0047: jeq #2          true:0054 false:0048
0048: ld  [args[2].lo]
0049: and #0x00000001
0050: jeq #1          true:0054 false:0051
0051: ld  [args[2].lo]
0052: and #0x00000003
0053: jeq #0          true:0103 false:0102
0054: ret ERRNO(EACCES)
0055: jeq #135        true:0056 false:0102
0056: ret TRAP(0)
0057: jeq #41         true:0058 false:0077
0058: ld  [args[0].hi]
0059: and #0x00000000
0060: jeq #0          true:0061 false:0102
0061: ld  [args[0].lo]
0062: jeq #2          true:0063 false:0069
0063: ld  [args[1].hi]
0064: and #0x00000000
0065: jeq #0          true:0066 false:0069
0066: ld  [args[1].lo]
0067: and #0x0000000f
0068: jeq #1          true:0103 false:0069
0069: ld  [args[0].lo]
0070: jeq #1          true:0071 false:0102
0071: ld  [args[1].hi]
0072: and #0x00000000
0073: jeq #0          true:0074 false:0102
0074: ld  [args[1].lo]
0075: and #0x0000000f
0076: jeq #1          true:0103 false:0102
0077: jeq #39         true:0078 false:0079
0078: ret LOG
0079: jeq #16         true:0080 false:0087
0080: ld  [args[1].hi]
0081: and #0x00000000
0082: jeq #0          true:0083 false:0102
0083: ld  [args[1].lo]
0084: jeq #21523      true:0103 false:0085
0085: jeq #21522      true:0104 false:0086
0086: jeq #21505      true:0103 false:0102
0087: jeq #9          true:0088 false:0102
0088: ld  [args[1].hi]
0089: jgt #1          true:0102 false:0090
0090: jeq #1          true:0091 false:0093
0091: ld  [args[1].lo]
0092: jgt #0          true:0102 false:0093
0093: ld  [args[2].hi]
0094: and #0x00000000
0095: jeq #0          true:0096 false:0102
0096: ld  [args[2].lo]
0097: and #0x00000004
0098: jeq #0          true:0103 false:0102
0099: jeq #3          true:0103 false:0100
0100: jeq #1          true:0103 false:0101
0101: jeq #0          true:0103 false:0102
0102: ret ERRNO(EPERM)
0103: ret ALLOW
0104: ret KILL_PROCESS
