// Packed, cache-blocked single-precision GEMM: C[M,N] (+)= A[M,K] * B[K,N].
// A is supplied through a packer so that convolutions can pack image patches (im2col) straight into the
// micro-panel layout the kernels read; B is any strided matrix and is packed into NR-wide panels.
#pragma once
#include <cstddef>

namespace egfr {

// Packs rows [i0, i0+rows) and columns [k0, k0+kc) of A into dst[k*mr + r]; rows >= `rows` are zero-filled.
class APacker {
 public:
  virtual ~APacker() = default;
  virtual void pack(long i0, int rows, long k0, int kc, float* dst, int mr) const = 0;
};

// A[i,k] = a[i*rs + k*cs].
class StridedPacker : public APacker {
 public:
  StridedPacker(const float* a, long rs, long cs) : a_(a), rs_(rs), cs_(cs) {}
  void pack(long i0, int rows, long k0, int kc, float* dst, int mr) const override;

 private:
  const float* a_;
  long rs_, cs_;
};

// Micro-kernel: C[m x n] (+)= sum_k Ap[k*MR + r] * Bp[k*NR + j]; m <= MR, n <= NR.
using MicroKernel = void (*)(int kc, const float* ap, const float* bp, float* c, long ldc, int m, int n, bool accumulate);

struct KernelShape {
  int mr, nr;
  MicroKernel fn;
};

// The kernel for this CPU and this output width (chosen once per process from cpuid).
KernelShape select_kernel(long n);
const char* isa_name();

// Applied to finished tiles of C: rows [i0, i0+rows), columns [j0, j1); c is the start of C.
class Epilogue {
 public:
  virtual ~Epilogue() = default;
  virtual void apply(long i0, long rows, long j0, long j1, float* c, long ldc) const = 0;
};

// Multi-threaded over M (and N when M is small). Writes (accumulate=false) or adds to C.
void gemm(long m, long n, long k, const APacker& a, const float* b, long rsb, long csb, float* c, long ldc,
          bool accumulate, const Epilogue* epilogue = nullptr);

// Single-threaded over the given row range and the k range [k0, k1): for callers that partition work themselves.
void gemm_serial(long m, long n, long k0, long k1, const APacker& a, const float* b, long rsb, long csb, float* c,
                 long ldc, bool accumulate);

// Multi-threaded over K (each thread reduces a slice of K into its own buffer, then the buffers are summed).
// For tall-skinny reductions such as convolution filter gradients. Overwrites C (m x n, ldc = n).
void gemm_ksplit(long m, long n, long k, const APacker& a, const float* b, long rsb, long csb, float* c);

// Kernels per instruction set (implemented in their own translation units, compiled for that ISA).
namespace avx512 {
KernelShape kernel_for(long n);
}
namespace avx2 {
KernelShape kernel_for(long n);
}

}  // namespace egfr
