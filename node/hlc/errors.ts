import { formatTimestamp, type Timestamp } from './timestamp.ts';

/**
 * A remote timestamp was further ahead of the local physical clock than the
 * max offset allows: one of the two clocks is outside the tolerated skew, and
 * accepting the timestamp could break uncertainty intervals and leases.
 */
export class ClockOffsetError extends Error {
  /** How far the remote wall time is ahead of the local physical clock. */
  readonly aheadMicros: number;

  constructor(
    readonly remote: Timestamp,
    readonly localPhysicalMicros: number,
    readonly maxOffsetMicros: number,
  ) {
    const aheadMicros = remote.wallMicros - localPhysicalMicros;
    super(
      `remote timestamp ${formatTimestamp(remote)} is ${aheadMicros} µs ahead of the local clock ` +
        `${formatTimestamp({ wallMicros: localPhysicalMicros, logical: 0 })}, ` +
        `more than the max offset of ${maxOffsetMicros} µs`,
    );
    this.name = 'ClockOffsetError';
    this.aheadMicros = aheadMicros;
  }
}
