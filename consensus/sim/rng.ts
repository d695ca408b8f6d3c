/**
 * A seeded pseudo-random generator for simulations: sfc32 (Chris Doty-Humphrey's
 * "small fast chaotic" generator from PractRand), 128 bits of state, pure 32-bit
 * integer arithmetic, so a seed gives the same stream on every platform and
 * Node version. It implements the library's `Rng`, and adds the helpers a
 * simulator needs (float, chance, pick, shuffle, fork).
 *
 * The stream for a given seed is part of the contract: the interaction tests'
 * expected traces depend on election jitter drawn from it, so the algorithm,
 * the seeding constants and the warm-up must not change.
 */
import type { Rng } from '../index.ts';

const twoTo32 = 0x1_0000_0000;

export class SeededRng implements Rng {
  #a: number;
  #b: number;
  #c: number;
  #d: number;

  /** `seed` is taken modulo 2^32; the three other state words start at fixed odd constants. */
  constructor(seed: number) {
    this.#a = 0x9e3779b9;
    this.#b = 0x243f6a88;
    this.#c = 0xb7e15162;
    this.#d = seed >>> 0;
    // Mix the seed into the whole state before the first output is used.
    for (let i = 0; i < 16; i++) this.next();
  }

  /** A uniform unsigned 32-bit integer. */
  next(): number {
    this.#a >>>= 0; this.#b >>>= 0; this.#c >>>= 0; this.#d >>>= 0;
    const t = (this.#a + this.#b) | 0;
    this.#a = this.#b ^ (this.#b >>> 9);
    this.#b = (this.#c + (this.#c << 3)) | 0;
    this.#c = (this.#c << 21) | (this.#c >>> 11);
    this.#d = (this.#d + 1) | 0;
    const out = (t + this.#d) | 0;
    this.#c = (this.#c + out) | 0;
    return out >>> 0;
  }

  /**
   * An integer in [0, n) (0 when n ≤ 0). Modulo bias is below n / 2^32, far
   * under anything a simulation could notice for the small n it uses.
   */
  intn(n: number): number {
    if (n <= 0) return 0;
    return this.next() % n;
  }

  /** An integer in [lo, hi] (inclusive). */
  between(lo: number, hi: number): number {
    return lo + this.intn(hi - lo + 1);
  }

  /** A float in [0, 1). */
  float(): number {
    return this.next() / twoTo32;
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.float() < p;
  }

  /** A uniformly chosen element; `items` must not be empty. */
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('pick from an empty list');
    return items[this.intn(items.length)]!;
  }

  /** Shuffles `items` in place (Fisher–Yates) and returns it. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.intn(i + 1);
      const t = items[i]!;
      items[i] = items[j]!;
      items[j] = t;
    }
    return items;
  }

  /**
   * An independent generator seeded from this one. Each consumer (a node's
   * election jitter, the network, the workload) gets its own stream, so
   * adding a draw in one place does not shift every other decision of a run.
   */
  fork(): SeededRng {
    return new SeededRng(this.next());
  }
}
