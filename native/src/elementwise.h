// Element-wise, reduction and data-movement kernels on dense row-major float32 arrays, with NumPy broadcasting.
#pragma once
#include <vector>

namespace egfr {

// kReluGrad: a where b > 0, else 0 (a = output gradient, b = the ReLU's input).
enum class BinaryOp { kAdd = 0, kSub = 1, kMul = 2, kDiv = 3, kMax = 4, kMin = 5, kSquaredDifference = 6, kReluGrad = 7 };
enum class UnaryOp {
  kRelu = 0, kStep = 1, kSquare = 2, kSqrt = 3, kExp = 4, kLog = 5, kNeg = 6, kAbs = 7, kRsqrt = 8,
  kReciprocal = 9, kSigmoid = 10, kTanh = 11, kLeakyRelu = 12, kElu = 13, kRelu6 = 14, kErf = 15
};
enum class ReduceOp { kSum = 0, kMean = 1, kMax = 2, kMin = 3 };

using Shape = std::vector<long>;

// out has the broadcast shape `out_shape`; a and b have shapes broadcastable to it (ranks may be lower).
void binary(BinaryOp op, const float* a, const Shape& a_shape, const float* b, const Shape& b_shape, float* out,
            const Shape& out_shape);
void unary(UnaryOp op, const float* x, float* out, long n, float alpha);
// Reduces x over the axes flagged in `reduced`; out is dense in the kept axes' order. Returns false when the
// reduced axes form a pattern other than [kept][reduced][kept] after merging neighbours (the caller falls back).
bool reduce(ReduceOp op, const float* x, const Shape& shape, const std::vector<bool>& reduced, float* out);
// out = x[begin : begin + size] for each axis.
void slice(const float* x, const Shape& shape, const Shape& begin, const Shape& size, float* out);
// out = tile(x, reps): out_shape[i] = shape[i] * reps[i].
void tile(const float* x, const Shape& shape, const Shape& reps, float* out);
// out = transpose(x, perm): out axis i is x axis perm[i].
void transpose(const float* x, const Shape& shape, const std::vector<int>& perm, float* out);

// Batch normalisation over the last axis: y = (x - mean) * scale / sqrt(variance + eps) + offset, where each of
// mean, variance, offset, scale has `channels` values or a single one (null offset = 0, null scale = 1).
void batch_norm(const float* x, long rows, long channels, const float* mean, long mean_n, const float* variance,
                long var_n, const float* offset, long offset_n, const float* scale, long scale_n, float eps, float* y);
// Per-channel sums for the batch-norm gradient, in one pass: s1 = sum(dy), s2 = sum(dy * (x - mean)).
void batch_norm_grad_stats(const float* x, const float* dy, long rows, long channels, const float* mean, float* s1,
                           float* s2);
// Per-channel batch mean and biased variance over all rows (two passes over x, accumulated in double).
void channel_moments(const float* x, long rows, long channels, float* mean, float* variance);
// out = a * u + b * v + d per channel (the batch-norm input gradient in one pass).
void channel_affine2(const float* u, const float* v, long rows, long channels, const float* a, const float* b,
                     const float* d, float* out);
// Softmax over rows of `cols` values, and its input gradient dx = y * (dy - sum(dy * y)) from the output y.
void softmax(const float* x, long rows, long cols, float* y);
void softmax_grad(const float* dy, const float* y, long rows, long cols, float* dx);
// Concatenation: input i is [outer, widths[i]] (row-major); out is [outer, sum(widths)].
void concat(const std::vector<const float*>& inputs, const std::vector<long>& widths, long outer, float* out);

}  // namespace egfr
