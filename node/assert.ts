/**
 * Assertions for programmer bugs. A failed assertion means the node's state can
 * no longer be trusted, so it throws rather than carrying on (TigerBeetle style).
 * Expected failures from the outside world are typed errors, never assertions.
 */
export class AssertionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AssertionError';
  }
}

/** Throws an AssertionError when `condition` is false. */
export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new AssertionError(message);
}

/** Marks a branch that exhaustive type checking proves unreachable. */
export function unreachable(value: never, message = 'unreachable'): never {
  throw new AssertionError(`${message}: ${JSON.stringify(value)}`);
}
