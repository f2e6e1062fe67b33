// AVX2+FMA micro-kernel. This file alone is compiled with AVX2 enabled (the pragma below); it is only called after
// cpuid confirmed support.
#include "gemm.h"

#if defined(__x86_64__)
#pragma GCC target("avx2,fma")
#include <immintrin.h>

#include "microkernel.h"

namespace egfr {
namespace {

struct Avx2 {
  using Reg = __m256;
  using Mask = __m256i;
  static constexpr int kWidth = 8;
  static Reg zero() { return _mm256_setzero_ps(); }
  static Reg load(const float* p) { return _mm256_loadu_ps(p); }
  static Reg broadcast(const float* p) { return _mm256_broadcast_ss(p); }
  static Reg fma(Reg a, Reg b, Reg c) { return _mm256_fmadd_ps(a, b, c); }
  static Reg add(Reg a, Reg b) { return _mm256_add_ps(a, b); }
  static Mask tail(int rem) {
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(rem), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
  }
  static Reg load_masked(const float* p, Mask m) { return _mm256_maskload_ps(p, m); }
  static void store_masked(float* p, Mask m, Reg v) { _mm256_maskstore_ps(p, m, v); }
};

}  // namespace

namespace avx2 {
KernelShape kernel_for(long n) {
  if (n <= 8) return {12, 8, &gemm_kernel<Avx2, 12, 1>};
  return {6, 16, &gemm_kernel<Avx2, 6, 2>};
}
}  // namespace avx2

}  // namespace egfr

#endif  // __x86_64__
