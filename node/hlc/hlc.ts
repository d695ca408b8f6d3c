/**
 * A hybrid logical clock (Kulkarni et al., "Logical Physical Clocks", 2014):
 * timestamps track physical time closely, never go backwards, and respect
 * causality across nodes, so MVCC can order events without tightly
 * synchronised clocks as long as skew stays below `maxOffsetMicros`.
 *
 * Rules, with l the last timestamp and pt the physical reading:
 *   send/local: l' = (max(l.wall, pt), l.logical+1 if l.wall wins else 0)
 *   receive m:  wall = max(l.wall, m.wall, pt); logical = 1 + the larger
 *               logical among l and m whose wall equals it, or 0 if pt alone wins.
 * A logical counter that would overflow its 32 bits spills into the wall time.
 */
import { assert } from '../assert.ts';
import type { PhysicalClock } from './clock.ts';
import { ClockOffsetError } from './errors.ts';
import { hlcMaxOffsetMicrosDefault, logicalMax } from './limits.ts';
import { compareTimestamps, formatTimestamp, zeroTimestamp, type Timestamp } from './timestamp.ts';

export interface HlcOptions {
  /** Largest tolerated skew between any two nodes' clocks; default 500 ms. */
  readonly maxOffsetMicros?: number;
}

/** One node's hybrid logical clock. Not shared across nodes: each owns its own. */
export class Hlc {
  readonly maxOffsetMicros: number;
  #last: Timestamp = zeroTimestamp;

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
    const micros = this.clock.nowMicros();
    assert(Number.isSafeInteger(micros), `physical clock returned ${micros}, not an integer of µs`);
    assert(micros >= 0, `physical clock returned ${micros} µs, before the epoch`);
    return micros;
  }

  /** The last timestamp handed out or received, without ticking. */
  peek(): Timestamp {
    return this.#last;
  }

  /** A timestamp for a local or send event: greater than every earlier one. */
  now(): Timestamp {
    const physical = this.physicalNow();
    const last = this.#last;
    this.#last = physical > last.wallMicros ? { wallMicros: physical, logical: 0 } : bumpLogical(last);
    return this.#last;
  }

  /**
   * Folds in a timestamp from another node (a receive event) and returns the
   * new clock reading, which is greater than both `remote` and every earlier
   * reading. Throws ClockOffsetError, leaving the clock untouched, when
   * `remote` lies further ahead of our physical clock than the max offset:
   * trusting it would drag this node's clock past the bound that uncertainty
   * intervals and leases rely on.
   */
  update(remote: Timestamp): Timestamp {
    const physical = this.physicalNow();
    if (remote.wallMicros - physical > this.maxOffsetMicros) {
      throw new ClockOffsetError(remote, physical, this.maxOffsetMicros);
    }
    const last = this.#last;
    const wall = Math.max(physical, last.wallMicros, remote.wallMicros);
    let next: Timestamp;
    if (wall === last.wallMicros && wall === remote.wallMicros) {
      next = bumpLogical({ wallMicros: wall, logical: Math.max(last.logical, remote.logical) });
    } else if (wall === last.wallMicros) {
      next = bumpLogical(last);
    } else if (wall === remote.wallMicros) {
      next = bumpLogical(remote);
    } else {
      next = { wallMicros: wall, logical: 0 };
    }
    this.#last = next;
    return next;
  }

  /**
   * Moves the clock forward to at least `t` without the offset check. For
   * timestamps this node already vouches for, e.g. a persisted HLC upper
   * bound read back at restart, or its own lease.
   */
  forward(t: Timestamp): void {
    if (compareTimestamps(t, this.#last) > 0) this.#last = t;
  }

  toString(): string {
    return `Hlc(${formatTimestamp(this.#last)}, maxOffset=${this.maxOffsetMicros}µs)`;
  }
}

/** The next timestamp after `t`; overflowing 4 billion events in one µs spills into the wall time. */
function bumpLogical(t: Timestamp): Timestamp {
  if (t.logical >= logicalMax) return { wallMicros: t.wallMicros + 1, logical: 0 };
  return { wallMicros: t.wallMicros, logical: t.logical + 1 };
}
