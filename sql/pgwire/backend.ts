/**
 * Backend (server → client) messages, written straight into a connection's
 * `BufferWriter` (protocol 3.0, "Message Formats"). One function per message;
 * each writes one whole message or, on failure, nothing.
 */
import type { SqlError, Notice, ErrorFields } from './errors.ts';
import type { Oid } from './codecs/oids.ts';
import type { CopyFormat, TransactionStatus } from './engine.ts';
import type { BufferWriter } from './writer.ts';

const ascii = (c: string): number => c.charCodeAt(0);

/** Authentication request codes ('R'): Ok, CleartextPassword, SASL, SASLContinue, SASLFinal. */
export const authOk = 0;
export const authCleartextPassword = 3;
export const authSasl = 10;
export const authSaslContinue = 11;
export const authSaslFinal = 12;

/** An Authentication request ('R') with its code and optional SASL data (Ok, CleartextPassword, SASLContinue, SASLFinal). */
export function writeAuthentication(w: BufferWriter, code: number, data?: string): void {
  const start = w.begin(ascii('R'));
  w.i32(code);
  if (data !== undefined) w.utf8(data);
  w.end(start);
}

/** AuthenticationSASL with its list of mechanisms. */
export function writeAuthenticationSasl(w: BufferWriter, mechanisms: readonly string[]): void {
  const start = w.begin(ascii('R'));
  w.i32(authSasl);
  for (const m of mechanisms) w.cstring(m);
  w.u8(0);
  w.end(start);
}

/** ParameterStatus ('S'): a reported run-time parameter and its value. */
export function writeParameterStatus(w: BufferWriter, name: string, value: string): void {
  const start = w.begin(ascii('S'));
  w.cstring(name);
  w.cstring(value);
  w.end(start);
}

/** BackendKeyData ('K'): the process ID and secret a CancelRequest must quote. */
export function writeBackendKeyData(w: BufferWriter, processId: number, secretKey: number): void {
  const start = w.begin(ascii('K'));
  w.i32(processId);
  w.i32(secretKey);
  w.end(start);
}

/** ReadyForQuery ('Z') with the transaction status. */
export function writeReadyForQuery(w: BufferWriter, status: TransactionStatus): void {
  const start = w.begin(ascii('Z'));
  w.u8(ascii(status));
  w.end(start);
}

/** NegotiateProtocolVersion: the version we speak (major << 16 | minor) and the options we ignored. */
export function writeNegotiateProtocolVersion(w: BufferWriter, version: number, unrecognized: readonly string[]): void {
  const start = w.begin(ascii('v'));
  w.i32(version);
  w.i32(unrecognized.length);
  for (const option of unrecognized) w.cstring(option);
  w.end(start);
}

/** Field codes of ErrorResponse/NoticeResponse for the optional fields. */
const fieldCodes: readonly (readonly [keyof ErrorFields, string])[] = [
  ['detail', 'D'], ['hint', 'H'], ['position', 'P'], ['internalPosition', 'p'], ['internalQuery', 'q'],
  ['where', 'W'], ['schema', 's'], ['table', 't'], ['column', 'c'], ['dataType', 'd'], ['constraint', 'n'],
];

function writeFields(w: BufferWriter, severity: string, code: string, message: string, fields: ErrorFields): void {
  w.u8(ascii('S'));
  w.cstring(severity);
  w.u8(ascii('V'));
  w.cstring(severity);
  w.u8(ascii('C'));
  w.cstring(code);
  w.u8(ascii('M'));
  w.cstring(message.replaceAll('\0', ''));
  for (const [key, fieldCode] of fieldCodes) {
    const value = fields[key];
    if (value === undefined) continue;
    w.u8(ascii(fieldCode));
    w.cstring(String(value).replaceAll('\0', ''));
  }
  w.u8(0);
}

/** ErrorResponse ('E'): severity, SQLSTATE, message and the optional fields. */
export function writeErrorResponse(w: BufferWriter, error: SqlError): void {
  const start = w.begin(ascii('E'));
  writeFields(w, error.severity, error.code, error.message, error.fields);
  w.end(start);
}

/** NoticeResponse ('N'): the same fields as an error, informational. */
export function writeNoticeResponse(w: BufferWriter, notice: Notice): void {
  const start = w.begin(ascii('N'));
  writeFields(w, notice.severity, notice.code, notice.message, notice);
  w.end(start);
}

/** ParameterDescription ('t'): the parameter type OIDs of a statement. */
export function writeParameterDescription(w: BufferWriter, types: readonly Oid[]): void {
  const start = w.begin(ascii('t'));
  w.i16(types.length);
  for (const t of types) w.u32(t);
  w.end(start);
}

/** A message with no body: ParseComplete '1', BindComplete '2', CloseComplete '3', NoData 'n', PortalSuspended 's', EmptyQueryResponse 'I', CopyDone 'c'. */
export function writeEmpty(w: BufferWriter, type: '1' | '2' | '3' | 'n' | 's' | 'I' | 'c'): void {
  w.end(w.begin(ascii(type)));
}

/** CommandComplete ('C') with the command tag. */
export function writeCommandComplete(w: BufferWriter, tag: string): void {
  const start = w.begin(ascii('C'));
  w.cstring(tag);
  w.end(start);
}

/** CopyInResponse 'G' or CopyOutResponse 'H'. */
export function writeCopyResponse(w: BufferWriter, type: 'G' | 'H', format: CopyFormat): void {
  const start = w.begin(ascii(type));
  w.u8(format.binary ? 1 : 0);
  w.i16(format.columnFormats.length);
  for (const f of format.columnFormats) w.i16(f);
  w.end(start);
}

/** CopyData ('d'): a piece of a COPY stream; a string is sent as UTF-8. */
export function writeCopyData(w: BufferWriter, data: Uint8Array | string): void {
  const start = w.begin(ascii('d'));
  if (typeof data === 'string') w.utf8(data);
  else w.bytes(data);
  w.end(start);
}
