import { formatTimestamp, type Timestamp } from './timestamp.ts';

/** A remote timestamp was further ahead of the local physical clock than the max offset allows. */
export class ClockOffsetError extends Error {
  constructor(
    readonly remote: Timestamp,
    readonly localPhysicalMicros: number,
    readonly maxOffsetMicros: number,
  ) {
    const aheadMicros = remote.wallMicros - localPhysicalMicros;
    super(
      `remote timestamp ${formatTimestamp(remote)} is ${aheadMicros} µs ahead of the local clock ` +
        `(${localPhysicalMicros} µs), more than the max offset of ${maxOffsetMicros} µs`,
    );
    this.name = 'ClockOffsetError';
  }
}
