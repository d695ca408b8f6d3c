/**
 * Assertions for programmer bugs in the harness (a workload that completes an
 * operation it never invoked, a checker that breaks its own invariant). Bad
 * input from the outside world, such as a malformed history file, is a typed
 * `HistoryError` instead, so a caller can tell the two apart.
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
