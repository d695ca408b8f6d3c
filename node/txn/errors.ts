/**
 * Typed transaction errors and their mapping onto the KvError shape SQL
 * expects (`kind`, `retryable`, `actualValue`), done once here.
 */
import { formatTimestamp, type Timestamp } from '../hlc/index.ts';
import { ConditionFailedError, InvalidArgumentError, ReadWithinUncertaintyIntervalError } from '../storage/index.ts';

/** The kinds of sql/kv.ts's KvErrorKind, replicated (node/ does not import sql/). */
export type TxnErrorKind =
  | 'retry' | 'deadlock' | 'conditionFailed' | 'aborted' | 'ambiguous' | 'invalid' | 'cancelled' | 'unavailable' | 'limit';

export type RetryReason =
  | 'refreshFailed' | 'uncertainty' | 'writeTooOld' | 'lockWaitExhausted' | 'epochChanged' | 'pushedCommit';

export type AbortReason = 'pushed' | 'deadlock' | 'abandoned' | 'client';

/** An error as SQL sees it: satisfies sql/kv.ts's KvError structurally. */
export class KvTxnError extends Error {
  constructor(
    readonly kind: TxnErrorKind,
    readonly retryable: boolean,
    message: string,
    readonly actualValue?: Uint8Array | null,
  ) {
    super(message);
    this.name = 'KvTxnError';
  }
}

/** The transaction must restart at a later timestamp (SQLSTATE 40001). */
export class TxnRetryError extends KvTxnError {
  constructor(readonly reason: RetryReason, detail: string) {
    super('retry', true, `restart transaction (${reason}): ${detail}`);
    this.name = 'TxnRetryError';
  }
}

/** The transaction's record is ABORTED: another pushed it out, or it was a deadlock victim. */
export class TxnAbortedError extends KvTxnError {
  constructor(readonly reason: AbortReason) {
    super(reason === 'deadlock' ? 'deadlock' : 'aborted', true, `transaction aborted (${reason})`);
    this.name = 'TxnAbortedError';
  }
}

/** A push could not move or abort the pushee: the pusher keeps waiting. */
export class TxnPushFailedError extends Error {
  constructor(readonly pusheeId: Uint8Array) {
    super('push failed: pushee has priority and is alive');
    this.name = 'TxnPushFailedError';
  }
}

/** A request the evaluator rejects (wrong status, malformed). */
export class TxnInvalidError extends KvTxnError {
  constructor(message: string) {
    super('invalid', false, message);
    this.name = 'TxnInvalidError';
  }
}

/** A committed value lies in the reader's uncertainty interval; carries where to restart. */
export function uncertaintyRetry(error: ReadWithinUncertaintyIntervalError): TxnRetryError {
  return new TxnRetryError('uncertainty', `value at ${formatTimestamp(error.valueTimestamp)}`);
}

/** Maps anything a transaction operation threw onto a KvTxnError (errors already mapped pass through). */
export function toKvTxnError(error: unknown): KvTxnError {
  if (error instanceof KvTxnError) return error;
  if (error instanceof ConditionFailedError) return new KvTxnError('conditionFailed', false, error.message, error.actualValue);
  if (error instanceof ReadWithinUncertaintyIntervalError) return uncertaintyRetry(error);
  if (error instanceof InvalidArgumentError) return new KvTxnError('invalid', false, error.message);
  throw error;
}

/** A refresh found a newer write; the refresh cannot move the reads to `to`. */
export function refreshFailed(to: Timestamp, detail: string): TxnRetryError {
  return new TxnRetryError('refreshFailed', `cannot refresh to ${formatTimestamp(to)}: ${detail}`);
}
