/**
 * Assertions for programmer bugs inside sql/encoding (sql/ imports nothing of
 * ours, so the layer carries its own). Bad bytes and bad datums are not bugs:
 * they throw `EncodingError`.
 */
export class EncodingAssertionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EncodingAssertionError';
  }
}

/** Throws `EncodingAssertionError` unless `condition` holds. */
export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new EncodingAssertionError(message);
}

/** Ends an exhaustive switch: the type checker proves it is never reached. */
export function unreachable(value: never): never {
  throw new EncodingAssertionError(`unreachable: ${String(value)}`);
}
