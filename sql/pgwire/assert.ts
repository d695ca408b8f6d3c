/**
 * Assertions for programmer bugs inside sql/pgwire (sql/ imports nothing of
 * ours, so the layer carries its own). Bad bytes from a client are not bugs:
 * they become `SqlError`s with a SQLSTATE.
 */
export class PgwireAssertionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PgwireAssertionError';
  }
}

/** Throws `PgwireAssertionError` unless `condition` holds. */
export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new PgwireAssertionError(message);
}

/** Ends an exhaustive switch: the type checker proves it is never reached. */
export function unreachable(value: never): never {
  throw new PgwireAssertionError(`unreachable: ${String(value)}`);
}
