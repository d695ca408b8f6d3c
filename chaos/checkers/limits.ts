/**
 * Limits of the checkers: every search is bounded, and so is every report.
 * A search that runs out of budget answers 'unknown' rather than hanging.
 */
import { assert } from '../history/assert.ts';

/** Linearizability: search steps per partition before answering 'unknown' (about 1–3 s of search). */
export const linearizableStepsMax = 10_000_000;
/** Linearizability: memoised configurations per partition before answering 'unknown' (about 90 bytes each: bounds memory near 200 MB). */
export const linearizableCacheEntriesMax = 2_000_000;
/** Linearizability counterexamples: how many operations of the longest linearizable prefix to show. */
export const counterexamplePrefixOpsMax = 10;
/** Linearizability counterexamples: how many concurrent candidates to show beside the stuck operation. */
export const counterexampleCandidatesMax = 10;

/** Cycle search: BFS node visits per check before leaving cycles unclassified (about 1 s). */
export const cycleSearchVisitsMax = 1_000_000;

/** Cycle search: largest component whose reachability is precomputed (a bitset per node: 32 MiB at this size). */
export const reachabilityNodesMax = 16_384;

/** Reports keep this many anomalies of each kind; the stats still count them all. */
export const anomaliesPerKindMax = 50;

assert(counterexamplePrefixOpsMax > 0, 'a counterexample shows at least one prefix operation');
assert(linearizableCacheEntriesMax <= linearizableStepsMax, 'each cache entry costs at least one step');
