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
 * The machine's clock. `performance.timeOrigin + performance.now()` gives
 * sub-millisecond resolution anchored to the wall clock at process start; it
 * does not follow NTP steps made after the process started, which is what an
 * HLC wants from its physical source (steps are absorbed by the logical part).
 */
export class SystemClock implements PhysicalClock {
  nowMicros(): number {
    return Math.floor((performance.timeOrigin + performance.now()) * 1000);
  }
}

/** A clock that moves only when told to; it may be set backwards. */
export class ManualClock implements PhysicalClock {
  #micros: number;

  constructor(startMicros = 1_700_000_000_000_000) {
    this.#micros = startMicros;
  }

  nowMicros(): number {
    return this.#micros;
  }

  set(micros: number): void {
    if (!Number.isSafeInteger(micros) || micros < 0) throw new RangeError(`bad clock value ${micros}`);
    this.#micros = micros;
  }

  advance(micros: number): void {
    this.set(this.#micros + micros);
  }
}

/** Wraps a clock and adds an adjustable offset: how a node's clock is skewed on purpose. */
export class OffsetClock implements PhysicalClock {
  constructor(
    private readonly base: PhysicalClock,
    public offsetMicros = 0,
  ) {}

  nowMicros(): number {
    return Math.max(0, this.base.nowMicros() + this.offsetMicros);
  }
}
