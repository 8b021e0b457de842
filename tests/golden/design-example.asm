0000: ld  [arch]
0001: jeq #0xc000003e true:0002 false:0055  ; AUDIT_ARCH_X86_64
0002: ld  [nr]
0003: jge #0x40000000 true:0004 false:0005
0004: jeq #0xffffffff true:0005 false:0055
0005: ld  [nr]
0006: jgt #76         true:0008 false:0007
0007: jmp 0342
0008: jgt #217        true:0009 false:0172
0009: jgt #285        true:0010 false:0090
0010: jgt #321        true:0011 false:0050
0011: jgt #426        true:0012 false:0031
0012: jgt #441        true:0013 false:0022
0013: jgt #449        true:0014 false:0018
0014: jeq #453        true:0132 false:0015
0015: jeq #452        true:0132 false:0016
0016: jeq #451        true:0132 false:0017
0017: jeq #450        true:0132 false:0131
0018: jeq #449        true:0132 false:0019
0019: jeq #446        true:0132 false:0020
0020: jeq #445        true:0132 false:0021
0021: jeq #444        true:0132 false:0131
0022: jgt #436        true:0023 false:0027
0023: jeq #441        true:0132 false:0024
0024: jeq #439        true:0132 false:0025
0025: jeq #438        true:0055 false:0026
0026: jeq #437        true:0132 false:0131
0027: jeq #436        true:0132 false:0028
0028: jeq #435        true:0273 false:0029
0029: jeq #434        true:0132 false:0030
0030: jeq #427        true:0273 false:0131
0031: jgt #329        true:0032 false:0041
0032: jgt #333        true:0033 false:0037
0033: jeq #426        true:0273 false:0034
0034: jeq #425        true:0273 false:0035
0035: jeq #424        true:0132 false:0036
0036: jeq #334        true:0132 false:0131
0037: jeq #333        true:0132 false:0038
0038: jeq #332        true:0132 false:0039
0039: jeq #331        true:0132 false:0040
0040: jeq #330        true:0132 false:0131
0041: jgt #325        true:0042 false:0046
0042: jeq #329        true:0132 false:0043
0043: jeq #328        true:0132 false:0044
0044: jeq #327        true:0132 false:0045
0045: jeq #326        true:0132 false:0131
0046: jeq #325        true:0132 false:0047
0047: jeq #324        true:0132 false:0048
0048: jeq #323        true:0055 false:0049
0049: jeq #322        true:0132 false:0131
0050: jgt #303        true:0051 false:0071
0051: jgt #313        true:0052 false:0062
0052: jgt #317        true:0053 false:0058
0053: jeq #321        true:0055 false:0054
0054: jeq #320        true:0055 false:0056
0055: ret KILL_PROCESS
0056: jeq #319        true:0132 false:0057
0057: jeq #318        true:0132 false:0131
0058: jeq #317        true:0132 false:0059
0059: jeq #316        true:0132 false:0060
0060: jeq #315        true:0132 false:0061
0061: jeq #314        true:0132 false:0131
0062: jgt #309        true:0063 false:0067
0063: jeq #313        true:0313 false:0064
0064: jeq #312        true:0132 false:0065
0065: jeq #311        true:0313 false:0066
0066: jeq #310        true:0313 false:0131
0067: jeq #309        true:0132 false:0068
0068: jeq #307        true:0132 false:0069
0069: jeq #306        true:0132 false:0070
0070: jeq #304        true:0313 false:0131
0071: jgt #293        true:0072 false:0081
0072: jgt #297        true:0073 false:0077
0073: jeq #303        true:0132 false:0074
0074: jeq #302        true:0132 false:0075
0075: jeq #299        true:0132 false:0076
0076: jeq #298        true:0313 false:0131
0077: jeq #297        true:0132 false:0078
0078: jeq #296        true:0132 false:0079
0079: jeq #295        true:0132 false:0080
0080: jeq #294        true:0132 false:0131
0081: jgt #289        true:0082 false:0086
0082: jeq #293        true:0132 false:0083
0083: jeq #292        true:0132 false:0084
0084: jeq #291        true:0132 false:0085
0085: jeq #290        true:0132 false:0131
0086: jeq #289        true:0132 false:0087
0087: jeq #288        true:0132 false:0088
0088: jeq #287        true:0132 false:0089
0089: jeq #286        true:0132 false:0131
0090: jgt #253        true:0091 false:0133
0091: jgt #269        true:0092 false:0112
0092: jgt #277        true:0093 false:0102
0093: jgt #281        true:0094 false:0098
0094: jeq #285        true:0132 false:0095
0095: jeq #284        true:0132 false:0096
0096: jeq #283        true:0132 false:0097
0097: jeq #282        true:0132 false:0131
0098: jeq #281        true:0132 false:0099
0099: jeq #280        true:0132 false:0100
0100: jeq #279        true:0132 false:0101
0101: jeq #278        true:0132 false:0131
0102: jgt #273        true:0103 false:0107
0103: jeq #277        true:0132 false:0104
0104: jeq #276        true:0132 false:0105
0105: jeq #275        true:0132 false:0106
0106: jeq #274        true:0132 false:0131
0107: jeq #273        true:0132 false:0108
0108: jeq #272        true:0109 false:0110
0109: jmp 0372
0110: jeq #271        true:0132 false:0111
0111: jeq #270        true:0132 false:0131
0112: jgt #261        true:0113 false:0122
0113: jgt #265        true:0114 false:0118
0114: jeq #269        true:0132 false:0115
0115: jeq #268        true:0132 false:0116
0116: jeq #267        true:0132 false:0117
0117: jeq #266        true:0132 false:0131
0118: jeq #265        true:0132 false:0119
0119: jeq #264        true:0132 false:0120
0120: jeq #263        true:0132 false:0121
0121: jeq #262        true:0132 false:0131
0122: jgt #257        true:0123 false:0127
0123: jeq #261        true:0132 false:0124
0124: jeq #260        true:0132 false:0125
0125: jeq #259        true:0132 false:0126
0126: jeq #258        true:0132 false:0131
0127: jeq #257        true:0132 false:0128
0128: jeq #256        true:0132 false:0129
0129: jeq #255        true:0132 false:0130
0130: jeq #254        true:0132 false:0131
0131: ret ERRNO(EPERM)
0132: ret ALLOW
0133: jgt #234        true:0134 false:0153
0134: jgt #242        true:0135 false:0144
0135: jgt #246        true:0136 false:0140
0136: jeq #253        true:0391 false:0137
0137: jeq #252        true:0391 false:0138
0138: jeq #251        true:0391 false:0139
0139: jeq #247        true:0391 false:0390
0140: jeq #246        true:0313 false:0141
0141: jeq #245        true:0391 false:0142
0142: jeq #244        true:0391 false:0143
0143: jeq #243        true:0391 false:0390
0144: jgt #238        true:0145 false:0149
0145: jeq #242        true:0391 false:0146
0146: jeq #241        true:0391 false:0147
0147: jeq #240        true:0391 false:0148
0148: jeq #239        true:0391 false:0390
0149: jeq #238        true:0391 false:0150
0150: jeq #237        true:0391 false:0151
0151: jeq #236        true:0273 false:0152
0152: jeq #235        true:0391 false:0390
0153: jgt #225        true:0154 false:0163
0154: jgt #230        true:0155 false:0159
0155: jeq #234        true:0391 false:0156
0156: jeq #233        true:0391 false:0157
0157: jeq #232        true:0391 false:0158
0158: jeq #231        true:0391 false:0390
0159: jeq #230        true:0391 false:0160
0160: jeq #229        true:0391 false:0161
0161: jeq #228        true:0391 false:0162
0162: jeq #226        true:0391 false:0390
0163: jgt #221        true:0164 false:0168
0164: jeq #225        true:0391 false:0165
0165: jeq #224        true:0391 false:0166
0166: jeq #223        true:0391 false:0167
0167: jeq #222        true:0391 false:0390
0168: jeq #221        true:0391 false:0169
0169: jeq #220        true:0391 false:0170
0170: jeq #219        true:0391 false:0171
0171: jeq #218        true:0391 false:0390
0172: jgt #141        true:0173 false:0252
0173: jgt #185        true:0174 false:0213
0174: jgt #201        true:0175 false:0194
0175: jgt #209        true:0176 false:0185
0176: jgt #213        true:0177 false:0181
0177: jeq #217        true:0391 false:0178
0178: jeq #216        true:0391 false:0179
0179: jeq #215        true:0391 false:0180
0180: jeq #214        true:0391 false:0390
0181: jeq #213        true:0391 false:0182
0182: jeq #212        true:0313 false:0183
0183: jeq #211        true:0391 false:0184
0184: jeq #210        true:0391 false:0390
0185: jgt #205        true:0186 false:0190
0186: jeq #209        true:0391 false:0187
0187: jeq #208        true:0391 false:0188
0188: jeq #207        true:0391 false:0189
0189: jeq #206        true:0391 false:0390
0190: jeq #205        true:0391 false:0191
0191: jeq #204        true:0391 false:0192
0192: jeq #203        true:0391 false:0193
0193: jeq #202        true:0391 false:0390
0194: jgt #193        true:0195 false:0204
0195: jgt #197        true:0196 false:0200
0196: jeq #201        true:0391 false:0197
0197: jeq #200        true:0391 false:0198
0198: jeq #199        true:0391 false:0199
0199: jeq #198        true:0391 false:0390
0200: jeq #197        true:0391 false:0201
0201: jeq #196        true:0391 false:0202
0202: jeq #195        true:0391 false:0203
0203: jeq #194        true:0391 false:0390
0204: jgt #189        true:0205 false:0209
0205: jeq #193        true:0391 false:0206
0206: jeq #192        true:0391 false:0207
0207: jeq #191        true:0391 false:0208
0208: jeq #190        true:0391 false:0390
0209: jeq #189        true:0391 false:0210
0210: jeq #188        true:0391 false:0211
0211: jeq #187        true:0391 false:0212
0212: jeq #186        true:0391 false:0390
0213: jgt #160        true:0214 false:0233
0214: jgt #175        true:0215 false:0224
0215: jgt #181        true:0216 false:0220
0216: jeq #185        true:0273 false:0217
0217: jeq #184        true:0273 false:0218
0218: jeq #183        true:0273 false:0219
0219: jeq #182        true:0273 false:0390
0220: jeq #181        true:0273 false:0221
0221: jeq #178        true:0273 false:0222
0222: jeq #177        true:0273 false:0223
0223: jeq #176        true:0313 false:0390
0224: jgt #169        true:0225 false:0229
0225: jeq #175        true:0313 false:0226
0226: jeq #174        true:0273 false:0227
0227: jeq #173        true:0313 false:0228
0228: jeq #172        true:0313 false:0390
0229: jeq #169        true:0313 false:0230
0230: jeq #168        true:0313 false:0231
0231: jeq #167        true:0313 false:0232
0232: jeq #162        true:0391 false:0390
0233: jgt #149        true:0234 false:0243
0234: jgt #154        true:0235 false:0239
0235: jeq #160        true:0391 false:0236
0236: jeq #158        true:0391 false:0237
0237: jeq #157        true:0391 false:0238
0238: jeq #156        true:0273 false:0390
0239: jeq #154        true:0313 false:0240
0240: jeq #152        true:0391 false:0241
0241: jeq #151        true:0391 false:0242
0242: jeq #150        true:0391 false:0390
0243: jgt #145        true:0244 false:0248
0244: jeq #149        true:0391 false:0245
0245: jeq #148        true:0391 false:0246
0246: jeq #147        true:0391 false:0247
0247: jeq #146        true:0391 false:0390
0248: jeq #145        true:0391 false:0249
0249: jeq #144        true:0391 false:0250
0250: jeq #143        true:0391 false:0251
0251: jeq #142        true:0391 false:0390
0252: jgt #109        true:0253 false:0302
0253: jgt #125        true:0254 false:0283
0254: jgt #133        true:0255 false:0274
0255: jgt #137        true:0256 false:0260
0256: jeq #141        true:0391 false:0257
0257: jeq #140        true:0391 false:0258
0258: jeq #139        true:0273 false:0259
0259: jeq #138        true:0391 false:0390
0260: jeq #137        true:0391 false:0261
0261: jeq #136        true:0273 false:0262
0262: jeq #135        true:0263 false:0272
0263: ld  [args[0].hi]
0264: and #0x00000000
0265: jeq #0          true:0266 false:0390
0266: ld  [args[0].lo]
0267: jeq #0xffffffff true:0391 false:0268
0268: jeq #0x00020008 true:0391 false:0269
0269: jeq #0x00020000 true:0391 false:0270
0270: jeq #8          true:0391 false:0271
0271: jeq #0          true:0391 false:0390
0272: jeq #134        true:0273 false:0390
0273: ret ERRNO(ENOSYS)
0274: jgt #129        true:0275 false:0279
0275: jeq #133        true:0391 false:0276
0276: jeq #132        true:0391 false:0277
0277: jeq #131        true:0391 false:0278
0278: jeq #130        true:0391 false:0390
0279: jeq #129        true:0391 false:0280
0280: jeq #128        true:0391 false:0281
0281: jeq #127        true:0391 false:0282
0282: jeq #126        true:0391 false:0390
0283: jgt #117        true:0284 false:0293
0284: jgt #121        true:0285 false:0289
0285: jeq #125        true:0391 false:0286
0286: jeq #124        true:0391 false:0287
0287: jeq #123        true:0391 false:0288
0288: jeq #122        true:0391 false:0390
0289: jeq #121        true:0391 false:0290
0290: jeq #120        true:0391 false:0291
0291: jeq #119        true:0391 false:0292
0292: jeq #118        true:0391 false:0390
0293: jgt #113        true:0294 false:0298
0294: jeq #117        true:0391 false:0295
0295: jeq #116        true:0391 false:0296
0296: jeq #115        true:0391 false:0297
0297: jeq #114        true:0391 false:0390
0298: jeq #113        true:0391 false:0299
0299: jeq #112        true:0391 false:0300
0300: jeq #111        true:0391 false:0301
0301: jeq #110        true:0391 false:0390
0302: jgt #92         true:0303 false:0323
0303: jgt #100        true:0304 false:0314
0304: jgt #105        true:0305 false:0309
0305: jeq #109        true:0391 false:0306
0306: jeq #108        true:0391 false:0307
0307: jeq #107        true:0391 false:0308
0308: jeq #106        true:0391 false:0390
0309: jeq #105        true:0391 false:0310
0310: jeq #104        true:0391 false:0311
0311: jeq #102        true:0391 false:0312
0312: jeq #101        true:0313 false:0390
0313: ret KILL_PROCESS
0314: jgt #96         true:0315 false:0319
0315: jeq #100        true:0391 false:0316
0316: jeq #99         true:0391 false:0317
0317: jeq #98         true:0391 false:0318
0318: jeq #97         true:0391 false:0390
0319: jeq #96         true:0391 false:0320
0320: jeq #95         true:0391 false:0321
0321: jeq #94         true:0391 false:0322
0322: jeq #93         true:0391 false:0390
0323: jgt #84         true:0324 false:0333
0324: jgt #88         true:0325 false:0329
0325: jeq #92         true:0391 false:0326
0326: jeq #91         true:0391 false:0327
0327: jeq #90         true:0391 false:0328
0328: jeq #89         true:0391 false:0390
0329: jeq #88         true:0391 false:0330
0330: jeq #87         true:0391 false:0331
0331: jeq #86         true:0391 false:0332
0332: jeq #85         true:0391 false:0390
0333: jgt #80         true:0334 false:0338
0334: jeq #84         true:0391 false:0335
0335: jeq #83         true:0391 false:0336
0336: jeq #82         true:0391 false:0337
0337: jeq #81         true:0391 false:0390
0338: jeq #80         true:0391 false:0339
0339: jeq #79         true:0391 false:0340
0340: jeq #78         true:0391 false:0341
0341: jeq #77         true:0391 false:0390
0342: jgt #12         true:0344 false:0343
0343: jmp 0631
0344: jgt #44         true:0345 false:0392
0345: jgt #60         true:0346 false:0365
0346: jgt #68         true:0347 false:0356
0347: jgt #72         true:0348 false:0352
0348: jeq #76         true:0391 false:0349
0349: jeq #75         true:0391 false:0350
0350: jeq #74         true:0391 false:0351
0351: jeq #73         true:0391 false:0390
0352: jeq #72         true:0391 false:0353
0353: jeq #71         true:0391 false:0354
0354: jeq #70         true:0391 false:0355
0355: jeq #69         true:0391 false:0390
0356: jgt #64         true:0357 false:0361
0357: jeq #68         true:0391 false:0358
0358: jeq #67         true:0391 false:0359
0359: jeq #66         true:0391 false:0360
0360: jeq #65         true:0391 false:0390
0361: jeq #64         true:0391 false:0362
0362: jeq #63         true:0391 false:0363
0363: jeq #62         true:0391 false:0364
0364: jeq #61         true:0391 false:0390
0365: jgt #52         true:0366 false:0381
0366: jgt #56         true:0367 false:0371
0367: jeq #60         true:0391 false:0368
0368: jeq #59         true:0391 false:0369
0369: jeq #58         true:0391 false:0370
0370: jeq #57         true:0391 false:0390
0371: jeq #56         true:0372 false:0378
0372: ld  [args[0].hi]
0373: and #0x00000000
0374: jeq #0          true:0375 false:0390
0375: ld  [args[0].lo]
0376: and #0x10000000
0377: jeq #0          true:0391 false:0390
0378: jeq #55         true:0391 false:0379
0379: jeq #54         true:0391 false:0380
0380: jeq #53         true:0391 false:0390
0381: jgt #48         true:0382 false:0386
0382: jeq #52         true:0391 false:0383
0383: jeq #51         true:0391 false:0384
0384: jeq #50         true:0391 false:0385
0385: jeq #49         true:0391 false:0390
0386: jeq #48         true:0391 false:0387
0387: jeq #47         true:0391 false:0388
0388: jeq #46         true:0391 false:0389
0389: jeq #45         true:0391 false:0390
0390: ret ERRNO(EPERM)
0391: ret ALLOW
0392: jgt #28         true:0393 false:0477
0393: jgt #36         true:0394 false:0468
0394: jgt #40         true:0395 false:0464
0395: jeq #44         true:0648 false:0396
0396: jeq #43         true:0648 false:0397
0397: jeq #42         true:0648 false:0398
0398: jeq #41         true:0399 false:0647
0399: ld  [args[0].hi]
0400: and #0x00000000
0401: jeq #0          true:0402 false:0647
0402: ld  [args[0].lo]
0403: jeq #16         true:0404 false:0444
0404: ld  [args[2].hi]
0405: and #0x00000000
0406: jeq #0          true:0407 false:0409
0407: ld  [args[2].lo]
0408: jeq #0          true:0648 false:0409
0409: ld  [args[1].hi]
0410: and #0x00000000
0411: jeq #0          true:0412 false:0444
0412: ld  [args[1].lo]
0413: and #0x00000008
0414: jeq #8          true:0415 false:0420
0415: ld  [args[2].hi]
0416: and #0x00000000
0417: jeq #0          true:0418 false:0420
0418: ld  [args[2].lo]
0419: jeq #0          true:0648 false:0420
0420: ld  [args[1].lo]
0421: and #0x00000004
0422: jeq #4          true:0423 false:0428
0423: ld  [args[2].hi]
0424: and #0x00000000
0425: jeq #0          true:0426 false:0428
0426: ld  [args[2].lo]
0427: jeq #0          true:0648 false:0428
0428: ld  [args[1].lo]
0429: and #0x00000003
0430: jeq #3          true:0431 false:0436
0431: ld  [args[2].hi]
0432: and #0x00000000
0433: jeq #0          true:0434 false:0436
0434: ld  [args[2].lo]
0435: jeq #0          true:0648 false:0436
0436: ld  [args[1].lo]
0437: and #0x00000003
0438: jeq #0          true:0439 false:0444
0439: ld  [args[2].hi]
0440: and #0x00000000
0441: jeq #0          true:0442 false:0444
0442: ld  [args[2].lo]
0443: jeq #0          true:0648 false:0444
0444: ld  [args[0].lo]
0445: jeq #10         true:0446 false:0453
0446: ld  [args[1].hi]
0447: and #0x00000000
0448: jeq #0          true:0449 false:0453
0449: ld  [args[1].lo]
0450: and #0x0000000f
0451: jeq #2          true:0648 false:0452
0452: jeq #1          true:0648 false:0453
0453: ld  [args[0].lo]
0454: jeq #2          true:0455 false:0462
0455: ld  [args[1].hi]
0456: and #0x00000000
0457: jeq #0          true:0458 false:0462
0458: ld  [args[1].lo]
0459: and #0x0000000f
0460: jeq #2          true:0648 false:0461
0461: jeq #1          true:0648 false:0462
0462: ld  [args[0].lo]
0463: jeq #1          true:0648 false:0647
0464: jeq #40         true:0648 false:0465
0465: jeq #39         true:0648 false:0466
0466: jeq #38         true:0648 false:0467
0467: jeq #37         true:0648 false:0647
0468: jgt #32         true:0469 false:0473
0469: jeq #36         true:0648 false:0470
0470: jeq #35         true:0648 false:0471
0471: jeq #34         true:0648 false:0472
0472: jeq #33         true:0648 false:0647
0473: jeq #32         true:0648 false:0474
0474: jeq #31         true:0648 false:0475
0475: jeq #30         true:0648 false:0476
0476: jeq #29         true:0648 false:0647
0477: jgt #20         true:0478 false:0487
0478: jgt #24         true:0479 false:0483
0479: jeq #28         true:0648 false:0480
0480: jeq #27         true:0648 false:0481
0481: jeq #26         true:0648 false:0482
0482: jeq #25         true:0648 false:0647
0483: jeq #24         true:0648 false:0484
0484: jeq #23         true:0648 false:0485
0485: jeq #22         true:0648 false:0486
0486: jeq #21         true:0648 false:0647
0487: jgt #16         true:0488 false:0492
0488: jeq #20         true:0648 false:0489
0489: jeq #19         true:0648 false:0490
0490: jeq #18         true:0648 false:0491
0491: jeq #17         true:0648 false:0647
0492: jeq #16         true:0493 false:0628
0493: ld  [args[1].hi]
0494: and #0x00000000
0495: jeq #0          true:0496 false:0647
0496: ld  [args[1].lo]
0497: and #0x80000000
0498: jeq #0x80000000 true:0648 false:0499
0499: ld  [args[1].lo]
0500: and #0x40000000
0501: jeq #0x40000000 true:0648 false:0502
0502: ld  [args[1].lo]
0503: and #0x20000000
0504: jeq #0x20000000 true:0648 false:0505
0505: ld  [args[1].lo]
0506: and #0x10000000
0507: jeq #0x10000000 true:0648 false:0508
0508: ld  [args[1].lo]
0509: and #0x08000000
0510: jeq #0x08000000 true:0648 false:0511
0511: ld  [args[1].lo]
0512: and #0x04000000
0513: jeq #0x04000000 true:0648 false:0514
0514: ld  [args[1].lo]
0515: and #0x02000000
0516: jeq #0x02000000 true:0648 false:0517
0517: ld  [args[1].lo]
0518: and #0x01000000
0519: jeq #0x01000000 true:0648 false:0520
0520: ld  [args[1].lo]
0521: and #0x00800000
0522: jeq #0x00800000 true:0648 false:0523
0523: ld  [args[1].lo]
0524: and #0x00400000
0525: jeq #0x00400000 true:0648 false:0526
0526: ld  [args[1].lo]
0527: and #0x00200000
0528: jeq #0x00200000 true:0648 false:0529
0529: ld  [args[1].lo]
0530: and #0x00100000
0531: jeq #0x00100000 true:0648 false:0532
0532: ld  [args[1].lo]
0533: and #0x00080000
0534: jeq #0x00080000 true:0648 false:0535
0535: ld  [args[1].lo]
0536: and #0x00040000
0537: jeq #0x00040000 true:0648 false:0538
0538: ld  [args[1].lo]
0539: and #0x00020000
0540: jeq #0x00020000 true:0648 false:0541
0541: ld  [args[1].lo]
0542: and #0x00010000
0543: jeq #0x00010000 true:0648 false:0544
0544: ld  [args[1].lo]
0545: and #0x00008000
0546: jeq #32768      true:0648 false:0547
0547: ld  [args[1].lo]
0548: jeq #21532      true:0649 false:0549
0549: jeq #21531      true:0648 false:0550
0550: jeq #21523      true:0648 false:0551
0551: jeq #21522      true:0649 false:0552
0552: jeq #21505      true:0648 false:0553
0553: and #0x00002000
0554: jeq #8192       true:0648 false:0555
0555: ld  [args[1].lo]
0556: and #0x00000800
0557: jeq #2048       true:0648 false:0558
0558: ld  [args[1].lo]
0559: and #0x00000200
0560: jeq #512        true:0648 false:0561
0561: ld  [args[1].lo]
0562: and #0x00000100
0563: jeq #256        true:0648 false:0564
0564: ld  [args[1].lo]
0565: and #0x00000080
0566: jeq #128        true:0648 false:0567
0567: ld  [args[1].lo]
0568: and #0x00000040
0569: jeq #64         true:0648 false:0570
0570: ld  [args[1].lo]
0571: and #0x00000020
0572: jeq #32         true:0648 false:0573
0573: ld  [args[1].lo]
0574: and #0x00000013
0575: jeq #17         true:0648 false:0576
0576: ld  [args[1].lo]
0577: and #0x00000016
0578: jeq #16         true:0648 false:0579
0579: ld  [args[1].lo]
0580: and #0x0000001a
0581: jeq #16         true:0648 false:0582
0582: ld  [args[1].lo]
0583: and #0x0000000b
0584: jeq #10         true:0648 false:0585
0585: jeq #9          true:0648 false:0586
0586: ld  [args[1].lo]
0587: and #0x0000000d
0588: jeq #8          true:0648 false:0589
0589: ld  [args[1].lo]
0590: and #0x0000000e
0591: jeq #8          true:0648 false:0592
0592: ld  [args[1].lo]
0593: and #0x00000018
0594: jeq #8          true:0648 false:0595
0595: ld  [args[1].lo]
0596: and #0x00000006
0597: jeq #6          true:0648 false:0598
0598: ld  [args[1].lo]
0599: and #0x00000005
0600: jeq #5          true:0648 false:0601
0601: ld  [args[1].lo]
0602: and #0x0000000c
0603: jeq #4          true:0648 false:0604
0604: ld  [args[1].lo]
0605: and #0x00000014
0606: jeq #4          true:0648 false:0607
0607: ld  [args[1].lo]
0608: and #0x00000012
0609: jeq #2          true:0648 false:0610
0610: ld  [args[1].lo]
0611: and #0x00000007
0612: jeq #0          true:0648 false:0613
0613: ld  [args[1].lo]
0614: and #0x0000000b
0615: jeq #0          true:0648 false:0616
0616: ld  [args[1].lo]
0617: and #0x00000011
0618: jeq #0          true:0648 false:0619
0619: ld  [args[1].lo]
0620: and #0x00000400
0621: jeq #0          true:0648 false:0622
0622: ld  [args[1].lo]
0623: and #0x00001000
0624: jeq #0          true:0648 false:0625
0625: ld  [args[1].lo]
0626: and #0x00004000
0627: jeq #0          true:0648 false:0647
0628: jeq #15         true:0648 false:0629
0629: jeq #14         true:0648 false:0630
0630: jeq #13         true:0648 false:0647
0631: jgt #4          true:0632 false:0641
0632: jgt #8          true:0633 false:0637
0633: jeq #12         true:0648 false:0634
0634: jeq #11         true:0648 false:0635
0635: jeq #10         true:0648 false:0636
0636: jeq #9          true:0648 false:0647
0637: jeq #8          true:0648 false:0638
0638: jeq #7          true:0648 false:0639
0639: jeq #6          true:0648 false:0640
0640: jeq #5          true:0648 false:0647
0641: jgt #0          true:0642 false:0646
0642: jeq #4          true:0648 false:0643
0643: jeq #3          true:0648 false:0644
0644: jeq #2          true:0648 false:0645
0645: jeq #1          true:0648 false:0647
0646: jeq #0          true:0648 false:0647
0647: ret ERRNO(EPERM)
0648: ret ALLOW
0649: ret KILL_PROCESS
