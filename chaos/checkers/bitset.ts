/** A fixed-size bitset over 32-bit words, with an incrementally kept Zobrist hash. */

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

export class Bitset {
  readonly words: Uint32Array;
  /** XOR of the Zobrist codes of the set bits: O(1) to update, order-independent. */
  hash = 0;
  readonly #codes: Uint32Array;

  constructor(readonly size: number) {
    this.words = new Uint32Array(Math.max(1, Math.ceil(size / 32)));
    this.#codes = new Uint32Array(size);
    const next = mulberry32(zobristSeed);
    for (let i = 0; i < size; i++) this.#codes[i] = next();
  }

  has(i: number): boolean {
    return ((this.words[i >>> 5]! >>> (i & 31)) & 1) === 1;
  }

  set(i: number): void {
    this.words[i >>> 5]! |= 1 << (i & 31);
    this.hash ^= this.#codes[i]!;
  }

  clear(i: number): void {
    this.words[i >>> 5]! &= ~(1 << (i & 31));
    this.hash ^= this.#codes[i]!;
  }

  /** True when `other` (a snapshot of words) holds the same bits. */
  equals(other: Uint32Array): boolean {
    const w = this.words;
    for (let i = 0; i < w.length; i++) if (w[i] !== other[i]) return false;
    return true;
  }

  snapshot(): Uint32Array {
    return this.words.slice();
  }
}
