import * as tf from '@tensorflow/tfjs-core';
import { backend_util, type Conv2DBackpropInputAttrs } from '@tensorflow/tfjs-core';
import { BackendError } from '../../../errors';
import { composedKernel, convWindow, dilateSpatial, padOrCrop4d } from '../composed';

/**
 * Input gradient of a 2D convolution (also the forward pass of a transposed convolution).
 * - kernel == stride without padding (the 2x2/s2 up-convolution): one matMul of the output gradient with the filter,
 *   then an interleaving reshape, since the windows do not overlap;
 * - otherwise: a stride-1 convolution of the output gradient (zero-dilated by the stride) with the spatially flipped,
 *   in/out-swapped filter and "full minus original" padding.
 */
export const conv2dBackpropInput = composedKernel<Conv2DBackpropInputAttrs>('Conv2DBackpropInput', (inputs, attrs) => {
  const dy = inputs.dy as tf.Tensor4D;
  const filter = inputs.filter as tf.Tensor4D;
  if (attrs.dataFormat === 'NCHW') throw new BackendError('Conv2DBackpropInput: only NHWC is supported');
  const info = backend_util.computeConv2DInfo(
    attrs.inputShape,
    filter.shape,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
  );
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw, outHeight: ho, outWidth: wo } = info;
  const [n, h, w, ci] = attrs.inputShape;
  const co = filter.shape[3];
  const { top, left } = info.padInfo;
  if (kh === sh && kw === sw && top === 0 && left === 0) {
    const wT = tf.reshape(tf.transpose(filter, [3, 0, 1, 2]), [co, kh * kw * ci]);
    const cols = tf.matMul(tf.reshape(dy, [n * ho * wo, co]), wT);
    const dx = tf.reshape(
      tf.transpose(tf.reshape(cols, [n, ho, wo, kh, kw, ci]), [0, 1, 3, 2, 4, 5]),
      [n, ho * kh, wo * kw, ci],
    ) as tf.Tensor4D;
    return padOrCrop4d(dx, 0, h - ho * kh, 0, w - wo * kw);
  }
  const dyd = dilateSpatial(dy, sh, sw);
  const hd = dyd.shape[1];
  const wd = dyd.shape[2];
  const [dyc, pad] = convWindow(dyd, kh - 1 - top, h + top - hd, kw - 1 - left, w + left - wd);
  const flipped = tf.transpose(tf.reverse(filter, [0, 1]), [0, 1, 3, 2]) as tf.Tensor4D;
  return tf.conv2d(dyc, flipped, 1, pad);
});
