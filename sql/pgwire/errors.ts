/**
 * `SqlError`: an expected failure with a SQLSTATE, the one error type that
 * crosses the engine seam and reaches the client as an ErrorResponse. The
 * optional fields are PostgreSQL's ErrorResponse fields; `Notice` carries the
 * same fields for NoticeResponse.
 */
import type { SqlState } from './sqlstate.ts';
import { protocolViolation } from './sqlstate.ts';

/** Severity of an error: ERROR ends the statement; FATAL also ends the connection. */
export type ErrorSeverity = 'ERROR' | 'FATAL' | 'PANIC';
/** Severity of a notice. */
export type NoticeSeverity = 'WARNING' | 'NOTICE' | 'DEBUG' | 'INFO' | 'LOG';

/** The optional fields of ErrorResponse and NoticeResponse (protocol "Error and Notice Message Fields"). */
export interface ErrorFields {
  /** D: a secondary message with more detail. */
  readonly detail?: string;
  /** H: a suggestion what to do about it. */
  readonly hint?: string;
  /** P: 1-based character position in the statement text. */
  readonly position?: number;
  /** p, q: position in and text of an internally generated statement. */
  readonly internalPosition?: number;
  readonly internalQuery?: string;
  /** W: the context (call stack) in which it happened. */
  readonly where?: string;
  /** s, t, c, d, n: the schema, table, column, data type and constraint involved. */
  readonly schema?: string;
  readonly table?: string;
  readonly column?: string;
  readonly dataType?: string;
  readonly constraint?: string;
}

export interface SqlErrorOptions extends ErrorFields {
  /** Defaults to ERROR. FATAL closes the connection after the message. */
  readonly severity?: ErrorSeverity;
  readonly cause?: unknown;
}

/** An expected failure with a SQLSTATE; callers branch on `code`, never on the message. */
export class SqlError extends Error {
  readonly code: SqlState;
  readonly severity: ErrorSeverity;
  readonly fields: ErrorFields;

  constructor(code: SqlState, message: string, options: SqlErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SqlError';
    this.code = code;
    this.severity = options.severity ?? 'ERROR';
    const { severity: _severity, cause: _cause, ...fields } = options;
    this.fields = fields;
  }

  /** D field, for the common case. */
  get detail(): string | undefined {
    return this.fields.detail;
  }

  /** H field, for the common case. */
  get hint(): string | undefined {
    return this.fields.hint;
  }
}

/** A NoticeResponse: informational, never ends anything. */
export interface Notice extends ErrorFields {
  readonly severity: NoticeSeverity;
  readonly code: SqlState;
  readonly message: string;
}

/** A FATAL 08P01: the client broke the protocol; the connection ends. */
export function protocolError(message: string): SqlError {
  return new SqlError(protocolViolation, message, { severity: 'FATAL' });
}
