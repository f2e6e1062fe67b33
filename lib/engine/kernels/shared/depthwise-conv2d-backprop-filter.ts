import * as tf from '@tensorflow/tfjs-core';
import { backend_util, type DepthwiseConv2dNativeBackpropFilterAttrs } from '@tensorflow/tfjs-core';
import { BackendError } from '../../../errors';
import { composedKernel, padOrCrop4d, pair } from '../composed';

/**
 * Filter gradient of a depthwise 2D convolution: for each filter tap, the input window that tap saw (a strided slice
 * of the padded input) times the output gradient, summed over batch and space. kh * kw fused passes; the depthwise
 * filters of the models are 3x3, so this stays cheap.
 */
export const depthwiseConv2dBackpropFilter = composedKernel<DepthwiseConv2dNativeBackpropFilterAttrs>(
  'DepthwiseConv2dNativeBackpropFilter',
  (inputs, attrs) => {
    const x = inputs.x as tf.Tensor4D;
    const dy = inputs.dy as tf.Tensor4D;
    const [dh, dw] = pair(attrs.dilations);
    if (dh !== 1 || dw !== 1) throw new BackendError('DepthwiseConv2dNativeBackpropFilter: dilation > 1 is not supported');
    const info = backend_util.computeConv2DInfo(
      x.shape,
      attrs.filterShape,
      attrs.strides,
      1,
      attrs.pad,
      attrs.dimRoundingMode,
      true,
    );
    const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw, outHeight: ho, outWidth: wo } = info;
    const [n, h, w, c] = x.shape;
    const m = attrs.filterShape[3];
    const { top, left } = info.padInfo;
    const needH = (ho - 1) * sh + kh;
    const needW = (wo - 1) * sw + kw;
    const xp = padOrCrop4d(x, top, needH - top - h, left, needW - left - w);
    // With a multiplier the output channel c * m + k pairs with input channel c.
    const dy5 = m === 1 ? dy : tf.reshape(dy, [n, ho, wo, c, m]);
    const taps: tf.Tensor[] = [];
    for (let i = 0; i < kh; i++) {
      for (let j = 0; j < kw; j++) {
        const win =
          sh === 1 && sw === 1
            ? tf.slice(xp, [0, i, j, 0], [n, ho, wo, c])
            : tf.stridedSlice(xp, [0, i, j, 0], [n, i + (ho - 1) * sh + 1, j + (wo - 1) * sw + 1, c], [1, sh, sw, 1]);
        const prod = m === 1 ? tf.mul(win, dy5) : tf.mul(tf.reshape(win, [n, ho, wo, c, 1]), dy5);
        taps.push(tf.sum(prod, [0, 1, 2]));
      }
    }
    return tf.reshape(tf.stack(taps), [kh, kw, c, m]);
  },
);
