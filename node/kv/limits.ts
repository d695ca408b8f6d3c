/** Limits of the KV layer. */

/** Recent Raft entries kept in memory per replica (the leader replicates from here). */
export const raftEntryCacheEntriesMax = 4096;
