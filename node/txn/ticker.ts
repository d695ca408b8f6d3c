/**
 * Periodic work (heartbeats) through an injected Ticker, so tests drive it by
 * hand and production uses timers at the edge.
 */

export interface Ticker {
  /** Calls `fn` every `intervalMicros` until the returned function is called. */
  every(intervalMicros: number, fn: () => void): () => void;
}

/** Real timers (the node's default). */
export class TimerTicker implements Ticker {
  every(intervalMicros: number, fn: () => void): () => void {
    const handle = setInterval(fn, Math.max(1, Math.floor(intervalMicros / 1000)));
    handle.unref();
    return () => clearInterval(handle);
  }
}

/** A ticker a test fires by hand: `tick()` runs every registered task once. */
export class ManualTicker implements Ticker {
  readonly #tasks = new Set<() => void>();

  every(_intervalMicros: number, fn: () => void): () => void {
    const task = (): void => fn();
    this.#tasks.add(task);
    return () => { this.#tasks.delete(task); };
  }

  tick(): void {
    for (const task of [...this.#tasks]) task();
  }

  get taskCount(): number {
    return this.#tasks.size;
  }
}
