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
  bool failed = false;

  Args(napi_env e, napi_callback_info info) : env(e) { napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr); }

  void fail(const std::string& message) {
    if (!failed) napi_throw_range_error(env, nullptr, message.c_str());
    failed = true;
  }

  bool is_null(size_t i) {
    napi_valuetype t;
    return i >= argc || napi_typeof(env, argv[i], &t) != napi_ok || t == napi_null || t == napi_undefined;
  }

  // A Float32Array argument with at least `need` elements (or null when optional).
  float* floats(size_t i, long need, const char* name, bool optional = false) {
    if (failed) return nullptr;
    if (optional && is_null(i)) return nullptr;
    bool is_typed = false;
    if (i >= argc || napi_is_typedarray(env, argv[i], &is_typed) != napi_ok || !is_typed) {
      fail(std::string(name) + " must be a Float32Array");
      return nullptr;
    }
    napi_typedarray_type type;
    size_t length;
    void* data;
    napi_get_typedarray_info(env, argv[i], &type, &length, &data, nullptr, nullptr);
    if (type != napi_float32_array) {
      fail(std::string(name) + " must be a Float32Array");
      return nullptr;
    }
    if (static_cast<long>(length) < need) {
      fail(std::string(name) + " has " + std::to_string(length) + " elements, needs " + std::to_string(need));
      return nullptr;
    }
    return static_cast<float*>(data);
  }

  const int* ints(size_t i, size_t need, const char* name) {
    if (failed) return nullptr;
    bool is_typed = false;
    if (i >= argc || napi_is_typedarray(env, argv[i], &is_typed) != napi_ok || !is_typed) {
      fail(std::string(name) + " must be an Int32Array");
      return nullptr;
    }
    napi_typedarray_type type;
    size_t length;
    void* data;
    napi_get_typedarray_info(env, argv[i], &type, &length, &data, nullptr, nullptr);
    if (type != napi_int32_array || length < need) {
      fail(std::string(name) + " must be an Int32Array of " + std::to_string(need) + " sizes");
      return nullptr;
    }
    return static_cast<const int*>(data);
  }

  // An Int32Array of sizes (each >= 0) as a Shape.
  bool shape(size_t i, egfr::Shape& out, const char* name) {
    if (failed) return false;
    bool is_typed = false;
    if (i >= argc || napi_is_typedarray(env, argv[i], &is_typed) != napi_ok || !is_typed) {
      fail(std::string(name) + " must be an Int32Array");
      return false;
    }
    napi_typedarray_type type;
    size_t length;
    void* data;
    napi_get_typedarray_info(env, argv[i], &type, &length, &data, nullptr, nullptr);
    if (type != napi_int32_array) {
      fail(std::string(name) + " must be an Int32Array");
      return false;
    }
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

long in_size(const ConvGeom& g) { return g.n * g.h * g.w * g.c; }
long out_size(const ConvGeom& g, long channels) { return g.n * g.oh * g.ow * channels; }

napi_value undefined(napi_env env) {
  napi_value u;
  napi_get_undefined(env, &u);
  return u;
}

// conv2d(x, w, bias|null, y, geom, activation, alpha)
napi_value Conv2d(napi_env env, napi_callback_info info) {
  Args a(env, info);
  ConvGeom g;
  if (!read_geom(a, 4, g)) return nullptr;
  const float* x = a.floats(0, in_size(g), "x");
  const float* w = a.floats(1, g.kh * g.kw * g.c * g.co, "filter");
  const float* bias = a.floats(2, g.co, "bias", true);
  float* y = a.floats(3, out_size(g, g.co), "y");
  Activation act = read_activation(a, 5);
  if (a.failed) return nullptr;
  egfr::conv2d(g, x, w, bias, act, static_cast<float>(a.number(6, 0)), y);
  return undefined(env);
}

// conv2dBackpropInput(dy, w, dx, geom)
napi_value Conv2dBackpropInput(napi_env env, napi_callback_info info) {
  Args a(env, info);
  ConvGeom g;
  if (!read_geom(a, 3, g)) return nullptr;
  const float* dy = a.floats(0, out_size(g, g.co), "dy");
  const float* w = a.floats(1, g.kh * g.kw * g.c * g.co, "filter");
  float* dx = a.floats(2, in_size(g), "dx");
  if (a.failed) return nullptr;
  egfr::conv2d_backprop_input(g, dy, w, dx);
  return undefined(env);
}

// conv2dBackpropFilter(x, dy, dw, geom)
napi_value Conv2dBackpropFilter(napi_env env, napi_callback_info info) {
  Args a(env, info);
  ConvGeom g;
  if (!read_geom(a, 3, g)) return nullptr;
  const float* x = a.floats(0, in_size(g), "x");
  const float* dy = a.floats(1, out_size(g, g.co), "dy");
  float* dw = a.floats(2, g.kh * g.kw * g.c * g.co, "dw");
  if (a.failed) return nullptr;
  egfr::conv2d_backprop_filter(g, x, dy, dw);
  return undefined(env);
}

// depthwiseConv2d(x, w, bias|null, y, geom (co = channel multiplier), activation, alpha)
napi_value DepthwiseConv2d(napi_env env, napi_callback_info info) {
  Args a(env, info);
  ConvGeom g;
  if (!read_geom(a, 4, g)) return nullptr;
  const float* x = a.floats(0, in_size(g), "x");
  const float* w = a.floats(1, g.kh * g.kw * g.c * g.co, "filter");
  const float* bias = a.floats(2, g.c * g.co, "bias", true);
  float* y = a.floats(3, out_size(g, g.c * g.co), "y");
  Activation act = read_activation(a, 5);
  if (a.failed) return nullptr;
  egfr::depthwise_conv2d(g, x, w, bias, act, static_cast<float>(a.number(6, 0)), y);
  return undefined(env);
}

napi_value DepthwiseBackpropInput(napi_env env, napi_callback_info info) {
  Args a(env, info);
  ConvGeom g;
  if (!read_geom(a, 3, g)) return nullptr;
  const float* dy = a.floats(0, out_size(g, g.c * g.co), "dy");
  const float* w = a.floats(1, g.kh * g.kw * g.c * g.co, "filter");
  float* dx = a.floats(2, in_size(g), "dx");
  if (a.failed) return nullptr;
  egfr::depthwise_backprop_input(g, dy, w, dx);
  return undefined(env);
}

napi_value DepthwiseBackpropFilter(napi_env env, napi_callback_info info) {
  Args a(env, info);
  ConvGeom g;
  if (!read_geom(a, 3, g)) return nullptr;
  const float* x = a.floats(0, in_size(g), "x");
  const float* dy = a.floats(1, out_size(g, g.c * g.co), "dy");
  float* dw = a.floats(2, g.kh * g.kw * g.c * g.co, "dw");
  if (a.failed) return nullptr;
  egfr::depthwise_backprop_filter(g, x, dy, dw);
  return undefined(env);
}

// maxPool(x, y, geom)
napi_value MaxPool(napi_env env, napi_callback_info info) {
  Args a(env, info);
  ConvGeom g;
  if (!read_geom(a, 2, g)) return nullptr;
  const float* x = a.floats(0, in_size(g), "x");
  float* y = a.floats(1, out_size(g, g.c), "y");
  if (a.failed) return nullptr;
  egfr::max_pool(g, x, y);
  return undefined(env);
}

// maxPoolGrad(x, dy, dx, geom)
napi_value MaxPoolGrad(napi_env env, napi_callback_info info) {
  Args a(env, info);
  ConvGeom g;
  if (!read_geom(a, 3, g)) return nullptr;
  const float* x = a.floats(0, in_size(g), "x");
  const float* dy = a.floats(1, out_size(g, g.c), "dy");
  float* dx = a.floats(2, in_size(g), "dx");
  if (a.failed) return nullptr;
  egfr::max_pool_grad(g, x, dy, dx);
  return undefined(env);
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
  if (x == nullptr) return nullptr;
  size_t length;
  napi_get_typedarray_info(env, a.argv[1], nullptr, &length, nullptr, nullptr, nullptr);
  float* out = a.floats(2, static_cast<long>(length), "out");
  if (a.failed) return nullptr;
  egfr::unary(static_cast<egfr::UnaryOp>(static_cast<int>(op)), x, out, static_cast<long>(length),
              static_cast<float>(a.number(3, 0)));
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
  if (channels <= 0) {
    a.fail("channels must be positive");
    return nullptr;
  }
  auto length = [&](size_t i) -> long {
    size_t n = 0;
    if (!a.is_null(i)) napi_get_typedarray_info(env, a.argv[i], nullptr, &n, nullptr, nullptr, nullptr);
    return static_cast<long>(n);
  };
  const float* x = a.floats(0, channels, "x");
  const long size = x == nullptr ? 0 : length(0);
  if (!a.failed && size % channels != 0) a.fail("x size is not a multiple of the channels");
  const float* mean = a.floats(2, 1, "mean");
  const float* variance = a.floats(3, 1, "variance");
  const float* offset = a.floats(4, 1, "offset", true);
  const float* scale = a.floats(5, 1, "scale", true);
  float* y = a.floats(7, size, "y");
  for (size_t i : {2, 3, 4, 5}) {
    const long n = length(i);
    if (!a.failed && !a.is_null(i) && n != 1 && n != channels) a.fail("statistics must have 1 or `channels` values");
  }
  if (a.failed) return nullptr;
  egfr::batch_norm(x, size / channels, channels, mean, length(2), variance, length(3), offset, length(4), scale,
                   length(5), static_cast<float>(a.number(6, 0.001)), y);
  return undefined(env);
}

// batchNormGradStats(x, dy, channels, mean, s1, s2)
napi_value BatchNormGradStats(napi_env env, napi_callback_info info) {
  Args a(env, info);
  const long channels = static_cast<long>(a.number(2, 0));
  if (channels <= 0) {
    a.fail("channels must be positive");
    return nullptr;
  }
  size_t n = 0;
  const float* x = a.floats(0, channels, "x");
  if (x != nullptr) napi_get_typedarray_info(env, a.argv[0], nullptr, &n, nullptr, nullptr, nullptr);
  const long size = static_cast<long>(n);
  if (!a.failed && size % channels != 0) a.fail("x size is not a multiple of the channels");
  const float* dy = a.floats(1, size, "dy");
  const float* mean = a.floats(3, channels, "mean");
  float* s1 = a.floats(4, channels, "s1");
  float* s2 = a.floats(5, channels, "s2");
  if (a.failed) return nullptr;
  egfr::batch_norm_grad_stats(x, dy, size / channels, channels, mean, s1, s2);
  return undefined(env);
}

// channelMoments(x, channels, mean, variance)
napi_value ChannelMoments(napi_env env, napi_callback_info info) {
  Args a(env, info);
  const long channels = static_cast<long>(a.number(1, 0));
  if (channels <= 0) {
    a.fail("channels must be positive");
    return nullptr;
  }
  size_t n = 0;
  const float* x = a.floats(0, channels, "x");
  if (x != nullptr) napi_get_typedarray_info(env, a.argv[0], nullptr, &n, nullptr, nullptr, nullptr);
  if (!a.failed && static_cast<long>(n) % channels != 0) a.fail("x size is not a multiple of the channels");
  float* mean = a.floats(2, channels, "mean");
  float* variance = a.floats(3, channels, "variance");
  if (a.failed) return nullptr;
  egfr::channel_moments(x, static_cast<long>(n) / channels, channels, mean, variance);
  return undefined(env);
}

// channelAffine2(u, v, channels, a, b, d, out): out = a*u + b*v + d per channel
napi_value ChannelAffine2(napi_env env, napi_callback_info info) {
  Args a(env, info);
  const long channels = static_cast<long>(a.number(2, 0));
  if (channels <= 0) {
    a.fail("channels must be positive");
    return nullptr;
  }
  size_t n = 0;
  const float* u = a.floats(0, channels, "u");
  if (u != nullptr) napi_get_typedarray_info(env, a.argv[0], nullptr, &n, nullptr, nullptr, nullptr);
  const long size = static_cast<long>(n);
  if (!a.failed && size % channels != 0) a.fail("u size is not a multiple of the channels");
  const float* v = a.floats(1, size, "v");
  const float* ca = a.floats(3, channels, "a");
  const float* cb = a.floats(4, channels, "b");
  const float* cd = a.floats(5, channels, "d");
  float* out = a.floats(6, size, "out");
  if (a.failed) return nullptr;
  egfr::channel_affine2(u, v, size / channels, channels, ca, cb, cd, out);
  return undefined(env);
}

// softmax(x, cols, y) over rows of cols values; softmaxGrad(dy, y, cols, dx)
napi_value Softmax(napi_env env, napi_callback_info info) {
  Args a(env, info);
  const long cols = static_cast<long>(a.number(1, 0));
  size_t n = 0;
  const float* x = a.floats(0, 0, "x");
  if (x != nullptr) napi_get_typedarray_info(env, a.argv[0], nullptr, &n, nullptr, nullptr, nullptr);
  if (!a.failed && (cols <= 0 || static_cast<long>(n) % cols != 0)) a.fail("x size is not a multiple of cols");
  float* y = a.floats(2, static_cast<long>(n), "y");
  if (a.failed) return nullptr;
  egfr::softmax(x, static_cast<long>(n) / cols, cols, y);
  return undefined(env);
}

napi_value SoftmaxGrad(napi_env env, napi_callback_info info) {
  Args a(env, info);
  const long cols = static_cast<long>(a.number(2, 0));
  size_t n = 0;
  const float* dy = a.floats(0, 0, "dy");
  if (dy != nullptr) napi_get_typedarray_info(env, a.argv[0], nullptr, &n, nullptr, nullptr, nullptr);
  if (!a.failed && (cols <= 0 || static_cast<long>(n) % cols != 0)) a.fail("dy size is not a multiple of cols");
  const float* y = a.floats(1, static_cast<long>(n), "y");
  float* dx = a.floats(3, static_cast<long>(n), "dx");
  if (a.failed) return nullptr;
  egfr::softmax_grad(dy, y, static_cast<long>(n) / cols, cols, dx);
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
    napi_value item;
    napi_get_element(env, a.argv[0], i, &item);
    bool typed = false;
    napi_typedarray_type type;
    size_t n = 0;
    void* data = nullptr;
    if (napi_is_typedarray(env, item, &typed) != napi_ok || !typed ||
        napi_get_typedarray_info(env, item, &type, &n, &data, nullptr, nullptr) != napi_ok ||
        type != napi_float32_array || static_cast<long>(n) < outer * widths[i]) {
      a.fail("concat input " + std::to_string(i) + " is not a Float32Array of outer * width values");
      return nullptr;
    }
    inputs[i] = static_cast<const float*>(data);
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

napi_value Init(napi_env env, napi_value exports) {
  const napi_property_descriptor props[] = {
      {"info", nullptr, Info, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"conv2d", nullptr, Conv2d, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"conv2dBackpropInput", nullptr, Conv2dBackpropInput, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"conv2dBackpropFilter", nullptr, Conv2dBackpropFilter, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"depthwiseConv2d", nullptr, DepthwiseConv2d, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"depthwiseBackpropInput", nullptr, DepthwiseBackpropInput, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"depthwiseBackpropFilter", nullptr, DepthwiseBackpropFilter, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"maxPool", nullptr, MaxPool, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"maxPoolGrad", nullptr, MaxPoolGrad, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"matMul", nullptr, MatMul, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"binary", nullptr, Binary, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"unary", nullptr, Unary, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"reduce", nullptr, Reduce, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"slice", nullptr, Slice, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"tile", nullptr, Tile, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"transpose", nullptr, Transpose, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"batchNorm", nullptr, BatchNorm, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"concat", nullptr, Concat, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"softmax", nullptr, Softmax, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"softmaxGrad", nullptr, SoftmaxGrad, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"batchNormGradStats", nullptr, BatchNormGradStats, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"channelMoments", nullptr, ChannelMoments, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"channelAffine2", nullptr, ChannelAffine2, nullptr, nullptr, nullptr, napi_default, nullptr},
  };
  napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props);
  return exports;
}

}  // namespace

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
