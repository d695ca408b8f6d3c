/**
 * Physical clocks the HLC reads. Production uses the system clock; tests use a
 * ManualClock; the chaos harness skews a node with an OffsetClock. Injecting
 * the clock lets one process simulate several nodes with different clocks.
 */

/** A source of wall time in integer microseconds since the Unix epoch. */
export interface PhysicalClock {
  nowMicros(): number;
}

/**
 * The machine's clock: `performance.timeOrigin + performance.now()`, in
 * milliseconds with a fractional part, scaled to integer microseconds.
 *
 * `timeOrigin` is the wall clock at process start and `performance.now()` is
 * monotonic, so readings never step backwards and have microsecond
 * resolution (Date.now() has only milliseconds). The monotonic clock is
 * slewed by NTP like the wall clock but does not follow NTP steps made after
 * the process started; that suits an HLC, whose correctness needs bounded
 * skew, not exact agreement with the wall clock. A double holds these values
 * (≈1.7e15 µs) with sub-microsecond precision, so flooring is exact enough.
 */
export class SystemClock implements PhysicalClock {
  nowMicros(): number {
    return Math.floor((performance.timeOrigin + performance.now()) * 1000);
  }
}

function checkMicros(micros: number): void {
  if (!Number.isSafeInteger(micros) || micros < 0) throw new RangeError(`bad clock value ${micros} µs`);
}

/** A clock that moves only when told to; it may be set backwards, as a real clock stepped by NTP can be. */
export class ManualClock implements PhysicalClock {
  #micros: number;

  constructor(startMicros = 1_700_000_000_000_000) {
    checkMicros(startMicros);
    this.#micros = startMicros;
  }

  nowMicros(): number {
    return this.#micros;
  }

  /** Sets the reading to `micros` (any non-negative integer, earlier or later). */
  set(micros: number): void {
    checkMicros(micros);
    this.#micros = micros;
  }

  /** Moves the reading by `micros`, which may be negative. */
  advance(micros: number): void {
    this.set(this.#micros + micros);
  }
}

/**
 * Wraps a clock and adds an adjustable offset: how the chaos harness skews a
 * node's clock on purpose. The offset may change at any time, forwards or
 * backwards; readings are clamped at zero.
 */
export class OffsetClock implements PhysicalClock {
  #offsetMicros = 0;

  constructor(
    private readonly base: PhysicalClock,
    offsetMicros = 0,
  ) {
    this.offsetMicros = offsetMicros;
  }

  /** The current skew in whole microseconds; fractional values are rounded when set. */
  get offsetMicros(): number {
    return this.#offsetMicros;
  }

  set offsetMicros(micros: number) {
    if (!Number.isFinite(micros)) throw new RangeError(`bad clock offset ${micros} µs`);
    this.#offsetMicros = Math.round(micros);
  }

  nowMicros(): number {
    return Math.max(0, this.base.nowMicros() + this.#offsetMicros);
  }
}
