/**
 * The set of linearized operations: a bitset with an incrementally kept
 * Zobrist hash, and compact snapshots. Operations are numbered in invocation
 * order and the search linearizes them roughly in that order, so a set is
 * nearly always "every operation below some index, plus a few just above
 * it". A snapshot stores only the words from the lowest unlinearized
 * operation up to the highest linearized one, which keeps a memo entry a few
 * words long however long the history is.
 */

/** A deterministic stream of 32-bit values (mulberry32), so hashes repeat run to run. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

const zobristSeed = 0x5eed_1234;

/** A compact copy of a set: words[first..] of the full bitset; everything below word `first` is set. */
export interface SetSnapshot {
  readonly first: number;
  readonly words: Uint32Array;
}

/** The linearized operations of a search, as a bitset over operation numbers. */
export class LinearizedSet {
  readonly #words: Uint32Array;
  readonly #codes: Uint32Array;
  /** XOR of the Zobrist codes of the members: O(1) to update, order-independent. */
  hash = 0;
  /** The lowest operation not in the set. */
  #low = 0;
  /** One past the highest operation in the set (an upper bound). */
  #high = 0;

  constructor(readonly size: number) {
    this.#words = new Uint32Array(Math.max(1, Math.ceil(size / 32)));
    this.#codes = new Uint32Array(size);
    const next = mulberry32(zobristSeed);
    for (let i = 0; i < size; i++) this.#codes[i] = next();
  }

  has(i: number): boolean {
    return ((this.#words[i >>> 5]! >>> (i & 31)) & 1) === 1;
  }

  add(i: number): void {
    this.#words[i >>> 5]! |= 1 << (i & 31);
    this.hash ^= this.#codes[i]!;
    if (i >= this.#high) this.#high = i + 1;
    if (i === this.#low) while (this.#low < this.size && this.has(this.#low)) this.#low++;
  }

  delete(i: number): void {
    this.#words[i >>> 5]! &= ~(1 << (i & 31));
    this.hash ^= this.#codes[i]!;
    if (i < this.#low) this.#low = i;
    while (this.#high > 0 && !this.has(this.#high - 1)) this.#high--;
  }

  snapshot(): SetSnapshot {
    const first = this.#low >>> 5;
    const end = Math.max(first, (this.#high + 31) >>> 5);
    return { first, words: this.#words.slice(first, end) };
  }

  /** True when the set equals the snapshot. */
  equals(s: SetSnapshot): boolean {
    if (s.first !== this.#low >>> 5) return false;
    const end = Math.max(s.first, (this.#high + 31) >>> 5);
    if (end - s.first !== s.words.length) return false;
    const w = this.#words;
    for (let i = 0; i < s.words.length; i++) if (w[s.first + i] !== s.words[i]) return false;
    return true;
  }
}
