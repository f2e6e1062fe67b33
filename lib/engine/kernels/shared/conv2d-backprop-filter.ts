import * as tf from '@tensorflow/tfjs-core';
import { backend_util, type Conv2DBackpropFilterAttrs } from '@tensorflow/tfjs-core';
import { BackendError } from '../../../errors';
import { composedKernel, convWindow } from '../composed';

/**
 * Filter gradient of a 2D convolution, as one forward convolution (the backend's fastest kernel): the input
 * transposed to [Ci, H, W, N] and convolved with the output gradient transposed to [Ho, Wo, N, Co] as the filter,
 * stride 1 and dilation equal to the forward stride, gives [Ci, kh, kw, Co]. A 1x1 stride-1 conv is a plain matMul.
 */
export const conv2dBackpropFilter = composedKernel<Conv2DBackpropFilterAttrs>('Conv2DBackpropFilter', (inputs, attrs) => {
  const x = inputs.x as tf.Tensor4D;
  const dy = inputs.dy as tf.Tensor4D;
  if (attrs.dataFormat === 'NCHW') throw new BackendError('Conv2DBackpropFilter: only NHWC is supported');
  const info = backend_util.computeConv2DInfo(x.shape, attrs.filterShape, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode);
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw, outHeight: ho, outWidth: wo } = info;
  const [n, h, w, ci] = x.shape;
  const co = dy.shape[3];
  const { top, left } = info.padInfo;
  if (kh === 1 && kw === 1 && sh === 1 && sw === 1 && top === 0 && left === 0 && ho === h && wo === w) {
    // A pre-transposed matMul: wasm's transposeA matMul is an order of magnitude slower.
    const xT = tf.transpose(tf.reshape(x, [n * h * w, ci]));
    return tf.reshape(tf.matMul(xT, tf.reshape(dy, [n * h * w, co])), [1, 1, ci, co]);
  }
  // The padded input window that the forward pass read: exactly (ho - 1) * sh + kh rows.
  const needH = (ho - 1) * sh + kh;
  const needW = (wo - 1) * sw + kw;
  const [xc, pad] = convWindow(x, top, needH - top - h, left, needW - left - w);
  const g = tf.conv2d(
    tf.transpose(xc, [3, 1, 2, 0]) as tf.Tensor4D,
    tf.transpose(dy, [1, 2, 0, 3]) as tf.Tensor4D,
    1,
    pad,
    'NHWC',
    [sh, sw],
  );
  return tf.transpose(g, [1, 2, 0, 3]);
});
