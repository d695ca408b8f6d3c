/**
 * A bounds-checked reader over one frontend message body. Every read checks
 * the bytes are there; a short or malformed message is a protocol violation
 * (FATAL 08P01). Strings are NUL-terminated UTF-8; invalid UTF-8 is the
 * client's data error (22021), not a framing error.
 */
import { isUtf8 } from 'node:buffer';
import { protocolError, SqlError } from './errors.ts';
import { characterNotInRepertoire } from './sqlstate.ts';

/** Strings up to this length are checked for ASCII in a loop; longer ones by the native UTF-8 check. */
const asciiScanBytesMax = 64;

export class MessageReader {
  readonly #buf: Buffer;
  #pos: number;
  readonly #what: string;

  /** `what` names the message in errors ("Bind message"). */
  constructor(body: Buffer, what: string) {
    this.#buf = body;
    this.#pos = 0;
    this.#what = what;
  }

  get remaining(): number {
    return this.#buf.length - this.#pos;
  }

  #need(n: number): void {
    if (this.#pos + n > this.#buf.length) throw protocolError(`invalid ${this.#what}: truncated`);
  }

  u8(): number {
    this.#need(1);
    return this.#buf[this.#pos++]!;
  }

  i16(): number {
    this.#need(2);
    const v = this.#buf.readInt16BE(this.#pos);
    this.#pos += 2;
    return v;
  }

  u16(): number {
    this.#need(2);
    const v = this.#buf.readUInt16BE(this.#pos);
    this.#pos += 2;
    return v;
  }

  i32(): number {
    this.#need(4);
    const v = this.#buf.readInt32BE(this.#pos);
    this.#pos += 4;
    return v;
  }

  u32(): number {
    this.#need(4);
    const v = this.#buf.readUInt32BE(this.#pos);
    this.#pos += 4;
    return v;
  }

  /** The next `n` bytes, as a view into the message. */
  bytes(n: number): Buffer {
    if (n < 0) throw protocolError(`invalid ${this.#what}: negative length`);
    this.#need(n);
    const out = this.#buf.subarray(this.#pos, this.#pos + n);
    this.#pos += n;
    return out;
  }

  /** All bytes left, as a view. */
  rest(): Buffer {
    const out = this.#buf.subarray(this.#pos);
    this.#pos = this.#buf.length;
    return out;
  }

  /** A NUL-terminated UTF-8 string. */
  cstring(): string {
    const buf = this.#buf;
    const start = this.#pos;
    if (start < buf.length && buf[start] === 0) {
      this.#pos = start + 1;
      return '';
    }
    const nul = buf.indexOf(0, start);
    if (nul < 0) throw protocolError(`invalid ${this.#what}: string without terminator`);
    this.#pos = nul + 1;
    checkUtf8(buf, start, nul);
    return buf.toString('utf8', start, nul);
  }

  /** Fails unless the whole message was read. */
  end(): void {
    if (this.#pos !== this.#buf.length) throw protocolError(`invalid ${this.#what}: unexpected bytes at the end`);
  }
}

/** Throws 22021 unless buf[start, end) is well-formed UTF-8. */
export function checkUtf8(buf: Buffer, start: number, end: number): void {
  if (end - start <= asciiScanBytesMax) {
    let ascii = true;
    for (let i = start; i < end; i++) {
      if (buf[i]! >= 0x80) {
        ascii = false;
        break;
      }
    }
    if (ascii) return;
  }
  if (!isUtf8(buf.subarray(start, end))) {
    throw new SqlError(characterNotInRepertoire, 'invalid byte sequence for encoding "UTF8"');
  }
}

/** Decodes bytes as UTF-8, throwing 22021 if they are not well-formed. */
export function decodeUtf8(bytes: Uint8Array): string {
  const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  checkUtf8(buf, 0, buf.length);
  return buf.toString('utf8');
}
