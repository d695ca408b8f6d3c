/** Bounds of the hybrid logical clock, checked against each other when the module loads. */
import { assert } from '../assert.ts';

/**
 * Default tolerated clock skew between nodes: 500 ms, as CockroachDB's
 * default. Reads wait out or restart within this uncertainty window, so it
 * trades read latency under contention for tolerance of poorly synced clocks.
 */
export const hlcMaxOffsetMicrosDefault = 500_000;
/** The logical counter is a uint32 (4 bytes of the 12-byte encoding). */
export const logicalMax = 0xffff_ffff;

assert(hlcMaxOffsetMicrosDefault > 0, 'a zero max offset would reject every clock but a perfect one');
assert(hlcMaxOffsetMicrosDefault < 60_000_000, 'a max offset of a minute or more makes uncertainty meaningless');
