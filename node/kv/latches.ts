/**
 * Latches serialise requests that touch the same keys on a replica: a write
 * holds its keys' latches from evaluation until its command is applied, so a
 * later request on those keys evaluates against the applied result.
 */
export class LatchManager {
  readonly #tails = new Map<string, Promise<void>>();

  /** Waits for earlier holders of any of `keys`; returns the release function. */
  async acquire(keys: readonly Uint8Array[]): Promise<() => void> {
    const names = [...new Set(keys.map((k) => Buffer.from(k.buffer, k.byteOffset, k.byteLength).toString('latin1')))].sort();
    let release!: () => void;
    const held = new Promise<void>((resolve) => { release = resolve; });
    const waits: Promise<void>[] = [];
    for (const name of names) {
      const previous = this.#tails.get(name);
      if (previous) waits.push(previous);
      const tail = previous ? previous.then(() => held) : held;
      this.#tails.set(name, tail);
      void tail.then(() => {
        if (this.#tails.get(name) === tail) this.#tails.delete(name);
      });
    }
    await Promise.all(waits);
    return release;
  }

  /** Keys with latches held or queued. */
  get size(): number {
    return this.#tails.size;
  }
}
