#include "gemm.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "threadpool.h"

namespace egfr {

namespace {

constexpr int kKC = 256;  // depth of a packed block: an NR-wide B micro-panel of kKC rows stays in L1
constexpr int kMC = 192;  // rows of A per packed block: kMC x kKC floats stay in L2

template <int MR, int NR>
void generic_kernel(int kc, const float* ap, const float* bp, float* c, long ldc, int m, int n, bool accumulate) {
  float acc[MR][NR] = {};
  for (int k = 0; k < kc; ++k)
    for (int r = 0; r < MR; ++r)
      for (int j = 0; j < NR; ++j) acc[r][j] += ap[k * MR + r] * bp[k * NR + j];
  for (int r = 0; r < m; ++r)
    for (int j = 0; j < n; ++j) c[r * ldc + j] = accumulate ? c[r * ldc + j] + acc[r][j] : acc[r][j];
}

enum class Isa { kGeneric, kAvx2, kAvx512 };

Isa detect_isa() {
  Isa best = Isa::kGeneric;
#if defined(__x86_64__)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) best = Isa::kAvx2;
  if (__builtin_cpu_supports("avx512f")) best = Isa::kAvx512;
#endif
  // EGFR_NATIVE_ISA can only lower the level (to test the other kernels on a machine that has them all).
  const char* env = std::getenv("EGFR_NATIVE_ISA");
  if (env != nullptr) {
    std::string want(env);
    Isa asked = want == "generic" ? Isa::kGeneric : want == "avx2" ? Isa::kAvx2 : Isa::kAvx512;
    if (asked < best) best = asked;
  }
  return best;
}

Isa isa() {
  static const Isa value = detect_isa();
  return value;
}

float* scratch(std::vector<float>& buf, size_t n) {
  if (buf.size() < n) buf.resize(n);
  return buf.data();
}

// Packs rows [k0, k0+kc) of B into panels: panel p holds columns [p*nr, p*nr+nr) as dst[p*panel_stride + k*nr + j].
void pack_b(const float* b, long rsb, long csb, long n, long k0, int kc, int nr, float* dst, long panel_stride) {
  long panels = (n + nr - 1) / nr;
  for (long p = 0; p < panels; ++p) {
    float* out = dst + p * panel_stride;
    long j0 = p * nr;
    int cols = static_cast<int>(std::min<long>(nr, n - j0));
    for (int k = 0; k < kc; ++k) {
      const float* src = b + (k0 + k) * rsb + j0 * csb;
      float* row = out + static_cast<long>(k) * nr;
      if (csb == 1) {
        std::memcpy(row, src, sizeof(float) * cols);
      } else {
        for (int j = 0; j < cols; ++j) row[j] = src[j * csb];
      }
      for (int j = cols; j < nr; ++j) row[j] = 0.0f;
    }
  }
}

void pack_a_block(const APacker& a, long i0, long mc, long k0, int kc, int mr, float* dst) {
  for (long ir = 0; ir < mc; ir += mr) {
    int rows = static_cast<int>(std::min<long>(mr, mc - ir));
    a.pack(i0 + ir, rows, k0, kc, dst + (ir / mr) * static_cast<long>(kc) * mr, mr);
  }
}

void zero_rows(float* c, long ldc, long rows, long j0, long j1) {
  for (long i = 0; i < rows; ++i) std::fill(c + i * ldc + j0, c + i * ldc + j1, 0.0f);
}

}  // namespace

const char* isa_name() {
  switch (isa()) {
    case Isa::kAvx512:
      return "avx512";
    case Isa::kAvx2:
      return "avx2";
    default:
      return "generic";
  }
}

const DirectKernels* direct_kernels() {
#if defined(__x86_64__)
  if (isa() == Isa::kAvx512) return avx512::direct();
#endif
  return nullptr;
}

KernelShape select_kernel(long n) {
#if defined(__x86_64__)
  if (isa() == Isa::kAvx512) return avx512::kernel_for(n);
  if (isa() == Isa::kAvx2) return avx2::kernel_for(n);
#endif
  (void)n;
  return {4, 16, &generic_kernel<4, 16>};
}

void StridedPacker::pack(long i0, int rows, long k0, int kc, float* dst, int mr) const {
  for (int r = 0; r < rows; ++r) {
    const float* src = a_ + (i0 + r) * rs_ + k0 * cs_;
    if (cs_ == 1) {
      for (int k = 0; k < kc; ++k) dst[k * mr + r] = src[k];
    } else {
      for (int k = 0; k < kc; ++k) dst[k * mr + r] = src[k * cs_];
    }
  }
  for (int r = rows; r < mr; ++r)
    for (int k = 0; k < kc; ++k) dst[k * mr + r] = 0.0f;
}

void gemm(long m, long n, long k, const APacker& a, const float* b, long rsb, long csb, float* c, long ldc,
          bool accumulate, const Epilogue* epilogue) {
  if (m <= 0 || n <= 0) return;
  const KernelShape ks = select_kernel(n);
  const long panels = (n + ks.nr - 1) / ks.nr;
  const long panel_stride = k * ks.nr;
  std::vector<float> bp(static_cast<size_t>(std::max<long>(1, panels * panel_stride)));
  for (long pc = 0; pc < k; pc += kKC)
    pack_b(b, rsb, csb, n, pc, static_cast<int>(std::min<long>(kKC, k - pc)), ks.nr, bp.data() + pc * ks.nr,
           panel_stride);
  const long mc_max = std::max<long>(ks.mr, kMC / ks.mr * ks.mr);
  const long mblocks = (m + mc_max - 1) / mc_max;
  const int threads = ThreadPool::instance().size();
  // With few row blocks (small M, e.g. a dense layer), split the columns too so both cores get work.
  long groups = 1;
  if (mblocks < 4L * threads) groups = std::min<long>(panels, (4L * threads + mblocks - 1) / mblocks);
  const long panels_per_group = (panels + groups - 1) / groups;
  groups = (panels + panels_per_group - 1) / panels_per_group;
  parallel_for(mblocks * groups, 1, [&](long begin, long end, int) {
    thread_local std::vector<float> abuf;
    float* ap = scratch(abuf, static_cast<size_t>(mc_max) * kKC);
    for (long task = begin; task < end; ++task) {
      const long ib = task / groups, g = task % groups;
      const long i0 = ib * mc_max, mc = std::min(mc_max, m - i0);
      const long p0 = g * panels_per_group, p1 = std::min(panels, p0 + panels_per_group);
      const long j0 = p0 * ks.nr, j1 = std::min(n, p1 * ks.nr);
      if (k == 0 && !accumulate) zero_rows(c + i0 * ldc, ldc, mc, j0, j1);
      for (long pc = 0; pc < k; pc += kKC) {
        const int kc = static_cast<int>(std::min<long>(kKC, k - pc));
        pack_a_block(a, i0, mc, pc, kc, ks.mr, ap);
        for (long p = p0; p < p1; ++p) {
          const int cols = static_cast<int>(std::min<long>(ks.nr, n - p * ks.nr));
          const float* bpanel = bp.data() + p * panel_stride + pc * ks.nr;
          for (long ir = 0; ir < mc; ir += ks.mr) {
            const int rows = static_cast<int>(std::min<long>(ks.mr, mc - ir));
            ks.fn(kc, ap + (ir / ks.mr) * static_cast<long>(kc) * ks.mr, bpanel, c + (i0 + ir) * ldc + p * ks.nr, ldc,
                  rows, cols, accumulate || pc > 0);
          }
        }
      }
      if (epilogue != nullptr) epilogue->apply(i0, mc, j0, j1, c, ldc);
    }
  });
}

void gemm_serial(long m, long n, long k0, long k1, const APacker& a, const float* b, long rsb, long csb, float* c,
                 long ldc, bool accumulate) {
  if (m <= 0 || n <= 0) return;
  if (k1 <= k0) {
    if (!accumulate) zero_rows(c, ldc, m, 0, n);
    return;
  }
  const KernelShape ks = select_kernel(n);
  const long panels = (n + ks.nr - 1) / ks.nr;
  const long mc_max = std::max<long>(ks.mr, kMC / ks.mr * ks.mr);
  thread_local std::vector<float> abuf, bbuf;
  float* ap = scratch(abuf, static_cast<size_t>(mc_max) * kKC);
  float* bp = scratch(bbuf, static_cast<size_t>(panels) * kKC * ks.nr);
  for (long pc = k0; pc < k1; pc += kKC) {
    const int kc = static_cast<int>(std::min<long>(kKC, k1 - pc));
    pack_b(b, rsb, csb, n, pc, kc, ks.nr, bp, static_cast<long>(kc) * ks.nr);
    for (long i0 = 0; i0 < m; i0 += mc_max) {
      const long mc = std::min(mc_max, m - i0);
      pack_a_block(a, i0, mc, pc, kc, ks.mr, ap);
      for (long p = 0; p < panels; ++p) {
        const int cols = static_cast<int>(std::min<long>(ks.nr, n - p * ks.nr));
        for (long ir = 0; ir < mc; ir += ks.mr) {
          const int rows = static_cast<int>(std::min<long>(ks.mr, mc - ir));
          ks.fn(kc, ap + (ir / ks.mr) * static_cast<long>(kc) * ks.mr, bp + p * static_cast<long>(kc) * ks.nr,
                c + (i0 + ir) * ldc + p * ks.nr, ldc, rows, cols, accumulate || pc > k0);
        }
      }
    }
  }
}

void gemm_ksplit(long m, long n, long k, const APacker& a, const float* b, long rsb, long csb, float* c) {
  parallel_sum(k, kKC, m * n, c, [&](long begin, long end, float* acc) {
    gemm_serial(m, n, begin, end, a, b, rsb, csb, acc, n, true);
  });
}

}  // namespace egfr
