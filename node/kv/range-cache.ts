/**
 * A client's cache of range descriptors (which range holds a key) and of
 * leaseholders (which node to ask first). Entries are hints: a stale one
 * costs a redirect, never a wrong answer, because every store checks keys
 * and leases itself.
 */
import { compareKeys } from '../keys/index.ts';
import type { RangeDescriptor } from './descriptor.ts';

export class RangeCache {
  /** Non-overlapping descriptors, sorted by end key. */
  #ranges: RangeDescriptor[] = [];
  readonly #leaseholders = new Map<number, number>();

  /** The cached descriptor whose span contains `key`. */
  lookup(key: Uint8Array): RangeDescriptor | undefined {
    let lo = 0;
    let hi = this.#ranges.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (compareKeys(this.#ranges[mid]!.endKey, key) <= 0) lo = mid + 1;
      else hi = mid;
    }
    const d = this.#ranges[lo];
    return d && compareKeys(d.startKey, key) <= 0 ? d : undefined;
  }

  /** Adds a descriptor, replacing overlapping ones unless one of them is newer. */
  insert(desc: RangeDescriptor): void {
    const overlapping = this.#ranges.filter((d) => compareKeys(d.startKey, desc.endKey) < 0 && compareKeys(desc.startKey, d.endKey) < 0);
    if (overlapping.some((d) => d.generation > desc.generation)) return;
    this.#ranges = this.#ranges.filter((d) => !overlapping.includes(d));
    let i = 0;
    while (i < this.#ranges.length && compareKeys(this.#ranges[i]!.endKey, desc.endKey) < 0) i++;
    this.#ranges.splice(i, 0, desc);
  }

  /** Drops a descriptor found to be stale (only if it is still the cached one). */
  evict(desc: RangeDescriptor): void {
    this.#ranges = this.#ranges.filter((d) => !(d.rangeId === desc.rangeId && d.generation === desc.generation));
  }

  leaseholder(rangeId: number): number {
    return this.#leaseholders.get(rangeId) ?? 0;
  }

  setLeaseholder(rangeId: number, nodeId: number): void {
    if (nodeId > 0) this.#leaseholders.set(rangeId, nodeId);
    else this.#leaseholders.delete(rangeId);
  }

  get size(): number {
    return this.#ranges.length;
  }
}
