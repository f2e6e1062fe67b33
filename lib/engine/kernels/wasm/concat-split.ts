import { backend_util, util, type ConcatAttrs, type SplitVAttrs, type TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { KernelSpec } from '../composed';
import { stockKernel } from '../install';

type Heap = Float32Array | Int32Array | Uint8Array;

/**
 * Copies `rows` rows between interleaved layouts: row r of `src` (length `len`, stride `srcStride`, from `srcAt`)
 * to row r of `dst`. The stock wasm Concat and SplitV copy each row with `subarray` + `set`, which costs a view
 * object per row: along channels (16 floats a row in the U-Net skip concat) that was about three times slower than
 * a plain loop; long rows still use `set`.
 */
function copyRows(dst: Heap, dstAt: number, dstStride: number, src: Heap, srcAt: number, srcStride: number, len: number, rows: number): void {
  if (len >= 256) {
    for (let r = 0; r < rows; r++) dst.set(src.subarray(srcAt + r * srcStride, srcAt + r * srcStride + len), dstAt + r * dstStride);
    return;
  }
  for (let r = 0; r < rows; r++) {
    let s = srcAt + r * srcStride;
    let d = dstAt + r * dstStride;
    for (let k = 0; k < len; k++) dst[d++] = src[s++];
  }
}

export const concatWasm: KernelSpec = {
  kernelName: 'Concat',
  kernelFunc: (args) => {
    const backend = args.backend as BackendWasm;
    const inputs = args.inputs as unknown as TensorInfo[];
    const stock = stockKernel('Concat', 'wasm');
    const all = Object.values(inputs) as TensorInfo[];
    const parts = all.filter((t) => util.sizeFromShape(t.shape) > 0);
    if (!stock) throw new Error('no stock Concat on wasm');
    if (parts.length < 2 || parts[0].dtype === 'string') return stock.kernelFunc(args);
    const axis = util.parseAxisParam((args.attrs as unknown as ConcatAttrs).axis, all[0].shape)[0];
    backend_util.assertParamsConsistent(
      all.map((t) => t.shape),
      axis,
    );
    const outShape = backend_util.computeOutShape(
      all.map((t) => t.shape),
      axis,
    );
    const out = backend.makeOutput(outShape, parts[0].dtype);
    // Views after the allocation, which may grow (and detach) the wasm memory.
    const dst = backend.typedArrayFromHeap(out) as Heap;
    const rows = util.sizeFromShape(parts[0].shape.slice(0, axis));
    const inner = parts.map((t) => util.sizeFromShape(t.shape.slice(axis)));
    const stride = inner.reduce((a, b) => a + b, 0);
    let at = 0;
    parts.forEach((t, i) => {
      copyRows(dst, at, stride, backend.typedArrayFromHeap(t) as Heap, 0, inner[i], inner[i], rows);
      at += inner[i];
    });
    return out;
  },
};

export const splitVWasm: KernelSpec = {
  kernelName: 'SplitV',
  kernelFunc: (args) => {
    const backend = args.backend as BackendWasm;
    const x = (args.inputs as { x: TensorInfo }).x;
    const { numOrSizeSplits, axis } = args.attrs as unknown as SplitVAttrs;
    const stock = stockKernel('SplitV', 'wasm');
    if (!stock) throw new Error('no stock SplitV on wasm');
    if (x.dtype === 'string') return stock.kernelFunc(args);
    const ax = util.parseAxisParam(axis, x.shape)[0];
    const sizes = backend_util.prepareSplitSize(x as never, numOrSizeSplits, ax);
    const rows = util.sizeFromShape(x.shape.slice(0, ax));
    const after = util.sizeFromShape(x.shape.slice(ax + 1));
    const stride = x.shape[ax] * after;
    const outs = sizes.map((s) => {
      const shape = [...x.shape];
      shape[ax] = s;
      return backend.makeOutput(shape, x.dtype);
    });
    const src = backend.typedArrayFromHeap(x) as Heap;
    let at = 0;
    outs.forEach((o, i) => {
      const len = sizes[i] * after;
      copyRows(backend.typedArrayFromHeap(o) as Heap, 0, len, src, at, stride, len, rows);
      at += len;
    });
    return outs;
  },
};
