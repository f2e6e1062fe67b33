#include "conv.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "gemm.h"
#include "threadpool.h"

namespace egfr {

namespace {

// im2col straight into micro-panels: row i is output pixel (b, oy, ox), column k is (ky, kx, ci).
class Im2colPacker : public APacker {
 public:
  Im2colPacker(const ConvGeom& g, const float* x) : g_(g), x_(x) {}
  void pack(long i0, int rows, long k0, int kc, float* dst, int mr) const override {
    const ConvGeom& g = g_;
    for (int r = 0; r < rows; ++r) {
      const long pix = i0 + r;
      const long ox = pix % g.ow, t = pix / g.ow, oy = t % g.oh, b = t / g.oh;
      const long iy0 = oy * g.sh - g.pt, ix0 = ox * g.sw - g.pl;
      const float* img = x_ + b * g.h * g.w * g.c;
      long k = k0;
      const long kend = k0 + kc;
      while (k < kend) {
        const long tap = k / g.c, ci = k % g.c;
        const long ky = tap / g.kw, kx = tap % g.kw;
        const long run = std::min(g.c - ci, kend - k);
        const long iy = iy0 + ky * g.dh, ix = ix0 + kx * g.dw;
        float* out = dst + (k - k0) * mr + r;
        if (iy >= 0 && iy < g.h && ix >= 0 && ix < g.w) {
          const float* src = img + (iy * g.w + ix) * g.c + ci;
          for (long q = 0; q < run; ++q) out[q * mr] = src[q];
        } else {
          for (long q = 0; q < run; ++q) out[q * mr] = 0.0f;
        }
        k += run;
      }
    }
    for (int r = rows; r < mr; ++r)
      for (int k = 0; k < kc; ++k) dst[k * mr + r] = 0.0f;
  }

 private:
  ConvGeom g_;
  const float* x_;
};

// The transpose of the im2col matrix: row i is the filter tap (ky, kx, ci), column k the output pixel.
class Im2colTransposedPacker : public APacker {
 public:
  Im2colTransposedPacker(const ConvGeom& g, const float* x) : g_(g), x_(x) {}
  void pack(long i0, int rows, long k0, int kc, float* dst, int mr) const override {
    const ConvGeom& g = g_;
    long offy[64], offx[64], ch[64];
    for (int r = 0; r < rows; ++r) {
      const long f = i0 + r, ci = f % g.c, tap = f / g.c;
      offy[r] = (tap / g.kw) * g.dh - g.pt;
      offx[r] = (tap % g.kw) * g.dw - g.pl;
      ch[r] = ci;
    }
    long ox = k0 % g.ow, t = k0 / g.ow, oy = t % g.oh, b = t / g.oh;
    for (int k = 0; k < kc; ++k) {
      float* out = dst + static_cast<long>(k) * mr;
      const float* img = x_ + b * g.h * g.w * g.c;
      const long by = oy * g.sh, bx = ox * g.sw;
      for (int r = 0; r < rows; ++r) {
        const long iy = by + offy[r], ix = bx + offx[r];
        out[r] = (iy >= 0 && iy < g.h && ix >= 0 && ix < g.w) ? img[(iy * g.w + ix) * g.c + ch[r]] : 0.0f;
      }
      for (int r = rows; r < mr; ++r) out[r] = 0.0f;
      if (++ox == g.ow) {
        ox = 0;
        if (++oy == g.oh) {
          oy = 0;
          ++b;
        }
      }
    }
  }

 private:
  ConvGeom g_;
  const float* x_;
};

inline float activate(float v, Activation act, float alpha) {
  switch (act) {
    case Activation::kRelu:
      return v > 0.0f ? v : 0.0f;
    case Activation::kRelu6:
      return std::min(std::max(v, 0.0f), 6.0f);
    case Activation::kLeakyRelu:
      return v < 0.0f ? alpha * v : v;
    case Activation::kElu:
      return v < 0.0f ? std::expm1(v) : v;
    case Activation::kSigmoid:
      return 1.0f / (1.0f + std::exp(-v));
    default:
      return v;
  }
}

void bias_activation_tile(float* c, long ldc, long rows, long j0, long j1, const float* bias, Activation act,
                          float alpha) {
  for (long i = 0; i < rows; ++i) {
    float* row = c + i * ldc;
    if (bias != nullptr)
      for (long j = j0; j < j1; ++j) row[j] += bias[j];
    switch (act) {
      case Activation::kLinear:
        break;
      case Activation::kRelu:
        for (long j = j0; j < j1; ++j) row[j] = row[j] > 0.0f ? row[j] : 0.0f;
        break;
      default:
        for (long j = j0; j < j1; ++j) row[j] = activate(row[j], act, alpha);
    }
  }
}

class BiasActivation : public Epilogue {
 public:
  BiasActivation(const float* bias, Activation act, float alpha) : bias_(bias), act_(act), alpha_(alpha) {}
  void apply(long i0, long rows, long j0, long j1, float* c, long ldc) const override {
    bias_activation_tile(c + i0 * ldc, ldc, rows, j0, j1, bias_, act_, alpha_);
  }

 private:
  const float* bias_;
  Activation act_;
  float alpha_;
};

// A zero-padded copy of x in which every tap of every output pixel lies inside the buffer, plus `extra` floats at the
// end for micro-kernels that read (and discard) a partial tile's missing rows. Reused per thread across calls.
// Buffers up to this many floats (64 MiB) are kept between calls; larger ones (whole-volume batches) are freed.
constexpr size_t kKeptPadFloats = size_t{16} << 20;

struct Padded {
  const float* data;
  long hp, wp;
  std::vector<float> owned;  // the buffer when it is too large to keep
};

Padded pad_input(const ConvGeom& g, const float* x, long extra) {
  thread_local std::vector<float> kept;
  const long hp = (g.oh - 1) * g.sh + (g.kh - 1) * g.dh + 1, wp = (g.ow - 1) * g.sw + (g.kw - 1) * g.dw + 1;
  const size_t need = static_cast<size_t>(g.n * hp * wp * g.c + extra);
  Padded result{nullptr, hp, wp, {}};
  if (need > kKeptPadFloats) {
    result.owned.resize(need);
  } else if (kept.size() < need) {
    kept.resize(need);
  }
  float* out = need > kKeptPadFloats ? result.owned.data() : kept.data();
  result.data = out;
  parallel_for(g.n * hp, 16, [&](long begin, long end, int) {
    for (long row = begin; row < end; ++row) {
      const long yy = row % hp, b = row / hp, iy = yy - g.pt;
      float* dst = out + row * wp * g.c;
      if (iy < 0 || iy >= g.h) {
        std::fill(dst, dst + wp * g.c, 0.0f);
        continue;
      }
      const long x0 = std::max<long>(0, g.pl), x1 = std::min<long>(wp, g.w + g.pl);  // padded columns with data
      std::fill(dst, dst + x0 * g.c, 0.0f);
      if (x1 > x0) std::copy(x + ((b * g.h + iy) * g.w + (x0 - g.pl)) * g.c, x + ((b * g.h + iy) * g.w + (x1 - g.pl)) * g.c,
                             dst + x0 * g.c);
      std::fill(dst + std::max(x0, x1) * g.c, dst + wp * g.c, 0.0f);
    }
  });
  std::fill(out + g.n * hp * wp * g.c, out + need, 0.0f);
  return result;
}

// Calls tap(t, offset) for each filter tap t = ky * kw + kx of output pixel (oy, ox) that falls inside the image,
// offset being the index (iy * w + ix) * c of its input pixel within the image.
template <typename Tap>
inline void for_each_tap(const ConvGeom& g, long oy, long ox, Tap tap) {
  for (long ky = 0; ky < g.kh; ++ky) {
    const long iy = oy * g.sh + ky * g.dh - g.pt;
    if (iy < 0 || iy >= g.h) continue;
    for (long kx = 0; kx < g.kw; ++kx) {
      const long ix = ox * g.sw + kx * g.dw - g.pl;
      if (ix < 0 || ix >= g.w) continue;
      tap(ky * g.kw + kx, (iy * g.w + ix) * g.c);
    }
  }
}

// dst[ci * mult + q] += a[ci] * b[ci * mult + q]: each input channel's value times its `mult` depthwise outputs.
inline void spread_madd(float* dst, const float* a, const float* b, long c, long mult) {
  if (mult == 1) {
    for (long ci = 0; ci < c; ++ci) dst[ci] += a[ci] * b[ci];
  } else {
    for (long ci = 0; ci < c; ++ci)
      for (long q = 0; q < mult; ++q) dst[ci * mult + q] += a[ci] * b[ci * mult + q];
  }
}

// Direct convolution with the AVX-512 row kernels: faster than im2col + GEMM when the output has few channels,
// because packing the patches would cost as much as the multiply-adds. False when not applicable.
bool conv2d_direct(const ConvGeom& g, const float* x, const float* w, const float* bias, Activation act, float alpha,
                   float* y) {
  const DirectKernels* dk = direct_kernels();
  if (dk == nullptr || g.pl < 0 || g.pt < 0) return false;
  const int nv = g.co <= 16 ? 1 : 2, nr = 16 * nv, mr = dk->conv_mr[nv];
  void (*tile)(const ConvTile&) = nv == 1 ? dk->conv16 : dk->conv32;
  const long k = g.kh * g.kw * g.c, panels = (g.co + nr - 1) / nr;
  // Filter panels of nr output channels, zero-padded: [panel][k][nr].
  std::vector<float> bp(static_cast<size_t>(panels * k * nr), 0.0f);
  for (long q = 0; q < panels; ++q)
    for (long i = 0; i < k; ++i)
      for (long j = q * nr; j < std::min<long>(g.co, (q + 1) * nr); ++j) bp[(q * k + i) * nr + (j - q * nr)] = w[i * g.co + j];
  const Padded p = pad_input(g, x, mr * g.sw * g.c + g.c + 16);
  const long tiles = (g.ow + mr - 1) / mr;
  parallel_for(g.n * g.oh, 1, [&](long begin, long end, int) {
    for (long row = begin; row < end; ++row) {
      const long oy = row % g.oh, b = row / g.oh;
      const float* xrow = p.data + (b * p.hp + oy * g.sh) * p.wp * g.c;
      float* yrow = y + row * g.ow * g.co;
      for (long t = 0; t < tiles; ++t) {
        const long ox0 = t * mr;
        for (long q = 0; q < panels; ++q) {
          ConvTile ct{xrow + ox0 * g.sw * g.c, g.c, g.kh, g.kw, g.dh * p.wp * g.c, g.dw * g.c, g.sw * g.c,
                      bp.data() + q * k * nr, yrow + ox0 * g.co + q * nr, g.co,
                      static_cast<int>(std::min<long>(mr, g.ow - ox0)), static_cast<int>(std::min<long>(nr, g.co - q * nr))};
          tile(ct);
        }
      }
      if (bias != nullptr || act != Activation::kLinear)
        bias_activation_tile(yrow, g.co, g.ow, 0, g.co, bias, act, alpha);
    }
  });
  return true;
}

bool conv2d_filter_direct(const ConvGeom& g, const float* x, const float* dy, float* dw) {
  const DirectKernels* dk = direct_kernels();
  if (dk == nullptr || g.c < 8 || g.pl < 0 || g.pt < 0) return false;
  const int nv = g.co <= 16 ? 1 : 2, nr = 16 * nv, mr = dk->filter_mr[nv];
  void (*tile)(const FilterTile&) = nv == 1 ? dk->filter16 : dk->filter32;
  const long k = g.kh * g.kw * g.c, panels = (g.co + nr - 1) / nr;
  const Padded p = pad_input(g, x, mr + 16);
  parallel_sum(g.n * g.oh, 1, k * g.co, dw, [&](long begin, long end, float* acc) {
    for (long row = begin; row < end; ++row) {
      const long oy = row % g.oh, b = row / g.oh;
      const float* drow = dy + row * g.ow * g.co;
      for (long ky = 0; ky < g.kh; ++ky)
        for (long kx = 0; kx < g.kw; ++kx) {
          const float* xbase = p.data + ((b * p.hp + oy * g.sh + ky * g.dh) * p.wp + kx * g.dw) * g.c;
          for (long c0 = 0; c0 < g.c; c0 += mr)
            for (long q = 0; q < panels; ++q) {
              FilterTile ft{xbase + c0, g.sw * g.c, drow + q * nr, g.co, g.ow,
                            acc + ((ky * g.kw + kx) * g.c + c0) * g.co + q * nr, g.co,
                            static_cast<int>(std::min<long>(mr, g.c - c0)),
                            static_cast<int>(std::min<long>(nr, g.co - q * nr))};
              tile(ft);
            }
        }
    }
  });
  return true;
}

bool is_pointwise(const ConvGeom& g) {
  return g.kh == 1 && g.kw == 1 && g.sh == 1 && g.sw == 1 && g.pt == 0 && g.pl == 0 && g.oh == g.h && g.ow == g.w;
}

}  // namespace

void bias_activation(float* y, long rows, long cols, const float* bias, Activation act, float alpha) {
  parallel_for(rows, 1024, [&](long begin, long end, int) {
    bias_activation_tile(y + begin * cols, cols, end - begin, 0, cols, bias, act, alpha);
  });
}

void conv2d(const ConvGeom& g, const float* x, const float* w, const float* bias, Activation act, float alpha,
            float* y) {
  const long m = g.n * g.oh * g.ow, k = g.kh * g.kw * g.c;
  const bool fused = bias != nullptr || act != Activation::kLinear;
  BiasActivation epilogue(bias, act, alpha);
  if (!is_pointwise(g) && conv2d_direct(g, x, w, bias, act, alpha, y)) return;
  if (is_pointwise(g)) {
    StridedPacker a(x, g.c, 1);
    gemm(m, g.co, k, a, w, g.co, 1, y, g.co, false, fused ? &epilogue : nullptr);
  } else {
    Im2colPacker a(g, x);
    gemm(m, g.co, k, a, w, g.co, 1, y, g.co, false, fused ? &epilogue : nullptr);
  }
}

void conv2d_backprop_input(const ConvGeom& g, const float* dy, const float* w, float* dx) {
  const long kf = g.kh * g.kw * g.c;
  if (g.sh == 1 && g.sw == 1) {
    // dx is the full correlation of dy with the spatially flipped filter, in/out channels swapped.
    std::vector<float> wf(static_cast<size_t>(kf * g.co));
    for (long ky = 0; ky < g.kh; ++ky)
      for (long kx = 0; kx < g.kw; ++kx)
        for (long ci = 0; ci < g.c; ++ci)
          for (long o = 0; o < g.co; ++o)
            wf[((ky * g.kw + kx) * g.co + o) * g.c + ci] =
                w[(((g.kh - 1 - ky) * g.kw + (g.kw - 1 - kx)) * g.c + ci) * g.co + o];
    ConvGeom t{g.n, g.oh, g.ow, g.co, g.kh, g.kw, g.c, g.h, g.w, 1, 1, g.dh, g.dw,
               (g.kh - 1) * g.dh - g.pt, (g.kw - 1) * g.dw - g.pl};
    conv2d(t, dy, wf.data(), nullptr, Activation::kLinear, 0.0f, dx);
    return;
  }
  // Strided: columns = dy x w^T, then col2im. Windows that do not overlap can be scattered from any thread;
  // overlapping ones are split by image so that no two threads add into the same pixel.
  std::fill(dx, dx + g.n * g.h * g.w * g.c, 0.0f);
  const bool disjoint = (g.kh - 1) * g.dh + 1 <= g.sh && (g.kw - 1) * g.dw + 1 <= g.sw;
  const long per_image = g.oh * g.ow, total = g.n * per_image;
  constexpr long kChunk = 256;
  auto process = [&](long p0, long p1) {
    thread_local std::vector<float> cols;
    if (cols.size() < static_cast<size_t>(kChunk * kf)) cols.resize(static_cast<size_t>(kChunk * kf));
    for (long s = p0; s < p1; s += kChunk) {
      const long rows = std::min(kChunk, p1 - s);
      StridedPacker a(dy + s * g.co, g.co, 1);
      gemm_serial(rows, kf, 0, g.co, a, w, 1, g.co, cols.data(), kf, false);
      for (long r = 0; r < rows; ++r) {
        const long pix = s + r, ox = pix % g.ow, t = pix / g.ow, oy = t % g.oh, b = t / g.oh;
        float* img = dx + b * g.h * g.w * g.c;
        const float* src = cols.data() + r * kf;
        for_each_tap(g, oy, ox, [&](long tap, long at) {
          float* out = img + at;
          const float* in = src + tap * g.c;
          for (long ci = 0; ci < g.c; ++ci) out[ci] += in[ci];
        });
      }
    }
  };
  if (disjoint) {
    parallel_for(total, kChunk, [&](long b, long e, int) { process(b, e); });
  } else {
    parallel_for(g.n, 1, [&](long b, long e, int) { process(b * per_image, e * per_image); });
  }
}

void conv2d_backprop_filter(const ConvGeom& g, const float* x, const float* dy, float* dw) {
  const long kf = g.kh * g.kw * g.c, pixels = g.n * g.oh * g.ow;
  if (conv2d_filter_direct(g, x, dy, dw)) return;
  if (is_pointwise(g)) {
    StridedPacker a(x, 1, g.c);
    gemm_ksplit(kf, g.co, pixels, a, dy, g.co, 1, dw);
  } else {
    Im2colTransposedPacker a(g, x);
    gemm_ksplit(kf, g.co, pixels, a, dy, g.co, 1, dw);
  }
}

// Depthwise: output channel oc = ci * mult + q reads input channel ci with filter w[ky,kx,ci,q].
void depthwise_conv2d(const ConvGeom& g, const float* x, const float* w, const float* bias, Activation act,
                      float alpha, float* y) {
  const long mult = g.co, oc = g.c * mult;
  parallel_for(g.n * g.oh, 1, [&](long begin, long end, int) {
    std::vector<float> acc(static_cast<size_t>(oc));
    for (long row = begin; row < end; ++row) {
      const long oy = row % g.oh, b = row / g.oh;
      const float* img = x + b * g.h * g.w * g.c;
      for (long ox = 0; ox < g.ow; ++ox) {
        std::fill(acc.begin(), acc.end(), 0.0f);
        for_each_tap(g, oy, ox, [&](long tap, long at) { spread_madd(acc.data(), img + at, w + tap * oc, g.c, mult); });
        float* out = y + ((b * g.oh + oy) * g.ow + ox) * oc;
        std::copy(acc.begin(), acc.end(), out);
        bias_activation_tile(out, oc, 1, 0, oc, bias, act, alpha);
      }
    }
  });
}

void depthwise_backprop_input(const ConvGeom& g, const float* dy, const float* w, float* dx) {
  const long mult = g.co, oc = g.c * mult;
  // Gather form: each input pixel sums the outputs whose windows cover it, so rows are independent.
  parallel_for(g.n * g.h, 1, [&](long begin, long end, int) {
    for (long row = begin; row < end; ++row) {
      const long iy = row % g.h, b = row / g.h;
      for (long ix = 0; ix < g.w; ++ix) {
        float* out = dx + ((b * g.h + iy) * g.w + ix) * g.c;
        std::fill(out, out + g.c, 0.0f);
        for (long ky = 0; ky < g.kh; ++ky) {
          const long ty = iy + g.pt - ky * g.dh;
          if (ty < 0 || ty % g.sh != 0) continue;
          const long oy = ty / g.sh;
          if (oy >= g.oh) continue;
          for (long kx = 0; kx < g.kw; ++kx) {
            const long tx = ix + g.pl - kx * g.dw;
            if (tx < 0 || tx % g.sw != 0) continue;
            const long ox = tx / g.sw;
            if (ox >= g.ow) continue;
            const float* d = dy + ((b * g.oh + oy) * g.ow + ox) * oc;
            const float* f = w + (ky * g.kw + kx) * oc;
            if (mult == 1) {
              for (long ci = 0; ci < g.c; ++ci) out[ci] += d[ci] * f[ci];
            } else {
              for (long ci = 0; ci < g.c; ++ci)
                for (long q = 0; q < mult; ++q) out[ci] += d[ci * mult + q] * f[ci * mult + q];
            }
          }
        }
      }
    }
  });
}

void depthwise_backprop_filter(const ConvGeom& g, const float* x, const float* dy, float* dw) {
  const long mult = g.co, oc = g.c * mult;
  parallel_sum(g.n * g.oh, 1, g.kh * g.kw * oc, dw, [&](long begin, long end, float* acc) {
    for (long row = begin; row < end; ++row) {
      const long oy = row % g.oh, b = row / g.oh;
      const float* img = x + b * g.h * g.w * g.c;
      for (long ox = 0; ox < g.ow; ++ox) {
        const float* d = dy + ((b * g.oh + oy) * g.ow + ox) * oc;
        for_each_tap(g, oy, ox, [&](long tap, long at) { spread_madd(acc + tap * oc, img + at, d, g.c, mult); });
      }
    }
  });
}

void max_pool(const ConvGeom& g, const float* x, float* y) {
  parallel_for(g.n * g.oh, 4, [&](long begin, long end, int) {
    for (long row = begin; row < end; ++row) {
      const long oy = row % g.oh, b = row / g.oh;
      const float* img = x + b * g.h * g.w * g.c;
      for (long ox = 0; ox < g.ow; ++ox) {
        float* out = y + ((b * g.oh + oy) * g.ow + ox) * g.c;
        std::fill(out, out + g.c, -INFINITY);
        for_each_tap(g, oy, ox, [&](long, long at) {
          const float* src = img + at;
          for (long ci = 0; ci < g.c; ++ci) out[ci] = src[ci] > out[ci] ? src[ci] : out[ci];
        });
      }
    }
  });
}

void max_pool_grad(const ConvGeom& g, const float* x, const float* dy, float* dx) {
  std::fill(dx, dx + g.n * g.h * g.w * g.c, 0.0f);
  // The gradient goes to the first maximum in window order, as the cpu backend does. Windows may overlap, so
  // work is split by image and 16-channel slice: no two tasks write the same element.
  constexpr long kSlice = 16;
  const long slices = (g.c + kSlice - 1) / kSlice;
  parallel_for(g.n * slices, 1, [&](long begin, long end, int) {
    for (long task = begin; task < end; ++task) {
      const long b = task / slices, c0 = (task % slices) * kSlice, c1 = std::min(g.c, c0 + kSlice);
      const float* img = x + b * g.h * g.w * g.c;
      float* dimg = dx + b * g.h * g.w * g.c;
      for (long oy = 0; oy < g.oh; ++oy)
        for (long ox = 0; ox < g.ow; ++ox) {
          const float* d = dy + ((b * g.oh + oy) * g.ow + ox) * g.c;
          for (long ci = c0; ci < c1; ++ci) {
            float best = -INFINITY;
            long at = -1;
            for_each_tap(g, oy, ox, [&](long, long pixel) {
              if (img[pixel + ci] > best) {
                best = img[pixel + ci];
                at = pixel + ci;
              }
            });
            if (at >= 0) dimg[at] += d[ci];
          }
        }
    }
  });
}

}  // namespace egfr
