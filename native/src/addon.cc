// Node-API bindings. Every entry point takes the backend's Float32Arrays (no copies) plus an Int32Array of sizes,
// checks that each array is large enough for those sizes, and throws a TypeError/RangeError otherwise.
#include <node_api.h>

#include <string>

#include "conv.h"
#include "elementwise.h"
#include "gemm.h"
#include "threadpool.h"

namespace {

using egfr::Activation;
using egfr::ConvGeom;

struct Args {
  napi_env env;
  size_t argc = 10;
  napi_value argv[10];
  void* data = nullptr;  // what the binding was registered with
  bool failed = false;

  Args(napi_env e, napi_callback_info info) : env(e) { napi_get_cb_info(env, info, &argc, argv, nullptr, &data); }

  void fail(const std::string& message) {
    if (!failed) napi_throw_range_error(env, nullptr, message.c_str());
    failed = true;
  }

  bool is_null(size_t i) {
    napi_valuetype t;
    return i >= argc || napi_typeof(env, argv[i], &t) != napi_ok || t == napi_null || t == napi_undefined;
  }

  // Whether `value` is a typed array of type `want` (its data and element count in `data` and `length`, where an
  // empty array may have null data); otherwise fails with `message`.
  bool typed(napi_value value, napi_typedarray_type want, void*& data, size_t& length, const std::string& message) {
    data = nullptr;
    length = 0;
    if (failed) return false;
    bool is_typed = false;
    napi_typedarray_type type;
    if (value == nullptr || napi_is_typedarray(env, value, &is_typed) != napi_ok || !is_typed ||
        napi_get_typedarray_info(env, value, &type, &length, &data, nullptr, nullptr) != napi_ok || type != want) {
      fail(message);
      return false;
    }
    return true;
  }

  napi_value arg(size_t i) { return i < argc ? argv[i] : nullptr; }

  // The element count of typed-array argument i (0 when it is null or not a typed array).
  long length(size_t i) {
    size_t n = 0;
    if (!is_null(i)) napi_get_typedarray_info(env, argv[i], nullptr, &n, nullptr, nullptr, nullptr);
    return static_cast<long>(n);
  }

  // A Float32Array argument with at least `need` elements (or null when optional).
  float* floats(size_t i, long need, const char* name, bool optional = false) {
    if (failed || (optional && is_null(i))) return nullptr;
    void* data;
    size_t length;
    if (!typed(arg(i), napi_float32_array, data, length, std::string(name) + " must be a Float32Array")) return nullptr;
    if (static_cast<long>(length) < need) {
      fail(std::string(name) + " has " + std::to_string(length) + " elements, needs " + std::to_string(need));
      return nullptr;
    }
    return static_cast<float*>(data);
  }

  // A Float32Array argument of whole rows of `cols` values, at least `min_rows` of them; `rows` receives how many.
  float* rows_of(size_t i, long cols, long min_rows, const char* name, long& rows) {
    rows = 0;
    if (!failed && cols <= 0) fail(std::string(name) + ": the row width (channels) must be positive");
    float* data = floats(i, min_rows * cols, name);
    if (failed) return nullptr;
    if (length(i) % cols != 0) {
      fail(std::string(name) + " size is not a multiple of the row width (channels)");
      return nullptr;
    }
    rows = length(i) / cols;
    return data;
  }

  const int* ints(size_t i, size_t need, const char* name) {
    const std::string message = std::string(name) + " must be an Int32Array of " + std::to_string(need) + " sizes";
    void* data;
    size_t length;
    if (!typed(arg(i), napi_int32_array, data, length, message)) return nullptr;
    if (length < need) {
      fail(message);
      return nullptr;
    }
    return static_cast<const int*>(data);
  }

  // An Int32Array of sizes (each >= 0) as a Shape.
  bool shape(size_t i, egfr::Shape& out, const char* name) {
    void* data;
    size_t length;
    if (!typed(arg(i), napi_int32_array, data, length, std::string(name) + " must be an Int32Array")) return false;
    const int* p = static_cast<const int*>(data);
    out.assign(p, p + length);
    for (long v : out)
      if (v < 0) {
        fail(std::string(name) + " has a negative size");
        return false;
      }
    return true;
  }

  double number(size_t i, double fallback) {
    double v = fallback;
    if (i < argc) napi_get_value_double(env, argv[i], &v);
    return v;
  }
};

// geom = [n,h,w,c, kh,kw,co, oh,ow, sh,sw, dh,dw, pt,pl]
bool read_geom(Args& args, size_t i, ConvGeom& g) {
  const int* p = args.ints(i, 15, "geometry");
  if (p == nullptr) return false;
  g = ConvGeom{p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7], p[8], p[9], p[10], p[11], p[12], p[13], p[14]};
  for (int k = 0; k < 13; ++k)
    if (p[k] <= 0) {
      args.fail("geometry sizes must be positive");
      return false;
    }
  return true;
}

Activation read_activation(Args& args, size_t i) {
  double a = args.number(i, 0);
  if (a < 0 || a > 5) {
    args.fail("unknown activation code");
    return Activation::kLinear;
  }
  return static_cast<Activation>(static_cast<int>(a));
}

napi_value undefined(napi_env env) {
  napi_value u;
  napi_get_undefined(env, &u);
  return u;
}

// The sizes a conv-family array needs, from the geometry (for depthwise kernels co is the channel multiplier).
using Size = long (*)(const ConvGeom&);
long input_size(const ConvGeom& g) { return g.n * g.h * g.w * g.c; }
long filter_size(const ConvGeom& g) { return g.kh * g.kw * g.c * g.co; }
long conv_channels(const ConvGeom& g) { return g.co; }
long depthwise_channels(const ConvGeom& g) { return g.c * g.co; }
long conv_output_size(const ConvGeom& g) { return g.n * g.oh * g.ow * g.co; }
long depthwise_output_size(const ConvGeom& g) { return g.n * g.oh * g.ow * g.c * g.co; }
long pool_output_size(const ConvGeom& g) { return g.n * g.oh * g.ow * g.c; }

struct Operand {
  const char* name;
  Size size;
  bool optional = false;
};

// The conv-family bindings: N Float32Arrays whose sizes follow from the geometry, which comes right after them
// (then any scalars). `run` gets the checked arrays; it may fail on its scalars.
template <size_t N, typename Run>
napi_value with_geometry(Args& a, const Operand (&operands)[N], Run run) {
  ConvGeom g;
  if (!read_geom(a, N, g)) return nullptr;
  float* arrays[N];
  for (size_t i = 0; i < N; ++i) arrays[i] = a.floats(i, operands[i].size(g), operands[i].name, operands[i].optional);
  if (a.failed) return nullptr;
  run(g, arrays);
  return a.failed ? nullptr : undefined(a.env);
}

// A convolution with fused bias and activation: (x, w, bias|null, y, geom, activation, alpha).
struct ForwardOp {
  Size channels, output;
  void (*kernel)(const ConvGeom&, const float*, const float*, const float*, Activation, float, float*);
};

// A gradient (or another kernel of two inputs and an output): (a, b, out, geom).
struct GradientOp {
  Operand a, b, out;
  void (*kernel)(const ConvGeom&, const float*, const float*, float*);
};

const ForwardOp kConv2d{conv_channels, conv_output_size, egfr::conv2d};
const ForwardOp kDepthwiseConv2d{depthwise_channels, depthwise_output_size, egfr::depthwise_conv2d};
const GradientOp kConv2dBackpropInput{
    {"dy", conv_output_size}, {"filter", filter_size}, {"dx", input_size}, egfr::conv2d_backprop_input};
const GradientOp kConv2dBackpropFilter{
    {"x", input_size}, {"dy", conv_output_size}, {"dw", filter_size}, egfr::conv2d_backprop_filter};
const GradientOp kDepthwiseBackpropInput{
    {"dy", depthwise_output_size}, {"filter", filter_size}, {"dx", input_size}, egfr::depthwise_backprop_input};
const GradientOp kDepthwiseBackpropFilter{
    {"x", input_size}, {"dy", depthwise_output_size}, {"dw", filter_size}, egfr::depthwise_backprop_filter};
const GradientOp kMaxPoolGrad{{"x", input_size}, {"dy", pool_output_size}, {"dx", input_size}, egfr::max_pool_grad};

napi_value FusedForward(napi_env env, napi_callback_info info) {
  Args a(env, info);
  const auto& op = *static_cast<const ForwardOp*>(a.data);
  return with_geometry(a, {{"x", input_size}, {"filter", filter_size}, {"bias", op.channels, true}, {"y", op.output}},
                       [&](const ConvGeom& g, float* const* p) {
                         const Activation act = read_activation(a, 5);
                         if (!a.failed) op.kernel(g, p[0], p[1], p[2], act, static_cast<float>(a.number(6, 0)), p[3]);
                       });
}

napi_value Gradient(napi_env env, napi_callback_info info) {
  Args a(env, info);
  const auto& op = *static_cast<const GradientOp*>(a.data);
  return with_geometry(a, {op.a, op.b, op.out},
                       [&](const ConvGeom& g, float* const* p) { op.kernel(g, p[0], p[1], p[2]); });
}

// maxPool(x, y, geom)
napi_value MaxPool(napi_env env, napi_callback_info info) {
  Args a(env, info);
  return with_geometry(a, {{"x", input_size}, {"y", pool_output_size}},
                       [](const ConvGeom& g, float* const* p) { egfr::max_pool(g, p[0], p[1]); });
}

// matmul(a, b, bias|null, c, dims=[batchA, batchB, m, n, k, transA, transB], activation, alpha):
// c[i] = act(op(a[i % batchA]) x op(b[i % batchB]) + bias) for i < max(batchA, batchB); bias has n elements.
napi_value MatMul(napi_env env, napi_callback_info info) {
  Args a(env, info);
  const int* d = a.ints(4, 7, "dims");
  if (d == nullptr) return nullptr;
  const long ba = d[0], bb = d[1], m = d[2], n = d[3], k = d[4];
  const bool ta = d[5] != 0, tb = d[6] != 0;
  if (ba <= 0 || bb <= 0 || m < 0 || n < 0 || k < 0 || (ba != bb && ba != 1 && bb != 1)) {
    a.fail("bad matmul sizes");
    return nullptr;
  }
  const long batch = ba > bb ? ba : bb;
  const float* av = a.floats(0, ba * m * k, "a");
  const float* bv = a.floats(1, bb * k * n, "b");
  const float* bias = a.floats(2, n, "bias", true);
  float* cv = a.floats(3, batch * m * n, "c");
  Activation act = read_activation(a, 5);
  if (a.failed) return nullptr;
  const float alpha = static_cast<float>(a.number(6, 0));
  for (long i = 0; i < batch; ++i) {
    const float* ai = av + (ba == 1 ? 0 : i) * m * k;
    const float* bi = bv + (bb == 1 ? 0 : i) * k * n;
    egfr::StridedPacker pa(ai, ta ? 1 : k, ta ? m : 1);
    float* ci = cv + i * m * n;
    egfr::gemm(m, n, k, pa, bi, tb ? 1 : n, tb ? k : 1, ci, n, false);
    if (bias != nullptr || act != Activation::kLinear) egfr::bias_activation(ci, m, n, bias, act, alpha);
  }
  return undefined(env);
}

long product(const egfr::Shape& s) {
  long p = 1;
  for (long v : s) p *= v;
  return p;
}

// binary(op, a, aShape, b, bShape, out, outShape)
napi_value Binary(napi_env env, napi_callback_info info) {
  Args a(env, info);
  egfr::Shape as, bs, os;
  if (!a.shape(2, as, "aShape") || !a.shape(4, bs, "bShape") || !a.shape(6, os, "outShape")) return nullptr;
  const double op = a.number(0, -1);
  if (op < 0 || op > 7 || as.size() > os.size() || bs.size() > os.size()) {
    a.fail("bad binary op or ranks");
    return nullptr;
  }
  for (size_t i = 0; i < os.size(); ++i) {
    const long da = i + as.size() >= os.size() ? as[i + as.size() - os.size()] : 1;
    const long db = i + bs.size() >= os.size() ? bs[i + bs.size() - os.size()] : 1;
    if ((da != 1 && da != os[i]) || (db != 1 && db != os[i])) {
      a.fail("shapes do not broadcast to the output shape");
      return nullptr;
    }
  }
  const float* x = a.floats(1, product(as), "a");
  const float* y = a.floats(3, product(bs), "b");
  float* out = a.floats(5, product(os), "out");
  if (a.failed) return nullptr;
  egfr::binary(static_cast<egfr::BinaryOp>(static_cast<int>(op)), x, as, y, bs, out, os);
  return undefined(env);
}

// unary(op, x, out, alpha)
napi_value Unary(napi_env env, napi_callback_info info) {
  Args a(env, info);
  const double op = a.number(0, -1);
  if (op < 0 || op > 15) {
    a.fail("bad unary op");
    return nullptr;
  }
  const float* x = a.floats(1, 0, "x");
  const long n = a.length(1);
  float* out = a.floats(2, n, "out");
  if (a.failed) return nullptr;
  egfr::unary(static_cast<egfr::UnaryOp>(static_cast<int>(op)), x, out, n, static_cast<float>(a.number(3, 0)));
  return undefined(env);
}

// reduce(op, x, shape, reducedFlags, out) -> false when the axes need the generic (cpu) path
napi_value Reduce(napi_env env, napi_callback_info info) {
  Args a(env, info);
  egfr::Shape shape, flags;
  if (!a.shape(2, shape, "shape") || !a.shape(3, flags, "reduced")) return nullptr;
  const double op = a.number(0, -1);
  if (op < 0 || op > 3 || flags.size() != shape.size()) {
    a.fail("bad reduce op or axis flags");
    return nullptr;
  }
  std::vector<bool> reduced(shape.size());
  long out_size = 1;
  for (size_t i = 0; i < shape.size(); ++i) {
    reduced[i] = flags[i] != 0;
    if (!reduced[i]) out_size *= shape[i];
  }
  const float* x = a.floats(1, product(shape), "x");
  float* out = a.floats(4, out_size, "out");
  if (a.failed) return nullptr;
  napi_value result;
  napi_get_boolean(env, egfr::reduce(static_cast<egfr::ReduceOp>(static_cast<int>(op)), x, shape, reduced, out),
                   &result);
  return result;
}

// slice(x, shape, begin, size, out)
napi_value Slice(napi_env env, napi_callback_info info) {
  Args a(env, info);
  egfr::Shape shape, begin, size;
  if (!a.shape(1, shape, "shape") || !a.shape(2, begin, "begin") || !a.shape(3, size, "size")) return nullptr;
  if (begin.size() != shape.size() || size.size() != shape.size()) {
    a.fail("slice begin/size rank differs from the shape");
    return nullptr;
  }
  for (size_t i = 0; i < shape.size(); ++i)
    if (begin[i] + size[i] > shape[i]) {
      a.fail("slice out of range");
      return nullptr;
    }
  const float* x = a.floats(0, product(shape), "x");
  float* out = a.floats(4, product(size), "out");
  if (a.failed) return nullptr;
  egfr::slice(x, shape, begin, size, out);
  return undefined(env);
}

// tile(x, shape, reps, out)
napi_value Tile(napi_env env, napi_callback_info info) {
  Args a(env, info);
  egfr::Shape shape, reps;
  if (!a.shape(1, shape, "shape") || !a.shape(2, reps, "reps")) return nullptr;
  if (reps.size() != shape.size()) {
    a.fail("reps rank differs from the shape");
    return nullptr;
  }
  long total = 1;
  for (size_t i = 0; i < shape.size(); ++i) total *= shape[i] * reps[i];
  const float* x = a.floats(0, product(shape), "x");
  float* out = a.floats(3, total, "out");
  if (a.failed) return nullptr;
  egfr::tile(x, shape, reps, out);
  return undefined(env);
}

// transpose(x, shape, perm, out)
napi_value Transpose(napi_env env, napi_callback_info info) {
  Args a(env, info);
  egfr::Shape shape, perm;
  if (!a.shape(1, shape, "shape") || !a.shape(2, perm, "perm")) return nullptr;
  std::vector<int> p(perm.begin(), perm.end());
  std::vector<bool> seen(shape.size(), false);
  bool valid = perm.size() == shape.size();
  for (size_t i = 0; valid && i < p.size(); ++i) {
    valid = p[i] >= 0 && static_cast<size_t>(p[i]) < shape.size() && !seen[p[i]];
    if (valid) seen[p[i]] = true;
  }
  if (!valid) {
    a.fail("perm is not a permutation of the axes");
    return nullptr;
  }
  const float* x = a.floats(0, product(shape), "x");
  float* out = a.floats(3, product(shape), "out");
  if (a.failed) return nullptr;
  egfr::transpose(x, shape, p, out);
  return undefined(env);
}

// batchNorm(x, channels, mean, variance, offset|null, scale|null, eps, y)
napi_value BatchNorm(napi_env env, napi_callback_info info) {
  Args a(env, info);
  const long channels = static_cast<long>(a.number(1, 0));
  long rows;
  const float* x = a.rows_of(0, channels, 1, "x", rows);
  const float* mean = a.floats(2, 1, "mean");
  const float* variance = a.floats(3, 1, "variance");
  const float* offset = a.floats(4, 1, "offset", true);
  const float* scale = a.floats(5, 1, "scale", true);
  float* y = a.floats(7, rows * channels, "y");
  for (size_t i : {2, 3, 4, 5}) {
    const long n = a.length(i);
    if (!a.failed && !a.is_null(i) && n != 1 && n != channels) a.fail("statistics must have 1 or `channels` values");
  }
  if (a.failed) return nullptr;
  egfr::batch_norm(x, rows, channels, mean, a.length(2), variance, a.length(3), offset, a.length(4), scale,
                   a.length(5), static_cast<float>(a.number(6, 0.001)), y);
  return undefined(env);
}

// batchNormGradStats(x, dy, channels, mean, s1, s2)
napi_value BatchNormGradStats(napi_env env, napi_callback_info info) {
  Args a(env, info);
  const long channels = static_cast<long>(a.number(2, 0));
  long rows;
  const float* x = a.rows_of(0, channels, 1, "x", rows);
  const float* dy = a.floats(1, rows * channels, "dy");
  const float* mean = a.floats(3, channels, "mean");
  float* s1 = a.floats(4, channels, "s1");
  float* s2 = a.floats(5, channels, "s2");
  if (a.failed) return nullptr;
  egfr::batch_norm_grad_stats(x, dy, rows, channels, mean, s1, s2);
  return undefined(env);
}

// channelMoments(x, channels, mean, variance)
napi_value ChannelMoments(napi_env env, napi_callback_info info) {
  Args a(env, info);
  const long channels = static_cast<long>(a.number(1, 0));
  long rows;
  const float* x = a.rows_of(0, channels, 1, "x", rows);
  float* mean = a.floats(2, channels, "mean");
  float* variance = a.floats(3, channels, "variance");
  if (a.failed) return nullptr;
  egfr::channel_moments(x, rows, channels, mean, variance);
  return undefined(env);
}

// channelAffine2(u, v, channels, a, b, d, out): out = a*u + b*v + d per channel
napi_value ChannelAffine2(napi_env env, napi_callback_info info) {
  Args a(env, info);
  const long channels = static_cast<long>(a.number(2, 0));
  long rows;
  const float* u = a.rows_of(0, channels, 1, "u", rows);
  const float* v = a.floats(1, rows * channels, "v");
  const float* ca = a.floats(3, channels, "a");
  const float* cb = a.floats(4, channels, "b");
  const float* cd = a.floats(5, channels, "d");
  float* out = a.floats(6, rows * channels, "out");
  if (a.failed) return nullptr;
  egfr::channel_affine2(u, v, rows, channels, ca, cb, cd, out);
  return undefined(env);
}

// softmax(x, cols, y) over rows of cols values; softmaxGrad(dy, y, cols, dx)
napi_value Softmax(napi_env env, napi_callback_info info) {
  Args a(env, info);
  const long cols = static_cast<long>(a.number(1, 0));
  long rows;
  const float* x = a.rows_of(0, cols, 0, "x", rows);
  float* y = a.floats(2, rows * cols, "y");
  if (a.failed) return nullptr;
  egfr::softmax(x, rows, cols, y);
  return undefined(env);
}

napi_value SoftmaxGrad(napi_env env, napi_callback_info info) {
  Args a(env, info);
  const long cols = static_cast<long>(a.number(2, 0));
  long rows;
  const float* dy = a.rows_of(0, cols, 0, "dy", rows);
  const float* y = a.floats(1, rows * cols, "y");
  float* dx = a.floats(3, rows * cols, "dx");
  if (a.failed) return nullptr;
  egfr::softmax_grad(dy, y, rows, cols, dx);
  return undefined(env);
}

// concat(inputs: Float32Array[], widths: Int32Array, outer, out)
napi_value Concat(napi_env env, napi_callback_info info) {
  Args a(env, info);
  egfr::Shape widths;
  if (!a.shape(1, widths, "widths")) return nullptr;
  const long outer = static_cast<long>(a.number(2, -1));
  bool is_array = false;
  uint32_t count = 0;
  if (outer < 0 || napi_is_array(env, a.argv[0], &is_array) != napi_ok || !is_array ||
      napi_get_array_length(env, a.argv[0], &count) != napi_ok || count != widths.size()) {
    a.fail("concat needs an array of inputs, one width each, and outer >= 0");
    return nullptr;
  }
  std::vector<const float*> inputs(count);
  long total = 0;
  for (uint32_t i = 0; i < count; ++i) {
    const std::string message = "concat input " + std::to_string(i) + " is not a Float32Array of outer * width values";
    napi_value item = nullptr;
    napi_get_element(env, a.argv[0], i, &item);
    void* data;
    size_t n;
    if (!a.typed(item, napi_float32_array, data, n, message)) return nullptr;
    inputs[i] = static_cast<const float*>(data);
    if (static_cast<long>(n) < outer * widths[i]) {
      a.fail(message);
      return nullptr;
    }
    total += widths[i];
  }
  float* out = a.floats(3, outer * total, "out");
  if (a.failed) return nullptr;
  egfr::concat(inputs, widths, outer, out);
  return undefined(env);
}

napi_value Info(napi_env env, napi_callback_info) {
  napi_value result, isa, threads;
  napi_create_object(env, &result);
  napi_create_string_utf8(env, egfr::isa_name(), NAPI_AUTO_LENGTH, &isa);
  napi_create_int32(env, egfr::ThreadPool::instance().size(), &threads);
  napi_set_named_property(env, result, "isa", isa);
  napi_set_named_property(env, result, "threads", threads);
  return result;
}

napi_property_descriptor method(const char* name, napi_callback callback, const void* data = nullptr) {
  return {name, nullptr, callback, nullptr, nullptr, nullptr, napi_default, const_cast<void*>(data)};
}

napi_value Init(napi_env env, napi_value exports) {
  const napi_property_descriptor props[] = {
      method("info", Info),
      method("conv2d", FusedForward, &kConv2d),
      method("conv2dBackpropInput", Gradient, &kConv2dBackpropInput),
      method("conv2dBackpropFilter", Gradient, &kConv2dBackpropFilter),
      method("depthwiseConv2d", FusedForward, &kDepthwiseConv2d),
      method("depthwiseBackpropInput", Gradient, &kDepthwiseBackpropInput),
      method("depthwiseBackpropFilter", Gradient, &kDepthwiseBackpropFilter),
      method("maxPool", MaxPool),
      method("maxPoolGrad", Gradient, &kMaxPoolGrad),
      method("matMul", MatMul),
      method("binary", Binary),
      method("unary", Unary),
      method("reduce", Reduce),
      method("slice", Slice),
      method("tile", Tile),
      method("transpose", Transpose),
      method("batchNorm", BatchNorm),
      method("concat", Concat),
      method("softmax", Softmax),
      method("softmaxGrad", SoftmaxGrad),
      method("batchNormGradStats", BatchNormGradStats),
      method("channelMoments", ChannelMoments),
      method("channelAffine2", ChannelAffine2),
  };
  napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props);
  return exports;
}

}  // namespace

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
