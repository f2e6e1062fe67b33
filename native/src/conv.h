// 2D convolutions, NHWC input [n,h,w,c], filter [kh,kw,c,co] (TensorFlow layout), output [n,oh,ow,co].
#pragma once

namespace egfr {

struct ConvGeom {
  long n, h, w, c;     // input
  long kh, kw, co;     // filter (for depthwise: co is the channel multiplier)
  long oh, ow;         // output spatial size
  long sh, sw, dh, dw; // strides, dilations
  long pt, pl;         // padding before (top, left); the bottom/right padding follows from the output size
};

// Activations applied after the bias, as TensorFlow.js names them in fused kernels.
enum class Activation { kLinear = 0, kRelu = 1, kRelu6 = 2, kLeakyRelu = 3, kElu = 4, kSigmoid = 5 };

void conv2d(const ConvGeom& g, const float* x, const float* w, const float* bias, Activation act, float alpha,
            float* y);
void conv2d_backprop_input(const ConvGeom& g, const float* dy, const float* w, float* dx);
void conv2d_backprop_filter(const ConvGeom& g, const float* x, const float* dy, float* dw);

void depthwise_conv2d(const ConvGeom& g, const float* x, const float* w, const float* bias, Activation act,
                      float alpha, float* y);
void depthwise_backprop_input(const ConvGeom& g, const float* dy, const float* w, float* dx);
void depthwise_backprop_filter(const ConvGeom& g, const float* x, const float* dy, float* dw);

// In-place bias and activation on rows of `cols` channels.
void bias_activation(float* y, long rows, long cols, const float* bias, Activation act, float alpha);

// Pooling geometry reuses ConvGeom with co unused and kh/kw the window.
void max_pool(const ConvGeom& g, const float* x, float* y);
void max_pool_grad(const ConvGeom& g, const float* x, const float* dy, float* dx);

}  // namespace egfr
