import * as tf from '@tensorflow/tfjs-core';
import { backend_util, type DepthwiseConv2dNativeBackpropInputAttrs } from '@tensorflow/tfjs-core';
import { BackendError } from '../../../errors';
import { composedKernel, dilateSpatial, padOrCrop4d, pair } from '../composed';

/**
 * Input gradient of a depthwise 2D convolution: a stride-1 depthwise convolution of the output gradient
 * (zero-dilated by the stride, padded "full minus original") with the spatially flipped filter. With a channel
 * multiplier m > 1 the m output channels of each input channel are summed, one depthwise conv per multiplier index.
 */
export const depthwiseConv2dBackpropInput = composedKernel<DepthwiseConv2dNativeBackpropInputAttrs>(
  'DepthwiseConv2dNativeBackpropInput',
  (inputs, attrs) => {
    const dy = inputs.dy as tf.Tensor4D;
    const filter = inputs.filter as tf.Tensor4D;
    const [dh, dw] = pair(attrs.dilations);
    if (dh !== 1 || dw !== 1) throw new BackendError('DepthwiseConv2dNativeBackpropInput: dilation > 1 is not supported');
    const info = backend_util.computeConv2DInfo(
      attrs.inputShape,
      filter.shape,
      attrs.strides,
      1,
      attrs.pad,
      attrs.dimRoundingMode,
      true,
    );
    const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw } = info;
    const [n, h, w, c] = attrs.inputShape;
    const m = filter.shape[3];
    const { top, left } = info.padInfo;
    const dyd = dilateSpatial(dy, sh, sw);
    const hd = dyd.shape[1];
    const wd = dyd.shape[2];
    const dyp = padOrCrop4d(dyd, kh - 1 - top, h + top - hd, kw - 1 - left, w + left - wd);
    const flipped = tf.reverse(filter, [0, 1]) as tf.Tensor4D;
    if (m === 1) return tf.depthwiseConv2d(dyp, flipped, 1, 'valid');
    const [, hp, wp] = dyp.shape;
    const dy5 = tf.reshape(dyp, [n, hp, wp, c, m]);
    let dx: tf.Tensor4D | undefined;
    for (let k = 0; k < m; k++) {
      const dyk = tf.reshape(tf.slice(dy5, [0, 0, 0, 0, k], [n, hp, wp, c, 1]), [n, hp, wp, c]) as tf.Tensor4D;
      const fk = tf.slice(flipped, [0, 0, 0, k], [kh, kw, c, 1]);
      const part = tf.depthwiseConv2d(dyk, fk, 1, 'valid');
      dx = dx ? tf.add<tf.Tensor4D>(dx, part) : part;
    }
    return dx as tf.Tensor4D;
  },
);
