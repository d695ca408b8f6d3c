/**
 * Bounds of sql/encoding. A corrupt length or count can never make a decoder
 * allocate or loop without limit, and a writer never grows past what a KV
 * value could carry.
 */
import { assert } from './assert.ts';

const MiB = 1024 * 1024;

/** Largest buffer a `ByteWriter` grows to: a key or row value beyond this is refused. */
export const encodedBytesMax = 64 * MiB;
/** Capacity a `ByteWriter` starts with by default. */
export const writerBytesDefault = 256;

/** PostgreSQL numeric: at most 131072 digits before the decimal point. */
export const decimalIntegerDigitsMax = 131_072;
/** PostgreSQL numeric: at most 16383 digits after the decimal point. */
export const decimalFractionDigitsMax = 16_383;

/** Elements in one array value (PostgreSQL's MaxArraySize is about 134 million; rows are smaller). */
export const arrayElementsMax = 1_000_000;
/** Nesting of arrays in one value (PostgreSQL's MAXDIM). */
export const arrayDepthMax = 6;

/** Largest column ID a row value accepts (IDs start at 1). */
export const columnIdMax = 2 ** 31 - 1;

assert(writerBytesDefault <= encodedBytesMax, 'a writer starts within its bound');
assert(arrayElementsMax <= encodedBytesMax, 'every array element takes at least one byte');
assert(columnIdMax * 32 < Number.MAX_SAFE_INTEGER, 'a row column header (ID delta × 32 + tag) is a safe integer');
