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

// Multi-threaded over K (each part of K is reduced into its own buffer, then the buffers are summed in part order, so
// the result does not depend on timing). For tall-skinny reductions such as convolution filter gradients.
// Overwrites C (m x n, ldc = n).
void gemm_ksplit(long m, long n, long k, const APacker& a, const float* b, long rsb, long csb, float* c);

// Kernels per instruction set (implemented in their own translation units, compiled for that ISA).
namespace avx512 {
KernelShape kernel_for(long n);
}
namespace avx2 {
KernelShape kernel_for(long n);
}

}  // namespace egfr

namespace egfr {

// Direct-convolution micro-kernels (AVX-512 only), driven by conv.cc. Pixels of one output row are the tile rows,
// read straight from a padded NHWC input, so no im2col packing is needed.
struct ConvTile {
  const float* x;   // input at tap (0,0), channel 0, for tile row 0
  long c;           // input channels
  long kh, kw;
  long tap_dy;      // element offset between filter rows (dilation * padded row length * c)
  long tap_dx;      // element offset between filter columns (dilation * c)
  long ps;          // element offset between neighbouring tile rows (stride * c)
  const float* bp;  // filter panel, [kh*kw*c][nr], zero-padded to nr columns
  float* y;         // output tile
  long ldy;
  int m, n;
};

// Filter-gradient tile: dst[r, j] += sum_p x[p*ps + r] * dy[p*ldd + j] over `count` pixels.
struct FilterTile {
  const float* x;   // input at the tile's tap and first channel, for pixel 0 of the row
  long ps;          // element offset between pixels (stride * c)
  const float* dy;  // output gradient at pixel 0, first column of the panel
  long ldd;         // output channels
  long count;
  float* dst;       // accumulators, row stride ldst
  long ldst;
  int m, n;
};

struct DirectKernels {
  int conv_mr[3];  // tile rows for 16- and 32-wide panels (index 1, 2)
  void (*conv16)(const ConvTile&);
  void (*conv32)(const ConvTile&);
  int filter_mr[3];
  void (*filter16)(const FilterTile&);
  void (*filter32)(const FilterTile&);
};

// Null when the CPU lacks AVX-512 (or EGFR_NATIVE_ISA lowered the level).
const DirectKernels* direct_kernels();

namespace avx512 {
const DirectKernels* direct();
}

}  // namespace egfr
