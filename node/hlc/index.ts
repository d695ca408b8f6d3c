/**
 * node/hlc — hybrid logical clocks.
 *
 * - timestamp.ts: the Timestamp value (wall µs + logical), ordering, encoding.
 * - clock.ts: physical clocks (system, manual for tests, offset for chaos).
 * - hlc.ts: the Hlc (now, update with max-offset enforcement).
 */
export * from './timestamp.ts';
export { ManualClock, OffsetClock, SystemClock, type PhysicalClock } from './clock.ts';
export { Hlc, type HlcOptions } from './hlc.ts';
export { ClockOffsetError } from './errors.ts';
export { hlcMaxOffsetMicrosDefault } from './limits.ts';
