/** Bounds on encoded values: a corrupt length can never make a decoder allocate without limit. */
export const valueBytesMax = 64 * 1024 * 1024;
/** Elements in one array value. */
export const valueArrayElementsMax = 1_000_000;
