/**
 * A growable byte writer reused across rows, and a reader that can invert
 * every byte it reads (descending key columns are the bitwise complement of
 * their ascending encoding).
 */
import { EncodingError } from './errors.ts';

export class ByteWriter {
  #buf: Buffer;
  #length = 0;

  constructor(capacity = 256) {
    this.#buf = Buffer.allocUnsafe(capacity);
  }

  get length(): number {
    return this.#length;
  }

  reset(): void {
    this.#length = 0;
  }

  #ensure(extra: number): void {
    const need = this.#length + extra;
    if (need <= this.#buf.length) return;
    let size = this.#buf.length * 2;
    while (size < need) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.#buf.copy(next, 0, 0, this.#length);
    this.#buf = next;
  }

  byte(b: number): void {
    this.#ensure(1);
    this.#buf[this.#length++] = b;
  }

  bytes(b: Uint8Array): void {
    this.#ensure(b.length);
    this.#buf.set(b, this.#length);
    this.#length += b.length;
  }

  uint64(v: bigint): void {
    this.#ensure(8);
    this.#buf.writeBigUInt64BE(v, this.#length);
    this.#length += 8;
  }

  float64(v: number): void {
    this.#ensure(8);
    this.#buf.writeDoubleBE(v, this.#length);
    this.#length += 8;
  }

  /** Inverts the bytes written since `from` (turns an ascending encoding descending). */
  invertFrom(from: number): void {
    for (let i = from; i < this.#length; i++) this.#buf[i] = 0xff - this.#buf[i]!;
  }

  /** A copy of what has been written. */
  finish(): Buffer {
    return Buffer.from(this.#buf.subarray(0, this.#length));
  }

  /** A view of what has been written (valid until the next write). */
  view(): Buffer {
    return this.#buf.subarray(0, this.#length);
  }
}

export class ByteReader {
  offset: number;
  /** 0 for ascending, 0xff for descending: every byte read is XORed with it. */
  flip = 0;

  constructor(readonly buf: Uint8Array, offset = 0) {
    this.offset = offset;
  }

  get remaining(): number {
    return this.buf.length - this.offset;
  }

  byte(): number {
    if (this.offset >= this.buf.length) throw new EncodingError('unexpected end of encoded data');
    return this.buf[this.offset++]! ^ this.flip;
  }

  peek(): number {
    if (this.offset >= this.buf.length) throw new EncodingError('unexpected end of encoded data');
    return this.buf[this.offset]! ^ this.flip;
  }

  take(n: number): Buffer {
    if (n < 0 || this.offset + n > this.buf.length) throw new EncodingError('unexpected end of encoded data');
    const out = Buffer.from(this.buf.subarray(this.offset, this.offset + n));
    if (this.flip) for (let i = 0; i < n; i++) out[i] = out[i]! ^ 0xff;
    this.offset += n;
    return out;
  }

  uint64(): bigint {
    return this.take(8).readBigUInt64BE(0);
  }
}
