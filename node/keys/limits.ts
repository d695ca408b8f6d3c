/**
 * Bounds on keys. A user key is stored once per MVCC version and again in meta
 * and range-local keys, and LevelDB keeps index blocks of keys in memory, so
 * keys stay small; large data belongs in values. PostgreSQL's index tuples
 * are limited to about a third of an 8 KiB page; CockroachDB suggests keys
 * under a few KiB. 16 KiB leaves room for composite SQL keys.
 */
export const userKeyBytesMax = 16 * 1024;
/** Node, store and range identifiers are positive integers below 2^53. */
export const idMax = Number.MAX_SAFE_INTEGER;
