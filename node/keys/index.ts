/**
 * node/keys — the layout of Meridian's single ordered key space.
 *
 * - layout.ts: prefixes (/Local, /Meta, /System, /Tenant/<id>) and every key
 *   constructor and decoder: range-ID-local keys (Raft log, hard state,
 *   applied state, lease, stats), range-local keys (descriptors, transaction
 *   records), meta addressing, system keys, tenant prefixes.
 * - bytes.ts: comparison, prefixEnd/keyNext, order-preserving integers, key escaping.
 * - span.ts: half-open spans and their set operations.
 * - pretty.ts: readable keys for logs and errors.
 *
 * User keys are opaque ordered bytes here: only SQL knows what is inside a
 * tenant's keys.
 */
export {
  compareKeys, concatBytes, decodeEscapedKey, decodeOrderedUint, encodeEscapedKey, encodeOrderedUint, hasPrefix,
  keyMax, keyMin, keyNext, keysEqual, prefixEnd,
} from './bytes.ts';
export * from './layout.ts';
export { intersectSpans, spanContainsKey, spanContainsSpan, spanIsEmpty, spansOverlap, type Span } from './span.ts';
export { prettyKey, prettySpan, quoteBytes, registerTenantKeyPrinter, type TenantKeyPrinter } from './pretty.ts';
export { InvalidKeyError } from './errors.ts';
export { idMax, userKeyBytesMax } from './limits.ts';
