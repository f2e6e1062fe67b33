#include "elementwise.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>

#include "threadpool.h"

namespace egfr {

namespace {

constexpr long kGrain = 1L << 15;  // elements per task: below this, threading costs more than it saves

long product(const Shape& s) {
  long p = 1;
  for (long v : s) p *= v;
  return p;
}

template <BinaryOp OP>
inline float apply(float x, float y) {
  switch (OP) {
    case BinaryOp::kAdd:
      return x + y;
    case BinaryOp::kSub:
      return x - y;
    case BinaryOp::kMul:
      return x * y;
    case BinaryOp::kDiv:
      return x / y;
    case BinaryOp::kMax:
      return (x != x || y != y) ? NAN : (x > y ? x : y);
    case BinaryOp::kMin:
      return (x != x || y != y) ? NAN : (x < y ? x : y);
    case BinaryOp::kReluGrad:
      return y > 0.0f ? x : 0.0f;
    default: {
      const float d = x - y;
      return d * d;
    }
  }
}

// A broadcast loop nest: dims (outermost first) with the element strides of a and b (0 where broadcast).
struct Nest {
  std::vector<long> dims, sa, sb;
};

Nest broadcast_nest(const Shape& a_shape, const Shape& b_shape, const Shape& out_shape) {
  const size_t rank = out_shape.size();
  std::vector<long> sa(rank, 0), sb(rank, 0);
  long stride_a = 1, stride_b = 1;
  for (size_t i = rank; i-- > 0;) {
    const size_t ia = i + a_shape.size() - rank, ib = i + b_shape.size() - rank;
    const long da = i + a_shape.size() >= rank ? a_shape[ia] : 1;
    const long db = i + b_shape.size() >= rank ? b_shape[ib] : 1;
    sa[i] = da == 1 ? 0 : stride_a;
    sb[i] = db == 1 ? 0 : stride_b;
    stride_a *= da;
    stride_b *= db;
  }
  // Merge a dim into its inner neighbour when both operands step through them as one contiguous range.
  Nest nest;
  for (size_t i = 0; i < rank; ++i) {
    if (out_shape[i] == 1) continue;
    if (!nest.dims.empty()) {
      const long d = nest.dims.back();
      const bool merge_a = nest.sa.back() == sa[i] * out_shape[i] || (nest.sa.back() == 0 && sa[i] == 0);
      const bool merge_b = nest.sb.back() == sb[i] * out_shape[i] || (nest.sb.back() == 0 && sb[i] == 0);
      if (merge_a && merge_b) {
        nest.dims.back() = d * out_shape[i];
        nest.sa.back() = sa[i];
        nest.sb.back() = sb[i];
        continue;
      }
    }
    nest.dims.push_back(out_shape[i]);
    nest.sa.push_back(sa[i]);
    nest.sb.push_back(sb[i]);
  }
  if (nest.dims.empty()) {
    nest.dims.push_back(1);
    nest.sa.push_back(0);
    nest.sb.push_back(0);
  }
  return nest;
}

template <BinaryOp OP>
void inner(const float* a, long sa, const float* b, long sb, float* out, long n) {
  if (sa == 1 && sb == 1) {
    for (long i = 0; i < n; ++i) out[i] = apply<OP>(a[i], b[i]);
  } else if (sa == 1 && sb == 0) {
    const float y = *b;
    for (long i = 0; i < n; ++i) out[i] = apply<OP>(a[i], y);
  } else if (sa == 0 && sb == 1) {
    const float x = *a;
    for (long i = 0; i < n; ++i) out[i] = apply<OP>(x, b[i]);
  } else {
    for (long i = 0; i < n; ++i) out[i] = apply<OP>(a[i * sa], b[i * sb]);
  }
}

template <BinaryOp OP>
void binary_nest(const float* a, const float* b, float* out, const Nest& nest) {
  const size_t depth = nest.dims.size();
  const long n = nest.dims[depth - 1];
  const long sa = nest.sa[depth - 1], sb = nest.sb[depth - 1];
  const long rows = product(Shape(nest.dims.begin(), nest.dims.end() - 1));
  if (n > kGrain) {
    // Long rows (same-shape operands): split each row into pieces so that both threads share it.
    const long pieces = n / kGrain, piece = (n + pieces - 1) / pieces;
    parallel_for(rows * pieces, 1, [&](long begin, long end, int) {
      for (long task = begin; task < end; ++task) {
        const long row = task / pieces, j0 = (task % pieces) * piece, len = std::min(piece, n - j0);
        long rest = row, oa = 0, ob = 0;
        for (size_t d = depth - 1; d-- > 0;) {
          const long idx = rest % nest.dims[d];
          rest /= nest.dims[d];
          oa += idx * nest.sa[d];
          ob += idx * nest.sb[d];
        }
        inner<OP>(a + oa + j0 * sa, sa, b + ob + j0 * sb, sb, out + row * n + j0, len);
      }
    });
    return;
  }
  // Short rows (broadcasting a per-channel vector): walk the outer indices as an odometer, no division per row.
  parallel_for(rows, std::max<long>(1, kGrain / std::max<long>(n, 1)), [&](long begin, long end, int) {
    std::vector<long> idx(depth, 0);
    long rest = begin, oa = 0, ob = 0;
    for (size_t d = depth - 1; d-- > 0;) {
      idx[d] = rest % nest.dims[d];
      rest /= nest.dims[d];
      oa += idx[d] * nest.sa[d];
      ob += idx[d] * nest.sb[d];
    }
    for (long row = begin; row < end; ++row) {
      inner<OP>(a + oa, sa, b + ob, sb, out + row * n, n);
      for (size_t d = depth - 1; d-- > 0;) {
        oa += nest.sa[d];
        ob += nest.sb[d];
        if (++idx[d] < nest.dims[d]) break;
        oa -= nest.sa[d] * nest.dims[d];
        ob -= nest.sb[d] * nest.dims[d];
        idx[d] = 0;
      }
    }
  });
}

// exp(x) written without calls or branches so that the loops using it vectorise (with -fno-trapping-math): Cephes'
// expf polynomial after the reduction x = n ln2 + r, about 1 ulp on [-87, ln(FLT_MAX)]; below that it returns 0, as
// exp underflows, above it infinity, and NaN for NaN.
inline float exp_approx(float x) {
  float clamped = x > 88.7228394f ? 88.7228394f : x;
  clamped = clamped < -87.0f ? -87.0f : clamped;
  clamped = x != x ? 0.0f : clamped;
  const float v = clamped * 1.44269504088896341f + 0.5f;
  const float truncated = static_cast<float>(static_cast<int32_t>(v));
  const float n = truncated > v ? truncated - 1.0f : truncated;
  const float r = clamped - n * 0.693359375f + n * 2.12194440e-4f;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  const float e = p * r * r + r + 1.0f;
  // 2^n as two factors 2^h * 2^(n-h): n spans [-126, 128], and 128, reached just below ln(FLT_MAX), is one beyond
  // the largest exponent of a finite float.
  const int32_t ni = static_cast<int32_t>(n), h = ni >> 1;
  const int32_t low_bits = (h + 127) << 23, high_bits = (ni - h + 127) << 23;
  float low, high;
  std::memcpy(&low, &low_bits, sizeof(low));
  std::memcpy(&high, &high_bits, sizeof(high));
  float out = e * low * high;
  out = x > 88.7228394f ? INFINITY : out;
  out = x < -87.0f ? 0.0f : out;
  return x != x ? x : out;
}

// erf(x) by Abramowitz and Stegun 7.1.26 (absolute error below 1.5e-7), the formula the tfjs cpu backend uses, on
// exp_approx so that the loop vectorises (std::erf does not: it was most of the GELU time).
inline float erf_approx(float x) {
  const float a = std::fabs(x);
  const float t = 1.0f / (1.0f + 0.3275911f * a);
  const float poly = t * (0.254829592f + t * (-0.284496736f + t * (1.421413741f + t * (-1.453152027f + t * 1.061405429f))));
  const float r = 1.0f - poly * exp_approx(-a * a);
  return x < 0.0f ? -r : r;
}

template <UnaryOp OP>
inline float apply_unary(float x, float alpha) {
  switch (OP) {
    case UnaryOp::kRelu:
      return x < 0.0f ? 0.0f : x;
    case UnaryOp::kStep:
      return x != x ? x : (x > 0.0f ? 1.0f : alpha);
    case UnaryOp::kSquare:
      return x * x;
    case UnaryOp::kSqrt:
      return std::sqrt(x);
    case UnaryOp::kExp:
      return exp_approx(x);
    case UnaryOp::kLog:
      return std::log(x);
    case UnaryOp::kNeg:
      return -x;
    case UnaryOp::kAbs:
      return std::fabs(x);
    case UnaryOp::kRsqrt:
      return 1.0f / std::sqrt(x);
    case UnaryOp::kReciprocal:
      return 1.0f / x;
    case UnaryOp::kSigmoid:
      return 1.0f / (1.0f + exp_approx(-x));
    case UnaryOp::kTanh:
      return std::tanh(x);
    case UnaryOp::kLeakyRelu:
      return x < 0.0f ? alpha * x : x;
    case UnaryOp::kElu:
      return x < 0.0f ? std::expm1(x) : x;
    case UnaryOp::kErf:
      return erf_approx(x);
    default:
      return std::min(std::max(x, 0.0f), 6.0f);
  }
}

template <UnaryOp OP>
void unary_loop(const float* x, float* out, long n, float alpha) {
  parallel_for(n, kGrain, [&](long begin, long end, int) {
    for (long i = begin; i < end; ++i) out[i] = apply_unary<OP>(x[i], alpha);
  });
}

template <ReduceOp OP>
inline double combine(double acc, float v) {
  switch (OP) {
    case ReduceOp::kMax:
      return (v != v || acc != acc) ? NAN : (v > acc ? v : acc);
    case ReduceOp::kMin:
      return (v != v || acc != acc) ? NAN : (v < acc ? v : acc);
    default:
      return acc + v;
  }
}

template <ReduceOp OP>
double initial() {
  return OP == ReduceOp::kMax ? -INFINITY : OP == ReduceOp::kMin ? INFINITY : 0.0;
}

// out[o, i] = reduce_r x[(o * r_count + r) * inner + i]; sums accumulate in double, as the cpu backend's JS does.
template <ReduceOp OP>
void reduce_3d(const float* x, long outer, long r_count, long inner_count, float* out) {
  const double scale = OP == ReduceOp::kMean ? 1.0 / static_cast<double>(r_count) : 1.0;
  if (inner_count == 1) {
    parallel_for(outer, std::max<long>(1, kGrain / std::max<long>(r_count, 1)), [&](long begin, long end, int) {
      for (long o = begin; o < end; ++o) {
        const float* row = x + o * r_count;
        double acc = initial<OP>();
        for (long r = 0; r < r_count; ++r) acc = combine<OP>(acc, row[r]);
        out[o] = static_cast<float>(acc * scale);
      }
    });
    return;
  }
  // Many rows reduced onto a short vector (e.g. per-channel statistics of NHWC activations): the rows are split into
  // parts, each with its own accumulators, combined in part order.
  std::vector<double> total(static_cast<size_t>(inner_count));
  for (long o = 0; o < outer; ++o) {
    const float* base = x + o * r_count * inner_count;
    parallel_reduce(
        r_count, std::max<long>(1, kGrain / inner_count), inner_count, initial<OP>(), total.data(),
        [&](long begin, long end, double* acc) {
          for (long r = begin; r < end; ++r) {
            const float* row = base + r * inner_count;
            for (long i = 0; i < inner_count; ++i) acc[i] = combine<OP>(acc[i], row[i]);
          }
        },
        [](double& sum, double part) {
          sum = OP == ReduceOp::kSum || OP == ReduceOp::kMean ? sum + part : combine<OP>(sum, static_cast<float>(part));
        });
    for (long i = 0; i < inner_count; ++i) out[o * inner_count + i] = static_cast<float>(total[i] * scale);
  }
}

// Strided copy driver: out is dense over `dims`; src offsets follow `strides`. The innermost dim is contiguous in
// the source when its stride is 1 (memcpy).
void strided_copy(const float* src, const std::vector<long>& dims, const std::vector<long>& strides, float* out) {
  const size_t depth = dims.size();
  const long n = dims[depth - 1], s = strides[depth - 1];
  const long rows = product(Shape(dims.begin(), dims.end() - 1));
  parallel_for(rows, std::max<long>(1, kGrain / std::max<long>(n, 1)), [&](long begin, long end, int) {
    for (long row = begin; row < end; ++row) {
      long rest = row, off = 0;
      for (size_t d = depth - 1; d-- > 0;) {
        off += (rest % dims[d]) * strides[d];
        rest /= dims[d];
      }
      float* dst = out + row * n;
      const float* from = src + off;
      if (s == 1) {
        std::memcpy(dst, from, sizeof(float) * n);
      } else {
        for (long i = 0; i < n; ++i) dst[i] = from[i * s];
      }
    }
  });
}

Shape dense_strides(const Shape& shape) {
  Shape s(shape.size(), 1);
  for (size_t i = shape.size(); i-- > 1;) s[i - 1] = s[i] * shape[i];
  return s;
}

}  // namespace

void binary(BinaryOp op, const float* a, const Shape& a_shape, const float* b, const Shape& b_shape, float* out,
            const Shape& out_shape) {
  if (product(out_shape) == 0) return;
  const Nest nest = broadcast_nest(a_shape, b_shape, out_shape);
  switch (op) {
    case BinaryOp::kAdd:
      return binary_nest<BinaryOp::kAdd>(a, b, out, nest);
    case BinaryOp::kSub:
      return binary_nest<BinaryOp::kSub>(a, b, out, nest);
    case BinaryOp::kMul:
      return binary_nest<BinaryOp::kMul>(a, b, out, nest);
    case BinaryOp::kDiv:
      return binary_nest<BinaryOp::kDiv>(a, b, out, nest);
    case BinaryOp::kMax:
      return binary_nest<BinaryOp::kMax>(a, b, out, nest);
    case BinaryOp::kMin:
      return binary_nest<BinaryOp::kMin>(a, b, out, nest);
    case BinaryOp::kReluGrad:
      return binary_nest<BinaryOp::kReluGrad>(a, b, out, nest);
    default:
      return binary_nest<BinaryOp::kSquaredDifference>(a, b, out, nest);
  }
}

void unary(UnaryOp op, const float* x, float* out, long n, float alpha) {
  switch (op) {
#define EGFR_UNARY(NAME) \
  case UnaryOp::NAME:    \
    return unary_loop<UnaryOp::NAME>(x, out, n, alpha);
    EGFR_UNARY(kRelu)
    EGFR_UNARY(kStep)
    EGFR_UNARY(kSquare)
    EGFR_UNARY(kSqrt)
    EGFR_UNARY(kExp)
    EGFR_UNARY(kLog)
    EGFR_UNARY(kNeg)
    EGFR_UNARY(kAbs)
    EGFR_UNARY(kRsqrt)
    EGFR_UNARY(kReciprocal)
    EGFR_UNARY(kSigmoid)
    EGFR_UNARY(kTanh)
    EGFR_UNARY(kLeakyRelu)
    EGFR_UNARY(kElu)
    EGFR_UNARY(kRelu6)
    EGFR_UNARY(kErf)
#undef EGFR_UNARY
  }
}

bool reduce(ReduceOp op, const float* x, const Shape& shape, const std::vector<bool>& reduced, float* out) {
  // Group neighbouring axes with the same status; accept [kept][reduced][kept] (any part may be absent).
  std::vector<long> sizes;
  std::vector<bool> kinds;
  for (size_t i = 0; i < shape.size(); ++i) {
    if (shape[i] == 1) continue;
    if (!kinds.empty() && kinds.back() == reduced[i]) {
      sizes.back() *= shape[i];
    } else {
      sizes.push_back(shape[i]);
      kinds.push_back(reduced[i]);
    }
  }
  long outer = 1, r_count = 1, inner_count = 1;
  size_t i = 0;
  if (i < kinds.size() && !kinds[i]) outer = sizes[i++];
  if (i < kinds.size() && kinds[i]) r_count = sizes[i++];
  if (i < kinds.size() && !kinds[i]) inner_count = sizes[i++];
  if (i != kinds.size()) return false;
  switch (op) {
    case ReduceOp::kSum:
      reduce_3d<ReduceOp::kSum>(x, outer, r_count, inner_count, out);
      break;
    case ReduceOp::kMean:
      reduce_3d<ReduceOp::kMean>(x, outer, r_count, inner_count, out);
      break;
    case ReduceOp::kMax:
      reduce_3d<ReduceOp::kMax>(x, outer, r_count, inner_count, out);
      break;
    case ReduceOp::kMin:
      reduce_3d<ReduceOp::kMin>(x, outer, r_count, inner_count, out);
      break;
  }
  return true;
}

void slice(const float* x, const Shape& shape, const Shape& begin, const Shape& size, float* out) {
  if (product(size) == 0) return;
  const Shape strides = dense_strides(shape);
  long offset = 0;
  for (size_t i = 0; i < shape.size(); ++i) offset += begin[i] * strides[i];
  std::vector<long> dims, st;
  for (size_t i = 0; i < shape.size(); ++i) {
    if (size[i] == 1) continue;
    // A full inner axis continues the previous one contiguously.
    if (!dims.empty() && st.back() == strides[i] * size[i] && size[i] == shape[i]) {
      dims.back() *= size[i];
      st.back() = strides[i];
      continue;
    }
    dims.push_back(size[i]);
    st.push_back(strides[i]);
  }
  if (dims.empty()) {
    out[0] = x[offset];
    return;
  }
  strided_copy(x + offset, dims, st, out);
}

void tile(const float* x, const Shape& shape, const Shape& reps, float* out) {
  // Tiling is a broadcast copy: view x as [1, s0, 1, s1, ...] against out [r0, s0, r1, s1, ...], whose row-major
  // layout is the tiled one (output index rep * s + j along each axis).
  Shape in_view, out_view;
  for (size_t i = 0; i < shape.size(); ++i) {
    in_view.push_back(1);
    in_view.push_back(shape[i]);
    out_view.push_back(reps[i]);
    out_view.push_back(shape[i]);
  }
  const long total = product(out_view);
  if (total == 0) return;
  const float zero = 0.0f;
  const Nest nest = broadcast_nest(in_view, Shape{1}, out_view);
  binary_nest<BinaryOp::kAdd>(x, &zero, out, nest);
}

void transpose(const float* x, const Shape& shape, const std::vector<int>& perm, float* out) {
  const Shape strides = dense_strides(shape);
  std::vector<long> dims, st;
  for (size_t i = 0; i < perm.size(); ++i) {
    const long d = shape[perm[i]], s = strides[perm[i]];
    if (d == 1) continue;
    if (!dims.empty() && st.back() == s * d) {
      dims.back() *= d;
      st.back() = s;
      continue;
    }
    dims.push_back(d);
    st.push_back(s);
  }
  if (product(shape) == 0) return;
  if (dims.empty()) {
    out[0] = x[0];
    return;
  }
  strided_copy(x, dims, st, out);
}

void batch_norm(const float* x, long rows, long channels, const float* mean, long mean_n, const float* variance,
                long var_n, const float* offset, long offset_n, const float* scale, long scale_n, float eps, float* y) {
  // Fold into y = x * a + b per channel, as the cpu kernel computes (x - mean) * scale * rsqrt(var + eps) + offset.
  std::vector<float> a(static_cast<size_t>(channels)), b(static_cast<size_t>(channels));
  for (long c = 0; c < channels; ++c) {
    const float m = mean[mean_n == 1 ? 0 : c], v = variance[var_n == 1 ? 0 : c];
    const float s = scale == nullptr ? 1.0f : scale[scale_n == 1 ? 0 : c];
    const float o = offset == nullptr ? 0.0f : offset[offset_n == 1 ? 0 : c];
    a[c] = s / std::sqrt(v + eps);
    b[c] = o - m * a[c];
  }
  parallel_for(rows, std::max<long>(1, kGrain / std::max<long>(channels, 1)), [&](long begin, long end, int) {
    for (long r = begin; r < end; ++r) {
      const float* in = x + r * channels;
      float* out = y + r * channels;
      for (long c = 0; c < channels; ++c) out[c] = in[c] * a[c] + b[c];
    }
  });
}

void batch_norm_grad_stats(const float* x, const float* dy, long rows, long channels, const float* mean, float* s1,
                           float* s2) {
  std::vector<double> sums(static_cast<size_t>(2 * channels));
  parallel_sum(rows, std::max<long>(1, kGrain / std::max<long>(channels, 1)), 2 * channels, sums.data(),
               [&](long begin, long end, double* acc) {
    // Float partial sums over a block of rows vectorise; the block totals go into double accumulators.
    std::vector<float> a(static_cast<size_t>(channels)), b(static_cast<size_t>(channels));
    for (long r0 = begin; r0 < end; r0 += 256) {
      std::fill(a.begin(), a.end(), 0.0f);
      std::fill(b.begin(), b.end(), 0.0f);
      const long r1 = std::min(end, r0 + 256);
      for (long r = r0; r < r1; ++r) {
        const float* xr = x + r * channels;
        const float* dr = dy + r * channels;
        for (long c = 0; c < channels; ++c) {
          a[c] += dr[c];
          b[c] += dr[c] * (xr[c] - mean[c]);
        }
      }
      for (long c = 0; c < channels; ++c) {
        acc[c] += a[c];
        acc[channels + c] += b[c];
      }
    }
  });
  for (long c = 0; c < channels; ++c) {
    s1[c] = static_cast<float>(sums[c]);
    s2[c] = static_cast<float>(sums[channels + c]);
  }
}

namespace {
// Per-channel sums of f(row, c) over all rows: float partials over 256-row blocks (vectorised), double totals.
template <typename F>
std::vector<double> channel_sums(long rows, long channels, F f) {
  std::vector<double> total(static_cast<size_t>(channels));
  parallel_sum(rows, std::max<long>(256, kGrain / std::max<long>(channels, 1)), channels, total.data(),
               [&](long begin, long end, double* acc) {
    std::vector<float> block(static_cast<size_t>(channels));
    for (long r0 = begin; r0 < end; r0 += 256) {
      std::fill(block.begin(), block.end(), 0.0f);
      const long r1 = std::min(end, r0 + 256);
      for (long r = r0; r < r1; ++r) f(r, block.data());
      for (long c = 0; c < channels; ++c) acc[c] += block[c];
    }
  });
  return total;
}
}  // namespace

void channel_moments(const float* x, long rows, long channels, float* mean, float* variance) {
  const std::vector<double> sums = channel_sums(rows, channels, [&](long r, float* acc) {
    const float* row = x + r * channels;
    for (long c = 0; c < channels; ++c) acc[c] += row[c];
  });
  for (long c = 0; c < channels; ++c) mean[c] = static_cast<float>(sums[c] / static_cast<double>(rows));
  // Centred second pass: no cancellation when the mean is large against the spread.
  const std::vector<double> squares = channel_sums(rows, channels, [&](long r, float* acc) {
    const float* row = x + r * channels;
    for (long c = 0; c < channels; ++c) {
      const float d = row[c] - mean[c];
      acc[c] += d * d;
    }
  });
  for (long c = 0; c < channels; ++c) variance[c] = static_cast<float>(squares[c] / static_cast<double>(rows));
}

void channel_affine2(const float* u, const float* v, long rows, long channels, const float* a, const float* b,
                     const float* d, float* out) {
  parallel_for(rows, std::max<long>(1, kGrain / std::max<long>(channels, 1)), [&](long begin, long end, int) {
    for (long r = begin; r < end; ++r) {
      const float* ur = u + r * channels;
      const float* vr = v + r * channels;
      float* o = out + r * channels;
      for (long c = 0; c < channels; ++c) o[c] = a[c] * ur[c] + b[c] * vr[c] + d[c];
    }
  });
}


void softmax(const float* x, long rows, long cols, float* y) {
  parallel_for(rows, std::max<long>(1, kGrain / std::max<long>(cols, 1)), [&](long begin, long end, int) {
    for (long r = begin; r < end; ++r) {
      const float* in = x + r * cols;
      float* out = y + r * cols;
      float m = -INFINITY;
      for (long c = 0; c < cols; ++c) m = std::max(m, in[c]);
      float sum = 0.0f;
      for (long c = 0; c < cols; ++c) {
        out[c] = exp_approx(in[c] - m);
        sum += out[c];
      }
      const float inv = 1.0f / sum;
      for (long c = 0; c < cols; ++c) out[c] *= inv;
    }
  });
}

void softmax_grad(const float* dy, const float* y, long rows, long cols, float* dx) {
  parallel_for(rows, std::max<long>(1, kGrain / std::max<long>(cols, 1)), [&](long begin, long end, int) {
    for (long r = begin; r < end; ++r) {
      const float* d = dy + r * cols;
      const float* yr = y + r * cols;
      float* out = dx + r * cols;
      float dot = 0.0f;
      for (long c = 0; c < cols; ++c) dot += d[c] * yr[c];
      for (long c = 0; c < cols; ++c) out[c] = yr[c] * (d[c] - dot);
    }
  });
}

void concat(const std::vector<const float*>& inputs, const std::vector<long>& widths, long outer, float* out) {
  long total = 0;
  for (long w : widths) total += w;
  if (total == 0) return;
  parallel_for(outer, std::max<long>(1, kGrain / total), [&](long begin, long end, int) {
    for (long r = begin; r < end; ++r) {
      float* dst = out + r * total;
      for (size_t i = 0; i < inputs.size(); ++i) {
        std::memcpy(dst, inputs[i] + r * widths[i], sizeof(float) * widths[i]);
        dst += widths[i];
      }
    }
  });
}

}  // namespace egfr
