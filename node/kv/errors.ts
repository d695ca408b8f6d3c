/**
 * Errors the KV layer returns to its clients, and their wire form. DistSender
 * follows NotLeaseholder, RangeKeyMismatch and RangeNotFound transparently;
 * the rest reach the caller.
 */
import {
  ConditionFailedError, InvalidArgumentError, ReadWithinUncertaintyIntervalError, WriteIntentError, WriteTooOldError,
} from '../storage/index.ts';
import { ClockOffsetError } from '../hlc/index.ts';
import { decodeDescriptor, encodeDescriptor, type RangeDescriptor } from './descriptor.ts';

/** This replica does not hold the range's lease; `leaseholderNodeId` is a hint (0: unknown). */
export class NotLeaseholderError extends Error {
  constructor(readonly rangeId: number, readonly leaseholderNodeId: number, reason = 'not the leaseholder') {
    super(`range ${rangeId}: ${reason}${leaseholderNodeId ? `; try node ${leaseholderNodeId}` : ''}`);
    this.name = 'NotLeaseholderError';
  }
}

/** The store has no replica of this range. */
export class RangeNotFoundError extends Error {
  constructor(readonly rangeId: number) {
    super(`range ${rangeId} not found`);
    this.name = 'RangeNotFoundError';
  }
}

/**
 * A request addressed keys the range does not (or no longer) cover; carries
 * the descriptors this store knows for the request's keys so the sender can
 * update its cache without a meta lookup.
 */
export class RangeKeyMismatchError extends Error {
  constructor(readonly rangeId: number, readonly descriptors: readonly RangeDescriptor[]) {
    super(`range ${rangeId} does not contain the requested keys`);
    this.name = 'RangeKeyMismatchError';
  }
}

/** A write may or may not have been applied (leadership changed before it was acknowledged). */
export class AmbiguousResultError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AmbiguousResultError';
  }
}

/** The range or node cannot serve now (no quorum, no lease, fenced clock); safe to retry elsewhere. */
export class UnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnavailableError';
  }
}

/** A request that is malformed or addresses keys it may not (never retried). */
export class InvalidRequestError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidRequestError';
  }
}

/** A KV error as it crosses the wire. */
export interface WireError {
  readonly error: string;
  readonly errorKind: string;
  readonly leaderNode?: number;
  readonly descriptors?: readonly Buffer[];
  readonly found?: boolean;
  readonly value?: Buffer;
}

/** The wire form of an error thrown by a store (unknown errors are 'internal'). */
export function errorToWire(error: unknown): WireError {
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof NotLeaseholderError) return { error: message, errorKind: 'notLeaseholder', leaderNode: error.leaseholderNodeId };
  if (error instanceof RangeNotFoundError) return { error: message, errorKind: 'rangeNotFound' };
  if (error instanceof RangeKeyMismatchError) return { error: message, errorKind: 'rangeKeyMismatch', descriptors: error.descriptors.map(encodeDescriptor) };
  if (error instanceof ConditionFailedError) {
    return { error: message, errorKind: 'conditionFailed', found: error.actualValue !== null, value: Buffer.from(error.actualValue ?? []) };
  }
  if (error instanceof AmbiguousResultError) return { error: message, errorKind: 'ambiguous' };
  if (error instanceof UnavailableError || error instanceof ClockOffsetError) return { error: message, errorKind: 'unavailable' };
  if (error instanceof InvalidArgumentError || error instanceof InvalidRequestError) return { error: message, errorKind: 'invalid' };
  if (error instanceof WriteIntentError) return { error: message, errorKind: 'writeIntent' };
  if (error instanceof WriteTooOldError) return { error: message, errorKind: 'writeTooOld' };
  if (error instanceof ReadWithinUncertaintyIntervalError) return { error: message, errorKind: 'uncertainty' };
  return { error: message, errorKind: 'internal' };
}

/** An error a remote store reported, as the client sees it. */
export class KvRemoteError extends Error {
  constructor(readonly kind: string, message: string, readonly actualValue?: Buffer | null) {
    super(message);
    this.name = 'KvRemoteError';
  }
}

/** Rebuilds the error a remote store reported: routing errors as their classes, the rest as KvRemoteError. */
export function errorFromWire(wire: WireError, rangeId: number): Error {
  switch (wire.errorKind) {
    case 'notLeaseholder': return new NotLeaseholderError(rangeId, wire.leaderNode ?? 0);
    case 'rangeNotFound': return new RangeNotFoundError(rangeId);
    case 'rangeKeyMismatch': {
      const descriptors: RangeDescriptor[] = [];
      for (const raw of wire.descriptors ?? []) {
        try {
          descriptors.push(decodeDescriptor(raw));
        } catch {
          // A descriptor we cannot read is only a hint.
        }
      }
      return new RangeKeyMismatchError(rangeId, descriptors);
    }
    case 'ambiguous': return new AmbiguousResultError(wire.error);
    case 'unavailable': return new UnavailableError(wire.error);
    case 'conditionFailed': return new KvRemoteError('conditionFailed', wire.error, wire.found ? (wire.value ?? Buffer.alloc(0)) : null);
    default: return new KvRemoteError(wire.errorKind || 'internal', wire.error);
  }
}
