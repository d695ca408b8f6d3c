/**
 * Bounds of sql/pgwire. A client can make the server hold at most one
 * message of `messageBytesMax` plus one socket chunk per connection, and
 * every count read off the wire is checked before it drives a loop or an
 * allocation. Defaults for options (timeouts, connection count) are here too.
 */
import { assert } from './assert.ts';

const KiB = 1024;
const MiB = 1024 * KiB;

/** Largest frontend message (its length word included). PostgreSQL allows 1 GiB; rows are far smaller here. */
export const messageBytesMax = 64 * MiB;
/** Largest control message (Describe, Close, Execute, Sync, Flush, SASL responses…): PostgreSQL's PQ_SMALL_MESSAGE_LIMIT. */
export const smallMessageBytesMax = 10_000;
/** Largest startup packet, SSLRequest and CancelRequest included: PostgreSQL's MAX_STARTUP_PACKET_LENGTH. */
export const startupPacketBytesMax = 10_000;
/** SSLRequest / GSSENCRequest rounds a client may make before its StartupMessage. */
export const startupNegotiationsMax = 2;
/** Startup parameters (name/value pairs) in one StartupMessage. */
export const startupParametersMax = 64;

/** Largest backend message we build (one DataRow, say); beyond it the statement fails with 54000. */
export const outgoingMessageBytesMax = 256 * MiB;
/** Initial capacity of a connection's output buffer. */
export const outputBytesInitial = 16 * KiB;
/** The output buffer is handed to the socket once it holds this much, even mid-statement. */
export const outputFlushBytes = 64 * KiB;
/** Above this many bytes queued in the socket, rows report backpressure and reading stops. */
export const outputBufferedBytesHigh = 1 * MiB;
/** Output buffers that grew beyond this are released when a flush empties them. */
export const outputBytesRetainedMax = 1 * MiB;

/** While a statement runs, reading from its socket stops once this much further input is buffered. */
export const inputBacklogBytesMax = 256 * KiB;

/** Parameters in one Bind (the count is an Int16 on the wire). */
export const bindParametersMax = 65_535;
/** Elements of one array value decoded from a client. */
export const arrayElementsMax = 1_000_000;
/** Base-10000 digits of a binary numeric: PostgreSQL's 131072 integer + 16383 fraction decimal digits. */
export const numericDigitsMax = Math.ceil(131_072 / 4) + Math.ceil(16_383 / 4) + 1;
/** Decimal digits of a text numeric (integer and fraction parts together). */
export const numericTextDigitsMax = 131_072 + 16_383;
/** PostgreSQL's largest numeric display scale (NUMERIC_DSCALE_MAX). */
export const numericScaleMax = 16_383;

/** Largest COPY row (one line of text or CSV, quoted newlines included). */
export const copyRowBytesMax = 64 * MiB;
/** Fields in one COPY row (PostgreSQL's MaxHeapAttributeNumber). */
export const copyFieldsMax = 1_600;

/** Open client sessions (past the StartupMessage); the next gets 53300. */
export const connectionsMaxDefault = 100;
/** Sockets allowed beyond `connectionsMax`: cancel requests and connections still in startup. */
export const socketsExtraMax = 64;
/** A connection must finish startup and authentication within this (PostgreSQL's authentication_timeout). */
export const startupTimeoutMsDefault = 60_000;
/** Idle sessions are closed with 57P05 after this; 0 turns it off (PostgreSQL's idle_session_timeout). */
export const idleTimeoutMsDefault = 0;
/** A closing connection whose client does not read its last messages is cut after this. */
export const terminateGraceMs = 2_000;
/** `PgServer.close` lets busy connections finish this long before cutting them. */
export const closeGraceMsDefault = 5_000;

/** SCRAM iterations for new verifiers (PostgreSQL's scram_iterations default). */
export const scramIterationsDefault = 4_096;
/** Verifiers with more iterations are refused: a stored verifier must not make a login arbitrarily slow. */
export const scramIterationsMax = 1_000_000;
/** Salt length of new SCRAM verifiers (PostgreSQL's SCRAM_DEFAULT_SALT_LEN). */
export const scramSaltBytes = 16;
/** Random bytes in the server's SCRAM nonce (PostgreSQL's SCRAM_RAW_NONCE_LEN). */
export const scramNonceBytes = 18;

/** Seconds a self-signed demo certificate stays valid. */
export const selfSignedCertificateDays = 365;
/** The `openssl` run that makes a demo certificate must finish within this. */
export const opensslTimeoutMs = 20_000;

assert(smallMessageBytesMax <= messageBytesMax, 'control messages are messages');
assert(startupPacketBytesMax <= messageBytesMax, 'a startup packet is a message');
assert(messageBytesMax < 2 ** 31, 'a message length fits the Int32 length word');
assert(outgoingMessageBytesMax < 2 ** 31, 'an outgoing message length fits the Int32 length word');
assert(outputFlushBytes <= outputBufferedBytesHigh, 'a flush does not by itself reach the high-water mark');
assert(outputBytesInitial <= outputBytesRetainedMax, 'the initial output buffer is retained');
assert(inputBacklogBytesMax <= messageBytesMax, 'a backlog is smaller than a message');
assert(bindParametersMax <= 0xffff, 'the parameter count is an Int16');
assert(scramIterationsDefault <= scramIterationsMax, 'new verifiers are accepted');
