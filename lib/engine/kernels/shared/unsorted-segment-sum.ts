import * as tf from '@tensorflow/tfjs-core';
import type { UnsortedSegmentSumAttrs } from '@tensorflow/tfjs-core';
import { composedKernel } from '../composed';

/**
 * Sums rows of `x` into `numSegments` buckets (the gradient of gather, e.g. of embedding lookups): a one-hot
 * [numSegments, rows] matrix times the rows. Ids outside [0, numSegments) have an all-zero one-hot row and are dropped,
 * as in TensorFlow.
 */
export const unsortedSegmentSum = composedKernel<UnsortedSegmentSumAttrs>('UnsortedSegmentSum', (inputs, attrs) => {
  const { x, segmentIds } = inputs;
  const rows = segmentIds.size;
  const rest = x.shape.slice(segmentIds.rank);
  const width = rest.reduce((a, b) => a * b, 1);
  const oneHotT = tf.transpose(tf.oneHot(tf.cast(tf.reshape(segmentIds, [rows]), 'int32'), attrs.numSegments));
  const sums = tf.matMul(tf.cast(oneHotT, 'float32'), tf.reshape(tf.cast(x, 'float32'), [rows, width]));
  return tf.cast(tf.reshape(sums, [attrs.numSegments, ...rest]), x.dtype);
});
