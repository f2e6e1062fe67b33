// The GEMM micro-kernel, written once over a SIMD register type's operations. Only kernels_avx2.cc and
// kernels_avx512.cc include it, after their `#pragma GCC target` and <immintrin.h>, so each compiles it for its own
// instruction set; the anonymous namespace keeps each instantiation internal to its file, so no wide-vector code
// can be merged into functions that run on other CPUs.
//
// A register type V provides: Reg, Mask, kWidth (floats per register), zero(), load(p), broadcast(p), fma(a, b, c)
// (a*b + c), add(a, b), tail(rem) (the mask of the first rem lanes, all lanes when rem >= kWidth, none when
// rem <= 0), load_masked(p, mask) (masked-off lanes read as 0) and store_masked(p, mask, v).
#pragma once

#include "gemm.h"

namespace egfr {
namespace {

template <typename V, int MR, int NV>
inline void zero_all(typename V::Reg (&acc)[MR][NV]) {
#pragma GCC unroll 32
  for (int r = 0; r < MR; ++r)
#pragma GCC unroll 4
    for (int v = 0; v < NV; ++v) acc[r][v] = V::zero();
}

template <typename V, int NV>
inline void tail_masks(int n, typename V::Mask (&mask)[NV]) {
  for (int v = 0; v < NV; ++v) mask[v] = V::tail(n - V::kWidth * v);
}

// C[m x n] (+)= sum_k Ap[k*MR + r] * Bp[k*NR + j], NR = NV registers.
template <typename V, int MR, int NV>
void gemm_kernel(int kc, const float* ap, const float* bp, float* c, long ldc, int m, int n, bool accumulate) {
  constexpr int NR = V::kWidth * NV;
  typename V::Reg acc[MR][NV];
  zero_all<V>(acc);
  for (int k = 0; k < kc; ++k) {
    typename V::Reg b[NV];
#pragma GCC unroll 4
    for (int v = 0; v < NV; ++v) b[v] = V::load(bp + k * NR + V::kWidth * v);
#pragma GCC unroll 32
    for (int r = 0; r < MR; ++r) {
      const typename V::Reg a = V::broadcast(ap + k * MR + r);
#pragma GCC unroll 4
      for (int v = 0; v < NV; ++v) acc[r][v] = V::fma(a, b[v], acc[r][v]);
    }
  }
  typename V::Mask mask[NV];
  tail_masks<V>(n, mask);
#pragma GCC unroll 32
  for (int r = 0; r < MR; ++r) {
    if (r >= m) break;
    float* row = c + r * ldc;
#pragma GCC unroll 4
    for (int v = 0; v < NV; ++v) {
      typename V::Reg val = acc[r][v];
      if (accumulate) val = V::add(val, V::load_masked(row + V::kWidth * v, mask[v]));
      V::store_masked(row + V::kWidth * v, mask[v], val);
    }
  }
}

}  // namespace
}  // namespace egfr
