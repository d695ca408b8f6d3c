/** Typed storage errors: callers branch on the class, never on message text. */
import { formatTimestamp, type Timestamp } from '../hlc/index.ts';
import { prettyKey } from '../keys/index.ts';
import type { TxnMeta } from './mvcc-value.ts';

export class StorageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** Stored bytes failed to decode or verify: the store may be corrupt. */
export class CorruptionError extends StorageError {}

/** A key or value the engine refuses (empty key, over a size limit). */
export class InvalidArgumentError extends StorageError {}

/** A committed version exists at or above the write timestamp. */
export class WriteTooOldError extends StorageError {
  constructor(
    readonly key: Uint8Array,
    readonly writeTimestamp: Timestamp,
    /** The lowest timestamp the write could succeed at. */
    readonly actualTimestamp: Timestamp,
  ) {
    super(
      `write at ${formatTimestamp(writeTimestamp)} on ${prettyKey(key)} is too old; ` +
        `retry at ${formatTimestamp(actualTimestamp)}`,
    );
  }
}

export interface IntentConflict {
  readonly key: Uint8Array;
  readonly txn: TxnMeta;
}

/** A read or write met other transactions' intents it must not see past. */
export class WriteIntentError extends StorageError {
  constructor(readonly intents: readonly IntentConflict[]) {
    super(
      `conflicting intents on ${intents.map((i) => prettyKey(i.key)).slice(0, 5).join(', ')}` +
        (intents.length > 5 ? ` and ${intents.length - 5} more` : ''),
    );
  }
}

/** A committed value lies in (read timestamp, uncertainty limit]: the reader must restart above it. */
export class ReadWithinUncertaintyIntervalError extends StorageError {
  constructor(
    readonly key: Uint8Array,
    readonly readTimestamp: Timestamp,
    readonly valueTimestamp: Timestamp,
  ) {
    super(
      `read at ${formatTimestamp(readTimestamp)} on ${prettyKey(key)} encountered a value at ` +
        `${formatTimestamp(valueTimestamp)} within the uncertainty interval`,
    );
  }
}

/** A conditional put found a different value (null: the key was absent). */
export class ConditionFailedError extends StorageError {
  constructor(
    readonly key: Uint8Array,
    readonly actualValue: Uint8Array | null,
  ) {
    super(`unexpected value on ${prettyKey(key)}`);
  }
}

/** An intent resolution named a transaction that does not own the intent (or no intent exists). */
export class IntentMismatchError extends StorageError {}
