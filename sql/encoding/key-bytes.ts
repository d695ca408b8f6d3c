/**
 * Escaped byte strings for keys: every 0x00 becomes 0x00 0xff and the string
 * ends with 0x00 0x01. A string that is a prefix of another ends with
 * 0x00 0x01 where the other continues with a byte ≥ 0x01 (or 0x00 0xff), so
 * "a" < "a\x00" < "ab", and the next key column never leaks into the order.
 * Strings are written as their UTF-8 bytes, so they order by code point.
 */
import { isUtf8 } from 'node:buffer';
import { EncodingError } from './errors.ts';
import { truncated, type ByteReader } from './reader.ts';
import type { ByteWriter } from './writer.ts';

const escapeByte = 0x00;
const escapedZero = 0xff;
const terminator = 0x01;

/** Appends `source` escaped and terminated. */
export function writeEscapedBytes(w: ByteWriter, source: Uint8Array): void {
  const start = w.length;
  w.bytes(source);
  escapeFrom(w, start);
}

/** Appends the UTF-8 bytes of `text` escaped and terminated. */
export function writeEscapedString(w: ByteWriter, text: string): void {
  if (!(text as string & { isWellFormed(): boolean }).isWellFormed()) {
    throw new EncodingError('string has a lone surrogate and no UTF-8 form');
  }
  const start = w.length;
  w.utf8(text);
  escapeFrom(w, start);
}

/** Escapes the zero bytes written since `start` in place, then terminates. */
function escapeFrom(w: ByteWriter, start: number): void {
  const end = w.length;
  let zeros = 0;
  let t = w.target;
  for (let i = start; i < end; i++) if (t[i] === escapeByte) zeros++;
  if (zeros > 0) {
    w.reserve(zeros);
    t = w.target;
    // Walk backwards so every byte moves once.
    let dst = end + zeros - 1;
    for (let src = end - 1; src >= start; src--) {
      const b = t[src]!;
      if (b === escapeByte) t[dst--] = escapedZero;
      t[dst--] = b;
    }
  }
  const at = w.reserve(2);
  t = w.target;
  t[at] = escapeByte;
  t[at + 1] = terminator;
}

/** Where an escaped string's content ends, and how many escaped zeros it holds. */
interface EscapedSpan {
  end: number;
  escapes: number;
}

const span: EscapedSpan = { end: 0, escapes: 0 };

/** Finds the terminator from the reader's position (bytes are searched in their stored, flipped form). */
function findTerminator(r: ByteReader): EscapedSpan {
  const buf = r.buf;
  const rawEscape = escapeByte ^ r.flip;
  let escapes = 0;
  let from = r.pos;
  for (;;) {
    const i = buf.indexOf(rawEscape, from);
    if (i < 0 || i + 1 >= buf.length) throw truncated();
    const next = buf[i + 1]! ^ r.flip;
    if (next === terminator) {
      span.end = i;
      span.escapes = escapes;
      return span;
    }
    if (next !== escapedZero) throw new EncodingError(`bad escape 0x00 0x${next.toString(16)} in a key string`);
    escapes++;
    from = i + 2;
  }
}

/** Copies the unescaped, un-flipped content between the reader and `end` into a fresh buffer. */
function unescape(r: ByteReader, end: number, escapes: number): Buffer {
  const buf = r.buf;
  const out = Buffer.allocUnsafe(end - r.pos - escapes);
  const flip = r.flip;
  let o = 0;
  for (let i = r.pos; i < end; i++) {
    const b = buf[i]! ^ flip;
    out[o++] = b;
    if (b === escapeByte) i++; // skip the 0xff that escaped it
  }
  return out;
}

/** Reads an escaped byte string; the result is a copy the caller owns. */
export function readEscapedBytes(r: ByteReader): Buffer {
  const { end, escapes } = findTerminator(r);
  let out: Buffer;
  if (escapes === 0 && r.flip === 0) {
    out = Buffer.allocUnsafe(end - r.pos);
    r.buf.copy(out, 0, r.pos, end);
  } else {
    out = unescape(r, end, escapes);
  }
  r.pos = end + 2;
  return out;
}

/** Reads an escaped UTF-8 string; invalid UTF-8 is corruption. */
export function readEscapedString(r: ByteReader): string {
  const { end, escapes } = findTerminator(r);
  const content = escapes === 0 && r.flip === 0 ? r.buf.subarray(r.pos, end) : unescape(r, end, escapes);
  const text = content.toString('utf8');
  // Invalid UTF-8 decodes to U+FFFD; only then is the full check needed.
  if (text.includes('\ufffd') && !isUtf8(content)) throw new EncodingError('key string is not valid UTF-8');
  r.pos = end + 2;
  return text;
}

/** Moves past an escaped string. */
export function skipEscaped(r: ByteReader): void {
  r.pos = findTerminator(r).end + 2;
}
