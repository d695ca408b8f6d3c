/**
 * The set of linearized operations: a bitset with compact keys for the memo
 * table. Operations are numbered in invocation order and the search
 * linearizes them roughly in that order, so a set is nearly always "every
 * operation below some index, plus a few just above it". Its key encodes only
 * the words from the lowest unlinearized operation up to the highest
 * linearized one, so a memo entry stays a few characters long however long
 * the history is.
 */

/** The linearized operations of a search, as a bitset over operation numbers. */
export class LinearizedSet {
  readonly #words: Uint32Array;
  /** The lowest operation not in the set. */
  #low = 0;
  /** One past the highest operation in the set (an upper bound). */
  #high = 0;

  constructor(readonly size: number) {
    this.#words = new Uint32Array(Math.max(1, Math.ceil(size / 32)));
  }

  has(i: number): boolean {
    return ((this.#words[i >>> 5]! >>> (i & 31)) & 1) === 1;
  }

  add(i: number): void {
    this.#words[i >>> 5]! |= 1 << (i & 31);
    if (i >= this.#high) this.#high = i + 1;
    if (i === this.#low) while (this.#low < this.size && this.has(this.#low)) this.#low++;
  }

  delete(i: number): void {
    this.#words[i >>> 5]! &= ~(1 << (i & 31));
    if (i < this.#low) this.#low = i;
    while (this.#high > 0 && !this.has(this.#high - 1)) this.#high--;
  }

  /**
   * A string equal for equal sets and different for different ones: the
   * index of the first word that is not all ones below `low`, then the words
   * from there to the last one in use, each as two UTF-16 code units.
   */
  key(): string {
    const first = this.#low >>> 5;
    const end = Math.max(first, (this.#high + 31) >>> 5);
    let key = String.fromCharCode(first & 0xffff, first >>> 16);
    for (let i = first; i < end; i++) {
      const w = this.#words[i]!;
      key += String.fromCharCode(w & 0xffff, w >>> 16);
    }
    return key;
  }
}
