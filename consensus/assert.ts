/** Assertions for programmer bugs inside the Raft library (it imports nothing of ours). */
export class RaftAssertionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RaftAssertionError';
  }
}

export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new RaftAssertionError(message);
}
