{
  "targets": [
    {
      "target_name": "egfr_native",
      "sources": [
        "src/addon.cc",
        "src/threadpool.cc",
        "src/gemm.cc",
        "src/kernels_avx512.cc",
        "src/kernels_avx2.cc",
        "src/conv.cc",
        "src/elementwise.cc"
      ],
      "cflags_cc": ["-std=c++17", "-O3", "-fno-math-errno", "-fno-trapping-math", "-Wall", "-Wextra"],
      "cflags_cc!": ["-std=gnu++17", "-fno-exceptions"],
      "cflags!": ["-fno-exceptions"],
      "ldflags": ["-pthread"],
      "defines": ["NAPI_VERSION=8"]
    }
  ]
}
