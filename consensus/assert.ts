/**
 * Assertions for programmer bugs inside the Raft library (it imports nothing
 * of ours, so it carries its own). A failed assertion means the library or its
 * caller broke a contract; the process should stop rather than corrupt a log.
 */
export class RaftAssertionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RaftAssertionError';
  }
}

/** Throws RaftAssertionError when `condition` is falsy. */
export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new RaftAssertionError(message);
}

/** Ends an exhaustive switch: reaching it means a case was forgotten. */
export function unreachable(value: never): never {
  throw new RaftAssertionError(`unreachable: ${String(value)}`);
}
