// AVX-512 micro-kernels. This file alone is compiled with AVX-512 enabled (the pragma below); it is only
// called after cpuid confirmed support. Everything here has internal linkage so no AVX-512 code can be
// merged into functions that run on other CPUs. The GEMM micro-kernel is microkernel.h's, shared with AVX2.
#include "gemm.h"

#if defined(__x86_64__)
#pragma GCC target("avx512f,avx2,fma")
#include <immintrin.h>

#include "microkernel.h"

namespace egfr {
namespace {

struct Avx512 {
  using Reg = __m512;
  using Mask = __mmask16;
  static constexpr int kWidth = 16;
  static Reg zero() { return _mm512_setzero_ps(); }
  static Reg load(const float* p) { return _mm512_loadu_ps(p); }
  static Reg broadcast(const float* p) { return _mm512_set1_ps(*p); }
  static Reg fma(Reg a, Reg b, Reg c) { return _mm512_fmadd_ps(a, b, c); }
  static Reg add(Reg a, Reg b) { return _mm512_add_ps(a, b); }
  static Mask tail(int rem) {
    return rem >= 16 ? static_cast<Mask>(0xFFFF) : rem <= 0 ? 0 : static_cast<Mask>((1u << rem) - 1u);
  }
  static Reg load_masked(const float* p, Mask m) { return _mm512_maskz_loadu_ps(m, p); }
  static void store_masked(float* p, Mask m, Reg v) { _mm512_mask_storeu_ps(p, m, v); }
};

template <int MR, int NV>
void conv_tile(const ConvTile& t) {
  constexpr int NR = 16 * NV;
  __m512 acc[MR][NV];
  zero_all<Avx512>(acc);
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
  tail_masks<Avx512>(t.n, mask);
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
  zero_all<Avx512>(acc);
  __mmask16 mask[NV];
  tail_masks<Avx512>(t.n, mask);
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
  if (n <= 16) return {24, 16, &gemm_kernel<Avx512, 24, 1>};
  return {12, 32, &gemm_kernel<Avx512, 12, 2>};
}
}  // namespace avx512

}  // namespace egfr

#endif  // __x86_64__
