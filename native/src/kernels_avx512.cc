// AVX-512 micro-kernels. This file alone is compiled with AVX-512 enabled (the pragma below); it is only
// called after cpuid confirmed support. Everything here has internal linkage so no AVX-512 code can be
// merged into functions that run on other CPUs.
#include "gemm.h"

#if defined(__x86_64__)
#pragma GCC target("avx512f,avx2,fma")
#include <immintrin.h>

namespace egfr {
namespace {

template <int MR, int NV>
void kernel(int kc, const float* ap, const float* bp, float* c, long ldc, int m, int n, bool accumulate) {
  constexpr int NR = 16 * NV;
  __m512 acc[MR][NV];
#pragma GCC unroll 32
  for (int r = 0; r < MR; ++r)
#pragma GCC unroll 4
    for (int v = 0; v < NV; ++v) acc[r][v] = _mm512_setzero_ps();
  for (int k = 0; k < kc; ++k) {
    __m512 b[NV];
#pragma GCC unroll 4
    for (int v = 0; v < NV; ++v) b[v] = _mm512_loadu_ps(bp + k * NR + 16 * v);
#pragma GCC unroll 32
    for (int r = 0; r < MR; ++r) {
      __m512 a = _mm512_set1_ps(ap[k * MR + r]);
#pragma GCC unroll 4
      for (int v = 0; v < NV; ++v) acc[r][v] = _mm512_fmadd_ps(a, b[v], acc[r][v]);
    }
  }
  __mmask16 mask[NV];
  for (int v = 0; v < NV; ++v) {
    int rem = n - 16 * v;
    mask[v] = rem >= 16 ? static_cast<__mmask16>(0xFFFF) : rem <= 0 ? 0 : static_cast<__mmask16>((1u << rem) - 1u);
  }
#pragma GCC unroll 32
  for (int r = 0; r < MR; ++r) {
    if (r >= m) break;
    float* row = c + r * ldc;
#pragma GCC unroll 4
    for (int v = 0; v < NV; ++v) {
      __m512 val = acc[r][v];
      if (accumulate) val = _mm512_add_ps(val, _mm512_maskz_loadu_ps(mask[v], row + 16 * v));
      _mm512_mask_storeu_ps(row + 16 * v, mask[v], val);
    }
  }
}


template <int MR, int NV>
void conv_tile(const ConvTile& t) {
  constexpr int NR = 16 * NV;
  __m512 acc[MR][NV];
#pragma GCC unroll 32
  for (int r = 0; r < MR; ++r)
#pragma GCC unroll 4
    for (int v = 0; v < NV; ++v) acc[r][v] = _mm512_setzero_ps();
  const float* bp = t.bp;
  // Without horizontal dilation the taps of a filter row are one contiguous run of kw * c inputs: one long inner
  // loop instead of kw short ones (the per-tap set-up dominates when c is small).
  const bool merged = t.tap_dx == t.c;
  const long run = merged ? t.kw * t.c : t.c, taps_x = merged ? 1 : t.kw;
  for (long ky = 0; ky < t.kh; ++ky) {
    for (long kx = 0; kx < taps_x; ++kx) {
      const float* a = t.x + ky * t.tap_dy + kx * t.tap_dx;
      for (long ci = 0; ci < run; ++ci, bp += NR) {
        __m512 b[NV];
#pragma GCC unroll 4
        for (int v = 0; v < NV; ++v) b[v] = _mm512_loadu_ps(bp + 16 * v);
        const float* ar = a + ci;
#pragma GCC unroll 32
        for (int r = 0; r < MR; ++r) {
          __m512 av = _mm512_set1_ps(ar[r * t.ps]);
#pragma GCC unroll 4
          for (int v = 0; v < NV; ++v) acc[r][v] = _mm512_fmadd_ps(av, b[v], acc[r][v]);
        }
      }
    }
  }
  __mmask16 mask[NV];
  for (int v = 0; v < NV; ++v) {
    int rem = t.n - 16 * v;
    mask[v] = rem >= 16 ? static_cast<__mmask16>(0xFFFF) : rem <= 0 ? 0 : static_cast<__mmask16>((1u << rem) - 1u);
  }
#pragma GCC unroll 32
  for (int r = 0; r < MR; ++r) {
    if (r >= t.m) break;
#pragma GCC unroll 4
    for (int v = 0; v < NV; ++v) _mm512_mask_storeu_ps(t.y + r * t.ldy + 16 * v, mask[v], acc[r][v]);
  }
}

template <int MR, int NV>
void filter_tile(const FilterTile& t) {
  __m512 acc[MR][NV];
#pragma GCC unroll 32
  for (int r = 0; r < MR; ++r)
#pragma GCC unroll 4
    for (int v = 0; v < NV; ++v) acc[r][v] = _mm512_setzero_ps();
  __mmask16 mask[NV];
  for (int v = 0; v < NV; ++v) {
    int rem = t.n - 16 * v;
    mask[v] = rem >= 16 ? static_cast<__mmask16>(0xFFFF) : rem <= 0 ? 0 : static_cast<__mmask16>((1u << rem) - 1u);
  }
  const float* a = t.x;
  const float* d = t.dy;
  for (long p = 0; p < t.count; ++p, a += t.ps, d += t.ldd) {
    __m512 b[NV];
#pragma GCC unroll 4
    for (int v = 0; v < NV; ++v) b[v] = _mm512_maskz_loadu_ps(mask[v], d + 16 * v);
#pragma GCC unroll 32
    for (int r = 0; r < MR; ++r) {
      __m512 av = _mm512_set1_ps(a[r]);
#pragma GCC unroll 4
      for (int v = 0; v < NV; ++v) acc[r][v] = _mm512_fmadd_ps(av, b[v], acc[r][v]);
    }
  }
#pragma GCC unroll 32
  for (int r = 0; r < MR; ++r) {
    if (r >= t.m) break;
    float* row = t.dst + r * t.ldst;
#pragma GCC unroll 4
    for (int v = 0; v < NV; ++v)
      _mm512_mask_storeu_ps(row + 16 * v, mask[v],
                            _mm512_add_ps(acc[r][v], _mm512_maskz_loadu_ps(mask[v], row + 16 * v)));
  }
}

const DirectKernels kDirect = {
    {0, 16, 8}, &conv_tile<16, 1>, &conv_tile<8, 2>, {0, 16, 8}, &filter_tile<16, 1>, &filter_tile<8, 2>,
};

}  // namespace

namespace avx512 {
const DirectKernels* direct() { return &kDirect; }

KernelShape kernel_for(long n) {
  if (n <= 16) return {24, 16, &kernel<24, 1>};
  return {12, 32, &kernel<12, 2>};
}
}  // namespace avx512

}  // namespace egfr

#endif  // __x86_64__
