/**
 * A hybrid logical clock (Kulkarni et al., "Logical Physical Clocks", 2014):
 * timestamps track physical time closely, never go backwards, and respect
 * causality across nodes, so MVCC can order events without tightly
 * synchronised clocks as long as skew stays below `maxOffsetMicros`.
 */
import { ClockOffsetError } from './errors.ts';
import type { PhysicalClock } from './clock.ts';
import { compareTimestamps, formatTimestamp, type Timestamp } from './timestamp.ts';
import { hlcMaxOffsetMicrosDefault, logicalMax } from './limits.ts';

export interface HlcOptions {
  /** Largest tolerated skew between any two nodes' clocks. */
  readonly maxOffsetMicros?: number;
}

export class Hlc {
  readonly maxOffsetMicros: number;
  #last: Timestamp = { wallMicros: 0, logical: 0 };

  constructor(
    private readonly clock: PhysicalClock,
    options: HlcOptions = {},
  ) {
    const maxOffset = options.maxOffsetMicros ?? hlcMaxOffsetMicrosDefault;
    if (!Number.isSafeInteger(maxOffset) || maxOffset < 0) {
      throw new RangeError(`max clock offset ${maxOffset} µs is not a non-negative integer`);
    }
    this.maxOffsetMicros = maxOffset;
  }

  /** The physical clock's reading, without touching HLC state. */
  physicalNow(): number {
    return this.clock.nowMicros();
  }

  /** The last timestamp handed out or received, without ticking. */
  peek(): Timestamp {
    return this.#last;
  }

  /** A timestamp for a local or send event: greater than every earlier one. */
  now(): Timestamp {
    const physical = this.clock.nowMicros();
    const last = this.#last;
    if (physical > last.wallMicros) {
      this.#last = { wallMicros: physical, logical: 0 };
    } else {
      this.#last = this.#bumpLogical(last);
    }
    return this.#last;
  }

  /**
   * Folds in a timestamp from another node (a receive event). Rejects it when
   * it lies further ahead of our physical clock than the max offset: trusting
   * it would drag this node's clock past the bound that uncertainty intervals
   * and leases rely on.
   */
  update(remote: Timestamp): Timestamp {
    const physical = this.clock.nowMicros();
    if (remote.wallMicros - physical > this.maxOffsetMicros) {
      throw new ClockOffsetError(remote, physical, this.maxOffsetMicros);
    }
    const last = this.#last;
    const wall = Math.max(physical, last.wallMicros, remote.wallMicros);
    let next: Timestamp;
    if (wall === last.wallMicros && wall === remote.wallMicros) {
      next = this.#bumpLogical({ wallMicros: wall, logical: Math.max(last.logical, remote.logical) });
    } else if (wall === last.wallMicros) {
      next = this.#bumpLogical(last);
    } else if (wall === remote.wallMicros) {
      next = this.#bumpLogical(remote);
    } else {
      next = { wallMicros: wall, logical: 0 };
    }
    this.#last = next;
    return next;
  }

  /**
   * Moves the clock forward to at least `t` without the offset check. Used for
   * timestamps this node has already accepted (e.g. its own persisted lease).
   */
  forward(t: Timestamp): void {
    if (compareTimestamps(t, this.#last) > 0) this.#last = t;
  }

  #bumpLogical(t: Timestamp): Timestamp {
    if (t.logical >= logicalMax) {
      // The logical counter is 32 bits: overflowing it would take 4 billion
      // events within one microsecond, so spill into the wall time.
      return { wallMicros: t.wallMicros + 1, logical: 0 };
    }
    return { wallMicros: t.wallMicros, logical: t.logical + 1 };
  }

  toString(): string {
    return `Hlc(${formatTimestamp(this.#last)}, maxOffset=${this.maxOffsetMicros}µs)`;
  }
}
