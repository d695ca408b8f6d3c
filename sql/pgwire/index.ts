/**
 * sql/pgwire — Meridian's PostgreSQL wire-protocol server (protocol 3.0) on
 * node:net / node:tls. It knows bytes, not SQL: statements go to the engine
 * through the interface in engine.ts.
 *
 * - server.ts: `PgServer` — listen, connection and session limits, cancel
 *   routing, draining close. options.ts: its options and reported parameters.
 * - connection.ts: one connection's state machine (startup, TLS upgrade,
 *   authentication, simple and extended query, COPY), its message pump and
 *   flow control. output.ts: the `StatementOutput` given to the engine.
 * - engine.ts: the seam — `SessionFactory`, `EngineSession`,
 *   `StatementOutput`, `ClientChannel`, and the shapes crossing it.
 * - framer.ts (length-checked message splitting), reader.ts (bounded field
 *   reads), startup.ts and frontend.ts (client messages as typed unions),
 *   backend.ts (server messages), rows.ts (RowDescription/DataRow encoding,
 *   the hot path), writer.ts (the output buffer).
 * - auth.ts + scram.ts: SCRAM-SHA-256 and cleartext password against stored
 *   verifiers. tls.ts: a self-signed demo certificate via openssl.
 * - codecs/: text and binary forms of the common types by type OID.
 * - copy.ts: COPY text and CSV parsers and formatters for the engine.
 * - errors.ts + sqlstate.ts: `SqlError`, notices, branded SQLSTATEs.
 * - limits.ts: every bound and default.
 */
export { PgServer } from './server.ts';
export {
  defaultReportedParameters, serverVersionDefault,
  type PgServerOptions, type Timers, type TlsIdentity,
} from './options.ts';
export type {
  AuthMethod, AuthRequest, BindRequest, ClientChannel, CopyFormat, CopyOutWriter, EngineSession, MaybePromise,
  PrepareRequest, ResultColumn, RowShape, SessionFactory, SessionStartup, StatementDescription, StatementOutput,
  TransactionStatus,
} from './engine.ts';
export { textRowShape } from './rows.ts';
export { SqlError, type ErrorFields, type ErrorSeverity, type Notice, type NoticeSeverity, type SqlErrorOptions } from './errors.ts';
export * from './sqlstate.ts';
export { PgwireAssertionError } from './assert.ts';
export {
  makeScramVerifier, parseScramVerifier, saslPrep, scramMechanism, verifyCleartextPassword,
  type MakeScramVerifierOptions, type ScramVerifier,
} from './scram.ts';
export { generateSelfSignedCertificate, type SelfSignedOptions } from './tls.ts';
export {
  CopyCsvParser, CopyTextParser, formatCopyCsvRow, formatCopyTextRow,
  type CopyCsvOptions, type CopyRow, type CopyTextOptions,
} from './copy.ts';
export * from './codecs/oids.ts';
export type { Codec } from './codecs/codec.ts';
export type { BufferWriter } from './writer.ts';
export {
  arrayOidOf, binaryFormat, codecFor, elementOidOf, formatBinary, formatText, parseBinary, parseText,
  registeredCodecs, textFormat, typeSizeOf, type FormatCode,
} from './codecs/registry.ts';
export { formatDecimal, parseDecimal, type Decimal } from './codecs/numeric.ts';
export { formatInterval, parseInterval, type Interval } from './codecs/interval.ts';
export {
  civilFromDays, dateInfinity, dateNegInfinity, daysFromCivil, formatDate, formatTimestamp, parseDate, parseTime,
  parseTimestamp, timestampInfinity, timestampNegInfinity,
} from './codecs/datetime.ts';
export { formatFloat4, formatFloat8 } from './codecs/float.ts';
export { formatUuid, parseUuid } from './codecs/text.ts';
export * as limits from './limits.ts';
