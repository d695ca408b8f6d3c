/**
 * SQLSTATE codes as a branded type: only `sqlState()` (which checks the
 * shape) and the named constants below make one, so a message text can never
 * be passed where a code is expected. Names follow PostgreSQL's
 * errcodes.txt. The SQL layer will gather shared codes in `sql/errors.ts`;
 * these stay self-contained so pgwire depends on nothing.
 */
import { assert } from './assert.ts';

declare const sqlStateBrand: unique symbol;
/** A five-character SQLSTATE, e.g. `28P01`. */
export type SqlState = string & { readonly [sqlStateBrand]: true };

/** Brands `code` as a SQLSTATE; asserts it is five digits or capital letters. */
export function sqlState(code: string): SqlState {
  assert(/^[0-9A-Z]{5}$/.test(code), `SQLSTATE ${JSON.stringify(code)} is five digits or capital letters`);
  return code as SqlState;
}

/** The class of a SQLSTATE: its first two characters (e.g. `08` connection exception). */
export function sqlStateClass(code: SqlState): string {
  return code.slice(0, 2);
}

// Class 00, 01: success and warnings (for notices).
export const successfulCompletion = sqlState('00000');
export const warning = sqlState('01000');
// Class 08: connection exceptions.
export const connectionException = sqlState('08000');
export const connectionFailure = sqlState('08006');
export const protocolViolation = sqlState('08P01');
// Class 0A: feature not supported.
export const featureNotSupported = sqlState('0A000');
// Class 22: data exceptions.
export const stringDataRightTruncation = sqlState('22001');
export const numericValueOutOfRange = sqlState('22003');
export const invalidDatetimeFormat = sqlState('22007');
export const datetimeFieldOverflow = sqlState('22008');
export const divisionByZero = sqlState('22012');
export const intervalFieldOverflow = sqlState('22015');
export const characterNotInRepertoire = sqlState('22021');
export const invalidParameterValue = sqlState('22023');
export const invalidTextRepresentation = sqlState('22P02');
export const invalidBinaryRepresentation = sqlState('22P03');
export const badCopyFileFormat = sqlState('22P04');
export const untranslatableCharacter = sqlState('22P05');
// Class 25, 26, 28, 34: transaction state, statements, authorization, cursors.
export const activeSqlTransaction = sqlState('25001');
export const inFailedSqlTransaction = sqlState('25P02');
export const invalidSqlStatementName = sqlState('26000');
export const invalidAuthorizationSpecification = sqlState('28000');
export const invalidPassword = sqlState('28P01');
export const invalidCursorName = sqlState('34000');
// Class 3D, 40, 42: catalog, transaction rollback, syntax and access.
export const invalidCatalogName = sqlState('3D000');
export const serializationFailure = sqlState('40001');
export const deadlockDetected = sqlState('40P01');
export const syntaxError = sqlState('42601');
export const datatypeMismatch = sqlState('42804');
export const undefinedTable = sqlState('42P01');
export const duplicatePreparedStatement = sqlState('42P05');
export const duplicateCursor = sqlState('42P03');
// Class 53, 54, 57: resources, limits, operator intervention.
export const outOfMemory = sqlState('53200');
export const tooManyConnections = sqlState('53300');
export const programLimitExceeded = sqlState('54000');
export const queryCanceled = sqlState('57014');
export const adminShutdown = sqlState('57P01');
export const idleSessionTimeout = sqlState('57P05');
// Class XX: internal errors.
export const internalError = sqlState('XX000');
