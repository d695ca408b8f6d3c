/**
 * Clocks for recording histories. Times are monotonic nanoseconds as plain
 * numbers, relative to the clock's creation; the wall clock never enters a
 * history, because it can jump.
 */

/** Returns the current monotonic time in nanoseconds. */
export type Clock = () => number;

/** Monotonic nanoseconds since this call (process.hrtime). */
export function monotonicClock(): Clock {
  const start = process.hrtime.bigint();
  return () => Number(process.hrtime.bigint() - start);
}

/** A clock that moves only when told to, for deterministic tests. */
export class ManualClock {
  #nanos: number;

  constructor(startNanos = 0) {
    this.#nanos = startNanos;
  }

  /** The clock as a `Clock` function. */
  readonly now: Clock = () => this.#nanos;

  /** Moves time forward; monotonic clocks never go back. */
  advance(nanos: number): void {
    if (!(nanos >= 0)) throw new RangeError(`a monotonic clock cannot move by ${nanos} ns`);
    this.#nanos += nanos;
  }
}
