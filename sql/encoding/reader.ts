/**
 * A bounds-checked cursor over encoded bytes. Every read past the end throws
 * `EncodingError`, so truncated input can never surface as a RangeError or a
 * silent `undefined`. `flip` is XORed into every byte read: 0xff decodes a
 * descending key column (the complement of its ascending form) in place.
 */
import { assert } from './assert.ts';
import { EncodingError } from './errors.ts';

export class ByteReader {
  readonly buf: Buffer;
  pos: number;
  /** 0 for ascending bytes, 0xff for complemented (descending) bytes. */
  flip = 0;

  constructor(bytes: Uint8Array, offset = 0) {
    this.buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    assert(Number.isInteger(offset) && offset >= 0 && offset <= bytes.length, 'reader offset within the bytes');
    this.pos = offset;
  }

  get remaining(): number {
    return this.buf.length - this.pos;
  }

  byte(): number {
    if (this.pos >= this.buf.length) throw truncated();
    return this.buf[this.pos++]! ^ this.flip;
  }

  /** Throws unless `n` more bytes are available. */
  need(n: number): void {
    if (n > this.buf.length - this.pos) throw truncated();
  }

  /** Copies the next `n` bytes (un-flipped) into a fresh buffer the caller owns. */
  copy(n: number): Buffer {
    this.need(n);
    const out = Buffer.allocUnsafe(n);
    this.buf.copy(out, 0, this.pos, this.pos + n);
    if (this.flip !== 0) for (let i = 0; i < n; i++) out[i] = out[i]! ^ 0xff;
    this.pos += n;
    return out;
  }

  /** Moves past `n` bytes. */
  skip(n: number): void {
    this.need(n);
    this.pos += n;
  }
}

/** The error for input that ends mid-datum. */
export function truncated(): EncodingError {
  return new EncodingError('unexpected end of encoded data');
}
