/**
 * Recycled output arrays for the native kernels. A fresh Float32Array of a large activation costs more than the
 * element-wise kernel that fills it (the allocator hands out new pages, which the kernel then faults in and zeroes):
 * about 3.7 ms against 1.2 ms for an add of two [16, 128, 128, 16] tensors. The backend returns an array here when the
 * last tensor on it is disposed, and the kernels take their outputs from here.
 *
 * An array is only recycled while no code outside the backend can hold it: the pool recycles only arrays it handed out
 * itself, never once they have been read out (`dataSync`, `data`, `array` return the backend's array itself), and only
 * when no tensor data entry refers to their memory any more (views included).
 */
export class BufferPool {
  private readonly free = new Map<number, Float32Array[]>();
  /** Free arrays in the order they were returned (a Map keeps insertion order), for evicting the oldest. */
  private readonly order = new Map<Float32Array, true>();
  private readonly owned = new WeakSet<ArrayBufferLike>();
  private freeBytes = 0;

  /**
   * @param capacityBytes the most memory kept in free arrays; beyond it the oldest go to the garbage collector.
   * @param minBytes smaller arrays are not recycled: they come from the allocator's reused small blocks anyway, and
   * the optimizer's many per-variable ones would only lengthen the lists.
   */
  constructor(
    readonly capacityBytes: number,
    readonly minBytes = 64 << 10,
  ) {}

  /** An array of `length` floats with arbitrary contents: the caller must overwrite every element. */
  take(length: number): Float32Array {
    const reused = this.free.get(length)?.pop();
    if (reused) {
      this.order.delete(reused);
      this.freeBytes -= reused.byteLength;
      return reused;
    }
    const fresh = new Float32Array(length);
    if (fresh.byteLength >= this.minBytes) this.owned.add(fresh.buffer);
    return fresh;
  }

  /** The memory has been handed to code outside the backend: never recycle it. */
  escape(values: unknown): void {
    if (ArrayBuffer.isView(values)) this.owned.delete(values.buffer);
  }

  /** Takes back an array no tensor refers to any more, if it is one of the pool's own. */
  give(values: unknown): void {
    if (!(values instanceof Float32Array) || !this.owned.has(values.buffer) || this.order.has(values)) return;
    if (values.byteOffset !== 0 || values.byteLength !== values.buffer.byteLength || values.byteLength > this.capacityBytes) return;
    const list = this.free.get(values.length) ?? [];
    list.push(values);
    this.free.set(values.length, list);
    this.order.set(values, true);
    this.freeBytes += values.byteLength;
    for (const oldest of this.order.keys()) {
      if (this.freeBytes <= this.capacityBytes) break;
      const same = this.free.get(oldest.length)!;
      same.splice(same.indexOf(oldest), 1);
      if (same.length === 0) this.free.delete(oldest.length);
      this.order.delete(oldest);
      this.freeBytes -= oldest.byteLength;
    }
  }

  /** Bytes held in free arrays. */
  get bytes(): number {
    return this.freeBytes;
  }

  clear(): void {
    this.free.clear();
    this.order.clear();
    this.freeBytes = 0;
  }
}
