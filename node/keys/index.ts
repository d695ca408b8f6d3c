/**
 * node/keys — the layout of Meridian's single ordered key space.
 *
 *   /Local (0x01)  store-local, range-ID-local and range-local keys
 *   /Meta  (0x02)  meta(endKey) → RangeDescriptor
 *   /System (0x03) liveness, settings, tenant records, zone configs, ID generators
 *   /Tenant/<id> (0x04 …)  everything a tenant owns, the system tenant (1) included
 *   KeyMax (0xff 0xff)
 *
 * - layout.ts: the prefixes and every key constructor and decoder.
 * - bytes.ts: comparison, prefixEnd/keyNext, order-preserving integers, key escaping.
 * - span.ts: half-open spans and their set operations.
 * - pretty.ts: readable keys for logs and errors, with a hook for SQL's table keys.
 * - limits.ts: key size and ID bounds.
 *
 * Keys are plain `Uint8Array`s (constructors return `Buffer`s, which are
 * Uint8Arrays). They are deliberately not branded: keys arrive from SQL's
 * encoder, the wire, and storage iterators, and every byte string is a
 * well-ordered key, so a brand would mean casts at each of those boundaries
 * without ruling out a real mistake. Validity that does matter (size, range)
 * is checked by `validateUserKey` where a client's key enters KV.
 *
 * User keys are opaque ordered bytes here: only SQL knows what is inside a
 * tenant's keys.
 */
export {
  compareKeys, concatBytes, decodeEscapedKey, decodeOrderedUint, encodeEscapedKey, encodeOrderedUint, hasPrefix,
  keyMax, keyMin, keyNext, keysEqual, prefixEnd,
} from './bytes.ts';
export * from './layout.ts';
export {
  everythingSpan, intersectSpans, spanContainsKey, spanContainsSpan, spanEnd, spanIsEmpty, spansOverlap, type Span,
} from './span.ts';
export { prettyKey, prettySpan, quoteBytes, registerTenantKeyPrinter, type TenantKeyPrinter } from './pretty.ts';
export { InvalidKeyError } from './errors.ts';
export { idMax, orderedUintBytesMax, userKeyBytesMax } from './limits.ts';
