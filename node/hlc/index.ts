/**
 * node/hlc — hybrid logical clocks.
 *
 * - timestamp.ts: the Timestamp value (wall µs + uint32 logical), ordering,
 *   the 12-byte order-preserving encoding, formatting.
 * - clock.ts: physical clocks — SystemClock, ManualClock for tests,
 *   OffsetClock to skew a node on purpose (chaos).
 * - hlc.ts: the Hlc — now() for local and send events, update(remote) for
 *   receive events with max-offset enforcement (ClockOffsetError).
 * - limits.ts: the default max offset (500 ms) and the logical counter's range.
 *
 * Every node owns one Hlc over an injected PhysicalClock, so a test or
 * simulator can run several nodes with differently skewed clocks in one process.
 */
export * from './timestamp.ts';
export { ManualClock, OffsetClock, SystemClock, type PhysicalClock } from './clock.ts';
export { Hlc, type HlcOptions } from './hlc.ts';
export { ClockOffsetError } from './errors.ts';
export { hlcMaxOffsetMicrosDefault, logicalMax } from './limits.ts';
