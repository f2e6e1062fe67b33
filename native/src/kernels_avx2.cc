// AVX2+FMA micro-kernel. This file alone is compiled with AVX2 enabled (the pragma below); it is only called after
// cpuid confirmed support. Internal linkage keeps its code from being merged into functions used elsewhere.
#include "gemm.h"

#if defined(__x86_64__)
#pragma GCC target("avx2,fma")
#include <immintrin.h>

namespace egfr {
namespace {

template <int MR, int NV>
void kernel(int kc, const float* ap, const float* bp, float* c, long ldc, int m, int n, bool accumulate) {
  constexpr int NR = 8 * NV;
  __m256 acc[MR][NV];
#pragma GCC unroll 16
  for (int r = 0; r < MR; ++r)
#pragma GCC unroll 4
    for (int v = 0; v < NV; ++v) acc[r][v] = _mm256_setzero_ps();
  for (int k = 0; k < kc; ++k) {
    __m256 b[NV];
#pragma GCC unroll 4
    for (int v = 0; v < NV; ++v) b[v] = _mm256_loadu_ps(bp + k * NR + 8 * v);
#pragma GCC unroll 16
    for (int r = 0; r < MR; ++r) {
      __m256 a = _mm256_broadcast_ss(ap + k * MR + r);
#pragma GCC unroll 4
      for (int v = 0; v < NV; ++v) acc[r][v] = _mm256_fmadd_ps(a, b[v], acc[r][v]);
    }
  }
  __m256i mask[NV];
  for (int v = 0; v < NV; ++v) {
    int rem = n - 8 * v;
    alignas(32) int bits[8];
    for (int j = 0; j < 8; ++j) bits[j] = j < rem ? -1 : 0;
    mask[v] = _mm256_load_si256(reinterpret_cast<const __m256i*>(bits));
  }
#pragma GCC unroll 16
  for (int r = 0; r < MR; ++r) {
    if (r >= m) break;
    float* row = c + r * ldc;
#pragma GCC unroll 4
    for (int v = 0; v < NV; ++v) {
      __m256 val = acc[r][v];
      if (accumulate) val = _mm256_add_ps(val, _mm256_maskload_ps(row + 8 * v, mask[v]));
      _mm256_maskstore_ps(row + 8 * v, mask[v], val);
    }
  }
}

}  // namespace

namespace avx2 {
KernelShape kernel_for(long n) {
  if (n <= 8) return {12, 8, &kernel<12, 1>};
  return {6, 16, &kernel<6, 2>};
}
}  // namespace avx2

}  // namespace egfr

#endif  // __x86_64__
