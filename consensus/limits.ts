/** Limits of the Raft library; callers may lower them through RaftConfig. */
import { assert } from './assert.ts';

const MiB = 1024 * 1024;

/** Largest single entry accepted by propose(). */
export const entryBytesMax = 64 * MiB;
/** Default bytes of entries per append message. */
export const appendBytesDefault = 1 * MiB;
/** Default append messages in flight per follower. */
export const inflightMessagesDefault = 256;
/** Bytes of uncommitted proposals a leader accepts before dropping proposals. */
export const uncommittedBytesDefault = 256 * MiB;
/** Entries handed out to apply in one Ready. */
export const committedBytesPerReadyDefault = 64 * MiB;
/** Pending ReadIndex requests per leader. */
export const readIndexPendingMax = 100_000;

assert(appendBytesDefault <= entryBytesMax, 'an append message must be able to carry any entry size budget');
