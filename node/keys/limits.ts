/**
 * Bounds on keys, checked against each other when the module loads.
 */
import { assert } from '../assert.ts';

/**
 * Largest key a client may write, tenant prefix included. A user key is
 * stored once per MVCC version and again in meta and range-local keys (where
 * escaping can double it), and LevelDB keeps index blocks of keys in memory,
 * so keys stay small; large data belongs in values. PostgreSQL's index tuples
 * are limited to about a third of an 8 KiB page; CockroachDB suggests keys
 * under a few KiB. 16 KiB leaves room for composite SQL keys.
 */
export const userKeyBytesMax = 16 * 1024;
/** Node, store, range and tenant identifiers are positive integers below 2^53 (exact in a JS number). */
export const idMax = Number.MAX_SAFE_INTEGER;
/** Payload bytes of an order-preserving integer in a key: 7 bytes hold every safe integer. */
export const orderedUintBytesMax = 7;

assert(2 ** (8 * orderedUintBytesMax) > idMax, 'every ID must fit in an ordered integer');
assert(userKeyBytesMax > 0, 'the user key limit must admit some key');
assert(userKeyBytesMax <= 64 * 1024, 'user keys must stay small enough for LevelDB index blocks');
