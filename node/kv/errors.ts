/** Errors the KV layer returns to its clients (DistSender follows some of them). */

/** This replica is not the leader (leaseholder); `leaderNodeId` is a hint (0: unknown). */
export class NotLeaderError extends Error {
  constructor(readonly rangeId: number, readonly leaderNodeId: number) {
    super(`range ${rangeId}: not the leader${leaderNodeId ? `; try node ${leaderNodeId}` : ''}`);
    this.name = 'NotLeaderError';
  }
}

/** The store has no replica of this range. */
export class RangeNotFoundError extends Error {
  constructor(readonly rangeId: number) {
    super(`range ${rangeId} not found`);
    this.name = 'RangeNotFoundError';
  }
}

/** A write may or may not have been applied (leadership changed before it was acknowledged). */
export class AmbiguousResultError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AmbiguousResultError';
  }
}
