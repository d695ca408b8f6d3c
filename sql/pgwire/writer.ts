/**
 * The output buffer of a connection: backend messages are written straight
 * into one growable Buffer and handed to the socket as one write per flush,
 * so a row costs no allocation beyond what its values need. Messages are
 * framed in place: `begin` reserves the length word, `end` fills it in.
 */
import { assert } from './assert.ts';
import { SqlError } from './errors.ts';
import { outgoingMessageBytesMax, outputBytesInitial, outputFlushBytes } from './limits.ts';
import { programLimitExceeded } from './sqlstate.ts';

/** Largest the buffer may grow: one maximal message on top of a nearly full flush. */
const writerBytesMax = outgoingMessageBytesMax + outputFlushBytes;
/** Strings shorter than this reserve 3 bytes per UTF-16 unit instead of measuring. */
const measureStringAbove = 2048;

export class BufferWriter {
  #buf: Buffer;
  #length = 0;

  constructor(capacityBytes: number = outputBytesInitial) {
    assert(Number.isInteger(capacityBytes) && capacityBytes > 0, 'writer capacity is a positive integer');
    this.#buf = Buffer.allocUnsafe(capacityBytes);
  }

  /** Bytes written and not yet taken. */
  get length(): number {
    return this.#length;
  }

  /** Capacity of the current buffer. */
  get capacity(): number {
    return this.#buf.length;
  }

  /** Drops bytes written after `length` (a message that failed half-way). */
  truncate(length: number): void {
    assert(Number.isInteger(length) && length >= 0 && length <= this.#length, 'truncate within written bytes');
    this.#length = length;
  }

  /** Copies out what was written and empties the writer; a buffer grown past `retainBytes` is released. */
  take(retainBytes: number = Number.MAX_SAFE_INTEGER): Buffer {
    const out = Buffer.allocUnsafe(this.#length);
    this.#buf.copy(out, 0, 0, this.#length);
    this.#length = 0;
    if (this.#buf.length > retainBytes) this.#buf = Buffer.allocUnsafe(outputBytesInitial);
    return out;
  }

  /** Makes room for `n` more bytes. */
  ensure(n: number): void {
    if (this.#length + n > this.#buf.length) this.#grow(this.#length + n);
  }

  #grow(needed: number): void {
    if (needed > writerBytesMax) {
      throw new SqlError(programLimitExceeded, `out of memory: a message would exceed ${outgoingMessageBytesMax} bytes`);
    }
    let capacity = this.#buf.length * 2;
    while (capacity < needed) capacity *= 2;
    const next = Buffer.allocUnsafe(Math.min(capacity, writerBytesMax));
    this.#buf.copy(next, 0, 0, this.#length);
    this.#buf = next;
  }

  /** Starts a message of `type` (an ASCII code); returns its start for `end`. */
  begin(type: number): number {
    this.ensure(5);
    const start = this.#length;
    this.#buf[start] = type;
    this.#length = start + 5;
    return start;
  }

  /** Ends the message begun at `start` by filling in its length word. */
  end(start: number): void {
    const length = this.#length - start - 1;
    assert(length >= 4, 'a message ends after it begins');
    if (length > outgoingMessageBytesMax) {
      this.#length = start;
      throw new SqlError(programLimitExceeded, `out of memory: a message would exceed ${outgoingMessageBytesMax} bytes`);
    }
    this.#buf.writeInt32BE(length, start + 1);
  }

  /** Reserves a 4-byte length word for a value that follows; fill it with `endLength`. */
  beginLength(): number {
    this.ensure(4);
    const at = this.#length;
    this.#length = at + 4;
    return at;
  }

  /** Fills the length word at `at` with the number of bytes written after it. */
  endLength(at: number): void {
    this.#buf.writeInt32BE(this.#length - at - 4, at);
  }

  u8(value: number): void {
    this.ensure(1);
    this.#buf[this.#length++] = value;
  }

  i16(value: number): void {
    this.ensure(2);
    this.#buf.writeInt16BE(value, this.#length);
    this.#length += 2;
  }

  u16(value: number): void {
    this.ensure(2);
    this.#buf.writeUInt16BE(value, this.#length);
    this.#length += 2;
  }

  i32(value: number): void {
    this.ensure(4);
    this.#buf.writeInt32BE(value, this.#length);
    this.#length += 4;
  }

  u32(value: number): void {
    this.ensure(4);
    this.#buf.writeUInt32BE(value, this.#length);
    this.#length += 4;
  }

  i64(value: bigint): void {
    this.ensure(8);
    this.#buf.writeBigInt64BE(value, this.#length);
    this.#length += 8;
  }

  /** Appends a safe integer as an Int64 without making a bigint. */
  i64Number(value: number): void {
    assert(Number.isSafeInteger(value), 'i64Number() takes a safe integer');
    const high = Math.floor(value / 2 ** 32);
    this.i32(high);
    this.u32(value - high * 2 ** 32);
  }

  f32(value: number): void {
    this.ensure(4);
    this.#buf.writeFloatBE(value, this.#length);
    this.#length += 4;
  }

  f64(value: number): void {
    this.ensure(8);
    this.#buf.writeDoubleBE(value, this.#length);
    this.#length += 8;
  }

  /** Appends a copy of `source`. */
  bytes(source: Uint8Array): void {
    this.ensure(source.length);
    this.#buf.set(source, this.#length);
    this.#length += source.length;
  }

  /** Appends `text` as UTF-8 (no terminator); returns the bytes written. */
  utf8(text: string): number {
    const n = text.length < measureStringAbove ? text.length * 3 : Buffer.byteLength(text, 'utf8');
    this.ensure(n);
    const written = this.#buf.write(text, this.#length, 'utf8');
    this.#length += written;
    return written;
  }

  /** Appends `text`, known to be ASCII (digits, signs, hex), one byte per character. */
  ascii(text: string): void {
    this.ensure(text.length);
    this.#buf.write(text, this.#length, 'latin1');
    this.#length += text.length;
  }

  /** Appends `text` as a NUL-terminated UTF-8 string; asserts it holds no NUL. */
  cstring(text: string): void {
    assert(!text.includes('\0'), 'a protocol string holds no NUL');
    this.utf8(text);
    this.u8(0);
  }

  /** Appends the decimal digits of a safe integer without making a string. */
  decimal(value: number): void {
    assert(Number.isSafeInteger(value), 'decimal() takes a safe integer');
    if (value < 0) {
      this.u8(0x2d);
      value = -value;
    }
    let digits = 1;
    for (let v = value; v >= 10; v = Math.floor(v / 10)) digits++;
    this.ensure(digits);
    const buf = this.#buf;
    let at = this.#length + digits;
    this.#length = at;
    do {
      buf[--at] = 0x30 + (value % 10);
      value = Math.floor(value / 10);
    } while (value > 0);
  }

  /** A view of the bytes written from `start` (valid until the next write). */
  view(start: number): Buffer {
    return this.#buf.subarray(start, this.#length);
  }
}
