/**
 * Startup-phase packets (no type byte): StartupMessage, SSLRequest,
 * GSSENCRequest and CancelRequest, told apart by the Int32 code after the
 * length word. Parsing is pure; the connection decides what to answer.
 */
import { protocolError, SqlError } from './errors.ts';
import { startupParametersMax } from './limits.ts';
import { MessageReader } from './reader.ts';
import { featureNotSupported } from './sqlstate.ts';

/** Protocol 3.0, the only version we speak: major << 16 | minor. */
export const protocolVersion30 = 3 << 16;
const sslRequestCode = 80877103;
const gssEncRequestCode = 80877104;
const cancelRequestCode = 80877102;

export type StartupPacket =
  | { readonly kind: 'ssl' }
  | { readonly kind: 'gssenc' }
  | { readonly kind: 'cancel'; readonly processId: number; readonly secretKey: Buffer }
  | {
      readonly kind: 'startup';
      readonly minorVersion: number;
      readonly parameters: ReadonlyMap<string, string>;
      /** `_pq_.*` protocol options the client asked for (we recognise none). */
      readonly protocolOptions: readonly string[];
    };

/** Parses a startup-phase packet body (after the length word). */
export function parseStartupPacket(body: Buffer): StartupPacket {
  const r = new MessageReader(body, 'startup packet');
  const code = r.i32();
  if (code === sslRequestCode || code === gssEncRequestCode) {
    r.end();
    return { kind: code === sslRequestCode ? 'ssl' : 'gssenc' };
  }
  if (code === cancelRequestCode) {
    const processId = r.i32();
    const secretKey = r.bytes(4);
    r.end();
    return { kind: 'cancel', processId, secretKey: Buffer.from(secretKey) };
  }
  const major = code >>> 16;
  const minor = code & 0xffff;
  if (major !== 3) {
    throw new SqlError(featureNotSupported, `unsupported frontend protocol ${major}.${minor}: server supports 3.0 to 3.0`, {
      severity: 'FATAL',
    });
  }
  const parameters = new Map<string, string>();
  const protocolOptions: string[] = [];
  for (;;) {
    if (r.remaining === 0) throw protocolError('invalid startup packet layout: expected terminator as last byte');
    const name = r.cstring();
    if (name === '') break;
    const value = r.cstring();
    if (name.startsWith('_pq_.')) protocolOptions.push(name);
    else parameters.set(name, value);
    if (parameters.size + protocolOptions.length > startupParametersMax) throw protocolError('too many startup parameters');
  }
  r.end();
  return { kind: 'startup', minorVersion: minor, parameters, protocolOptions };
}
