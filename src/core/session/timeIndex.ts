/**
 * Small building blocks for asking "what was true at time ms" of logs that arrive out of time
 * order (events of different processes race): a stable sort by time, binary search, and a
 * max-tree that lists the items of a range whose value exceeds a bound, oldest first, in
 * O((k + 1) log n) for k items (what is still in flight, who is still waiting).
 */

/** Indices 0..n-1 ordered by `t` (ties keep arrival order). Already-sorted input costs O(n). */
export function sortedOrder(t: Float64Array, n: number): Int32Array {
  const order = new Int32Array(n);
  let sorted = true;
  for (let i = 0; i < n; i++) {
    order[i] = i;
    if (i > 0 && t[i]! < t[i - 1]!) sorted = false;
  }
  if (!sorted) order.sort((a, b) => t[a]! - t[b]! || a - b);
  return order;
}

/** The number of items of ascending `sorted` (first n) that are <= x. */
export function countAtOrBefore(sorted: ArrayLike<number>, n: number, x: number): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The number of items of ascending `sorted` that are < x (the first position whose value is >= x). */
export function countBefore(sorted: ArrayLike<number>, x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * A max segment tree over fixed values. `above(from, to, x, limit)` lists the positions in
 * [from, to) whose value is > x, in ascending position order, stopping after `limit`.
 */
export class MaxTree {
  private readonly size: number;
  private readonly tree: Float64Array;

  constructor(values: Float64Array, readonly length: number) {
    let size = 1;
    while (size < length) size <<= 1;
    this.size = size;
    this.tree = new Float64Array(2 * size).fill(-Infinity);
    this.tree.set(values.subarray(0, length), size);
    for (let i = size - 1; i >= 1; i--) this.tree[i] = Math.max(this.tree[2 * i]!, this.tree[2 * i + 1]!);
  }

  above(from: number, to: number, x: number, limit: number): number[] {
    const out: number[] = [];
    if (from >= to || limit <= 0) return out;
    this.walk(1, 0, this.size, from, to, x, limit, out);
    return out;
  }

  /** The value at a position. */
  value(i: number): number {
    return this.tree[this.size + i]!;
  }

  private walk(node: number, lo: number, hi: number, from: number, to: number, x: number, limit: number, out: number[]): void {
    if (out.length >= limit || hi <= from || lo >= to || this.tree[node]! <= x) return;
    if (hi - lo === 1) {
      out.push(lo);
      return;
    }
    const mid = (lo + hi) >>> 1;
    this.walk(2 * node, lo, mid, from, to, x, limit, out);
    this.walk(2 * node + 1, mid, hi, from, to, x, limit, out);
  }
}
