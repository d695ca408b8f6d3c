/**
 * Frontend (client → server) messages after startup, validated once at the
 * trust boundary into a discriminated union. Structural damage (truncated
 * fields, missing NULs, bytes left over, bad sub-types) is a FATAL 08P01;
 * bad values inside a well-formed message (format codes, UTF-8) are ERRORs.
 */
import { SqlError, protocolError } from './errors.ts';
import type { Frame } from './framer.ts';
import { bindParametersMax } from './limits.ts';
import { MessageReader, checkUtf8 } from './reader.ts';
import type { Oid } from './codecs/oids.ts';
import { parseBinary, parseText, type FormatCode } from './codecs/registry.ts';
import type { BindRequest } from './engine.ts';
import { invalidBinaryRepresentation, invalidParameterValue, protocolViolation } from './sqlstate.ts';

export type FrontendMessage =
  | { readonly type: 'query'; readonly sql: string }
  | { readonly type: 'parse'; readonly name: string; readonly sql: string; readonly paramTypes: readonly Oid[] }
  | { readonly type: 'bind'; readonly request: BindRequest }
  | { readonly type: 'describe'; readonly target: 'statement' | 'portal'; readonly name: string }
  | { readonly type: 'execute'; readonly portal: string; readonly maxRows: number }
  | { readonly type: 'close'; readonly target: 'statement' | 'portal'; readonly name: string }
  | { readonly type: 'sync' }
  | { readonly type: 'flush' }
  | { readonly type: 'terminate' }
  | { readonly type: 'copyData'; readonly data: Buffer }
  | { readonly type: 'copyDone' }
  | { readonly type: 'copyFail'; readonly message: string }
  /** PasswordMessage, SASLInitialResponse or SASLResponse: only the authentication state can tell. */
  | { readonly type: 'password'; readonly body: Buffer }
  | { readonly type: 'functionCall' };

function formatCode(value: number): FormatCode {
  if (value !== 0 && value !== 1) throw new SqlError(invalidParameterValue, `unsupported format code: ${value}`);
  return value;
}

function readCount(r: MessageReader, what: string): number {
  const n = r.i16();
  if (n < 0) throw protocolError(`invalid ${what} count ${n}`);
  return n;
}

function readFormats(r: MessageReader, what: string): FormatCode[] {
  const n = readCount(r, what);
  const out: FormatCode[] = [];
  for (let i = 0; i < n; i++) out.push(r.i16() as FormatCode);
  return out;
}

/** The format a list of format codes gives value `index` of (none: text; one: all; else per value). */
function formatAt(formats: readonly FormatCode[], index: number): FormatCode {
  return formats.length === 0 ? 0 : formats.length === 1 ? formats[0]! : formats[index]!;
}

class Bind implements BindRequest {
  constructor(
    readonly portal: string,
    readonly statement: string,
    readonly paramFormats: readonly FormatCode[],
    readonly params: readonly (Buffer | null)[],
    readonly resultFormats: readonly FormatCode[],
  ) {}

  decodeParams(paramTypes: readonly Oid[]): unknown[] {
    if (paramTypes.length !== this.params.length) {
      throw new SqlError(
        protocolViolation,
        `bind message supplies ${this.params.length} parameters, but prepared statement "${this.statement}" requires ${paramTypes.length}`,
      );
    }
    const values: unknown[] = new Array(this.params.length);
    for (let i = 0; i < this.params.length; i++) {
      const bytes = this.params[i]!;
      if (bytes === null) {
        values[i] = null;
        continue;
      }
      const typeOid = paramTypes[i]!;
      try {
        if (formatAt(this.paramFormats, i) === 0) {
          checkUtf8(bytes, 0, bytes.length);
          values[i] = parseText(typeOid, bytes.toString('utf8'));
        } else {
          values[i] = parseBinary(typeOid, bytes);
        }
      } catch (error) {
        if (!(error instanceof SqlError)) throw error;
        const message = error.code === invalidBinaryRepresentation ? `incorrect binary data format in bind parameter ${i + 1}` : error.message;
        throw new SqlError(error.code, message, {
          ...error.fields,
          detail: error.code === invalidBinaryRepresentation ? error.message : error.fields.detail,
          where: `unnamed portal parameter $${i + 1}`,
        });
      }
    }
    return values;
  }

  resultFormatsFor(columnCount: number): FormatCode[] {
    const n = this.resultFormats.length;
    if (n > 1 && n !== columnCount) {
      throw new SqlError(protocolViolation, `bind message has ${n} result formats but query has ${columnCount} columns`);
    }
    const out: FormatCode[] = new Array(columnCount);
    for (let i = 0; i < columnCount; i++) out[i] = formatAt(this.resultFormats, i);
    return out;
  }
}

function parseBind(r: MessageReader): FrontendMessage {
  const portal = r.cstring();
  const statement = r.cstring();
  const paramFormats = readFormats(r, 'parameter format');
  const count = readCount(r, 'parameter');
  if (count > bindParametersMax) throw protocolError(`too many parameters: ${count}`);
  const params: (Buffer | null)[] = new Array(count);
  for (let i = 0; i < count; i++) {
    const length = r.i32();
    params[i] = length === -1 ? null : r.bytes(length);
  }
  const resultFormats = readFormats(r, 'result format');
  r.end();
  paramFormats.forEach(formatCode);
  resultFormats.forEach(formatCode);
  if (paramFormats.length > 1 && paramFormats.length !== count) {
    throw new SqlError(protocolViolation, `bind message has ${paramFormats.length} parameter formats but ${count} parameters`);
  }
  return { type: 'bind', request: new Bind(portal, statement, paramFormats, params, resultFormats) };
}

function target(r: MessageReader, what: string): 'statement' | 'portal' {
  const t = r.u8();
  if (t === 0x53) return 'statement';
  if (t === 0x50) return 'portal';
  throw protocolError(`invalid ${what} message subtype ${t}`);
}

/** Decodes one typed frame (the framer already vetted its type and length). */
export function parseFrontendMessage(frame: Frame): FrontendMessage {
  const r = new MessageReader(frame.body, `message of type ${frame.type}`);
  switch (frame.type) {
    case 0x51: { // Q
      const sql = r.cstring();
      r.end();
      return { type: 'query', sql };
    }
    case 0x50: { // P
      const name = r.cstring();
      const sql = r.cstring();
      const count = readCount(r, 'parameter type');
      const paramTypes: Oid[] = [];
      for (let i = 0; i < count; i++) paramTypes.push(r.u32() as Oid);
      r.end();
      return { type: 'parse', name, sql, paramTypes };
    }
    case 0x42: return parseBind(r); // B
    case 0x44: { // D
      const t = target(r, 'Describe');
      const name = r.cstring();
      r.end();
      return { type: 'describe', target: t, name };
    }
    case 0x45: { // E
      const portal = r.cstring();
      const maxRows = r.i32();
      r.end();
      return { type: 'execute', portal, maxRows: maxRows > 0 ? maxRows : 0 };
    }
    case 0x43: { // C
      const t = target(r, 'Close');
      const name = r.cstring();
      r.end();
      return { type: 'close', target: t, name };
    }
    case 0x53: return { type: 'sync' };
    case 0x48: return { type: 'flush' };
    case 0x58: return { type: 'terminate' };
    case 0x64: return { type: 'copyData', data: r.rest() };
    case 0x63: return { type: 'copyDone' };
    case 0x66: { // f
      const message = r.cstring();
      r.end();
      return { type: 'copyFail', message };
    }
    case 0x70: return { type: 'password', body: r.rest() };
    case 0x46: return { type: 'functionCall' };
    default: throw protocolError(`invalid frontend message type ${frame.type}`);
  }
}
