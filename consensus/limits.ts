/**
 * Limits of the Raft library, named with their units last. RaftConfig values
 * are checked against them when a RawNode is built (config.ts); the relations
 * between them are checked once, when this module loads.
 */
import { assert } from './assert.ts';

const KiB = 1024;
const MiB = 1024 * KiB;

/** Largest payload of one entry accepted by propose() or from the network. */
export const entryBytesMax = 64 * MiB;
/** Bytes an entry counts for beyond its payload in size limits (index, term, type). */
export const entryOverheadBytes = 24;
/** Default bytes of entries per append message. */
export const appendBytesDefault = 1 * MiB;
/** Default append messages in flight per follower. */
export const inflightMessagesDefault = 256;
/** Most append messages in flight per follower that a configuration may ask for. */
export const inflightMessagesMax = 64 * KiB;
/** Default bytes of uncommitted proposals a leader accepts before dropping proposals. */
export const uncommittedBytesDefault = 256 * MiB;
/** Default bytes of committed entries handed out to apply in one Ready. */
export const committedBytesPerReadyDefault = 64 * MiB;
/** Pending ReadIndex requests per leader; more are dropped (the caller retries). */
export const readIndexPendingMax = 100_000;
/** Largest context of a ReadIndex request. */
export const readContextBytesMax = 64 * KiB;
/** Most voters plus learners in one configuration. */
export const membersMax = 1024;
/** Most single changes in one membership change. */
export const confChangesMax = 64;
/** Largest election timeout a configuration may ask for, in ticks. */
export const electionTicksMax = 1_000_000;

assert(appendBytesDefault <= entryBytesMax, 'an append message budget must not exceed the entry size limit');
assert(entryBytesMax <= uncommittedBytesDefault, 'one entry must fit in the default uncommitted budget');
assert(inflightMessagesDefault <= inflightMessagesMax, 'the default window must be within the maximum');
assert(confChangesMax <= membersMax, 'a membership change cannot touch more replicas than a configuration holds');
