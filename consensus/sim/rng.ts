/**
 * A seeded pseudo-random generator (sfc32, from PractRand's small fast
 * chaotic family): deterministic across platforms, so a seed replays a run.
 */
import type { Rng } from '../types.ts';

export class SeededRng implements Rng {
  #a: number;
  #b: number;
  #c: number;
  #d: number;

  constructor(seed: number) {
    this.#a = 0x9e3779b9;
    this.#b = 0x243f6a88;
    this.#c = 0xb7e15162;
    this.#d = seed >>> 0;
    for (let i = 0; i < 16; i++) this.next();
  }

  /** A uniform 32-bit unsigned integer. */
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

  intn(n: number): number {
    if (n <= 0) return 0;
    return this.next() % n;
  }

  float(): number {
    return this.next() / 0x1_0000_0000;
  }

  chance(p: number): boolean {
    return this.float() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.intn(items.length)]!;
  }
}
