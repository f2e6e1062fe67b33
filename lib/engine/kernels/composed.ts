import * as tf from '@tensorflow/tfjs-core';

/** A kernel before it is bound to a backend: `installKernels` adds the backend name. */
export type KernelSpec = Omit<tf.KernelConfig, 'backendName'>;

/**
 * A kernel written as a composition of tf ops, so that it runs on the backend's own fast kernels (XNNPACK on wasm).
 * Ops called inside a kernel are not recorded on the gradient tape; the tidy frees every intermediate and the
 * returned tensor becomes the kernel's output.
 */
export function composedKernel<A>(
  kernelName: string,
  impl: (inputs: Record<string, tf.Tensor>, attrs: A) => tf.Tensor,
): KernelSpec {
  return {
    kernelName,
    kernelFunc: ({ inputs, attrs }) =>
      tf.tidy(() => {
        const tensors: Record<string, tf.Tensor> = {};
        for (const [k, v] of Object.entries(inputs)) {
          if (v) tensors[k] = v instanceof tf.Tensor ? v : tf.engine().makeTensorFromTensorInfo(v);
        }
        return impl(tensors, attrs as unknown as A);
      }),
  };
}

/** `[h, w]` from a tfjs attribute that is one number or a pair. */
export function pair(v: number | [number, number]): [number, number] {
  return typeof v === 'number' ? [v, v] : v;
}

/**
 * Pads (positive amounts) or crops (negative amounts) the two spatial axes of an NHWC tensor, so that callers can
 * state the window they need without case analysis.
 */
export function padOrCrop4d(x: tf.Tensor4D, top: number, bottom: number, left: number, right: number): tf.Tensor4D {
  let y = x;
  if (top < 0 || bottom < 0 || left < 0 || right < 0) {
    const [n, h, w, c] = y.shape;
    const t = Math.max(0, -top);
    const l = Math.max(0, -left);
    y = tf.slice(y, [0, t, l, 0], [n, h - t - Math.max(0, -bottom), w - l - Math.max(0, -right), c]);
  }
  if (top > 0 || bottom > 0 || left > 0 || right > 0) {
    y = tf.pad(y, [
      [0, 0],
      [Math.max(0, top), Math.max(0, bottom)],
      [Math.max(0, left), Math.max(0, right)],
      [0, 0],
    ]);
  }
  return y;
}

/** Inserts `s - 1` zeros between neighbouring pixels along H and W (the "dilated" output gradient of a strided conv). */
export function dilateSpatial(x: tf.Tensor4D, sh: number, sw: number): tf.Tensor4D {
  let y = x;
  const [n, h, w, c] = y.shape;
  if (sh > 1) {
    const z = tf.zeros([n, h, sh - 1, w, c]);
    y = tf.reshape(tf.concat([tf.reshape(y, [n, h, 1, w, c]), z], 2), [n, h * sh, w, c]);
    y = tf.slice(y, [0, 0, 0, 0], [n, (h - 1) * sh + 1, w, c]);
  }
  if (sw > 1) {
    const hh = y.shape[1];
    const z = tf.zeros([n, hh, w, sw - 1, c]);
    y = tf.reshape(tf.concat([tf.reshape(y, [n, hh, w, 1, c]), z], 3), [n, hh, w * sw, c]);
    y = tf.slice(y, [0, 0, 0, 0], [n, hh, (w - 1) * sw + 1, c]);
  }
  return y;
}

/**
 * Splits a spatial window request into what a conv's explicit padding can do (non-negative amounts) and a crop of the
 * tensor (negative amounts), so the padding costs no copy of the activation.
 */
export function convWindow(
  x: tf.Tensor4D,
  top: number,
  bottom: number,
  left: number,
  right: number,
): [tf.Tensor4D, [[number, number], [number, number], [number, number], [number, number]]] {
  const cropped = padOrCrop4d(x, Math.min(0, top), Math.min(0, bottom), Math.min(0, left), Math.min(0, right));
  return [
    cropped,
    [
      [0, 0],
      [Math.max(0, top), Math.max(0, bottom)],
      [Math.max(0, left), Math.max(0, right)],
      [0, 0],
    ],
  ];
}
