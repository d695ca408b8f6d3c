/**
 * A growable byte writer, reused across rows so encoding allocates nothing
 * per byte or per datum: it doubles its buffer when full, up to
 * `encodedBytesMax`.
 */
import { assert } from './assert.ts';
import { EncodingError } from './errors.ts';
import { encodedBytesMax, writerBytesDefault } from './limits.ts';

export class ByteWriter {
  #buf: Buffer;
  #length = 0;

  constructor(capacityBytes: number = writerBytesDefault) {
    assert(Number.isInteger(capacityBytes) && capacityBytes > 0, 'writer capacity is a positive integer');
    assert(capacityBytes <= encodedBytesMax, 'writer capacity within encodedBytesMax');
    this.#buf = Buffer.allocUnsafe(capacityBytes);
  }

  /** Bytes written so far. */
  get length(): number {
    return this.#length;
  }

  /** Forgets what was written (keeps the buffer for reuse). */
  reset(): void {
    this.#length = 0;
  }

  /** Drops bytes written after `length` (e.g. to reuse a key prefix). */
  truncate(length: number): void {
    assert(Number.isInteger(length) && length >= 0 && length <= this.#length, 'truncate within written bytes');
    this.#length = length;
  }

  /**
   * Appends `n` bytes for the caller to fill and returns their offset in
   * `target`. The bytes are uninitialised until filled.
   */
  reserve(n: number): number {
    const at = this.#length;
    if (at + n > this.#buf.length) this.#grow(at + n);
    this.#length = at + n;
    return at;
  }

  /** The underlying buffer; valid until the next write that grows it. */
  get target(): Buffer {
    return this.#buf;
  }

  /** Appends one byte (0..255). */
  byte(b: number): void {
    if (this.#length === this.#buf.length) this.#grow(this.#length + 1);
    this.#buf[this.#length++] = b;
  }

  /** Appends a copy of `source`. */
  bytes(source: Uint8Array): void {
    const at = this.reserve(source.length);
    this.#buf.set(source, at);
  }

  /** Appends the UTF-8 form of `text`; returns the number of bytes written. */
  utf8(text: string): number {
    // A UTF-16 unit takes at most 3 UTF-8 bytes; measure exactly only when
    // the worst case would force a large allocation.
    const worst = text.length * 3;
    const room = worst <= 4096 ? worst : Buffer.byteLength(text, 'utf8');
    if (this.#length + room > this.#buf.length) this.#grow(this.#length + room);
    const written = this.#buf.write(text, this.#length, 'utf8');
    this.#length += written;
    return written;
  }

  /** Complements every byte written since `start` (turns an ascending key column descending). */
  invertFrom(start: number): void {
    assert(start >= 0 && start <= this.#length, 'invert within written bytes');
    const buf = this.#buf;
    for (let i = start; i < this.#length; i++) buf[i] = ~buf[i]! & 0xff;
  }

  /** A view of what has been written; valid until the next write. */
  view(): Buffer {
    return this.#buf.subarray(0, this.#length);
  }

  /** A copy of what has been written, owned by the caller. */
  finish(): Buffer {
    return Buffer.from(this.#buf.subarray(0, this.#length));
  }

  #grow(needed: number): void {
    if (needed > encodedBytesMax) {
      throw new EncodingError(`encoded value of ${needed} bytes exceeds the limit of ${encodedBytesMax}`);
    }
    let size = this.#buf.length * 2;
    while (size < needed) size *= 2;
    const next = Buffer.allocUnsafe(Math.min(size, encodedBytesMax));
    this.#buf.copy(next, 0, 0, this.#length);
    this.#buf = next;
  }
}
