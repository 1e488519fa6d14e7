{
  # Built by native/build.mjs (npm install / npm ci) with node-gyp. Baseline ISA only: the AVX2 and
  # AVX-512 code paths are selected at run time (src/dispatch.h, src/gemm.cc), so one binary runs on
  # any x86-64 CPU. Never add -march=native here.
  "targets": [
    {
      "target_name": "sheaf_native",
      "sources": [
        "src/addon.cc",
        "src/gemm.cc",
        "src/elementwise.cc",
        "src/gru.cc",
        "src/kernel_generic.cc",
        "src/kernel_avx2.cc",
        "src/kernel_avx512.cc"
      ],
      "cflags_cc!": ["-fno-exceptions"],
      "cflags_cc": ["-O3", "-std=gnu++17", "-fno-math-errno", "-fno-trapping-math", "-Wall", "-Wno-unused-function"],
      "cflags": ["-O3"],
      "xcode_settings": {
        "OTHER_CPLUSPLUSFLAGS": ["-O3", "-std=gnu++17", "-fno-math-errno"],
        "MACOSX_DEPLOYMENT_TARGET": "11.0"
      },
      "msvs_settings": { "VCCLCompilerTool": { "Optimization": 2 } }
    }
  ]
}
