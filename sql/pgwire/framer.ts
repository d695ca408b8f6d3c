/**
 * Splits a connection's byte stream into messages. The length word (and, for
 * typed messages, the type byte) is checked the moment it arrives, before
 * any of the body is buffered: an unknown type or a length outside the
 * type's bound is a FATAL 08P01, so a client can never make the server hold
 * more than one bounded message plus the chunk in flight. Bodies are views
 * into the received chunks when they lie within one, copied otherwise.
 */
import { assert } from './assert.ts';
import { protocolError } from './errors.ts';
import { messageBytesMax, smallMessageBytesMax, startupPacketBytesMax } from './limits.ts';

/** A typed frontend message: its type byte and its body (after the length word). */
export interface Frame {
  readonly type: number;
  readonly body: Buffer;
}

/** The largest length word accepted for each frontend message type; absent types are not frontend messages. */
const lengthMaxByType: ReadonlyMap<number, number> = new Map([
  [0x51, messageBytesMax], // Q Query
  [0x50, messageBytesMax], // P Parse
  [0x42, messageBytesMax], // B Bind
  [0x46, messageBytesMax], // F FunctionCall
  [0x64, messageBytesMax], // d CopyData
  [0x45, smallMessageBytesMax], // E Execute
  [0x44, smallMessageBytesMax], // D Describe
  [0x43, smallMessageBytesMax], // C Close
  [0x66, smallMessageBytesMax], // f CopyFail
  [0x70, smallMessageBytesMax], // p PasswordMessage, SASLInitialResponse, SASLResponse
  [0x48, 4], // H Flush
  [0x53, 4], // S Sync
  [0x58, 4], // X Terminate
  [0x63, 4], // c CopyDone
]);

/** Messages that carry no body must have exactly this length word. */
const emptyMessageTypes = new Set([0x48, 0x53, 0x58, 0x63]);

export class Framer {
  readonly #chunks: Buffer[] = [];
  /** Offset of the first unread byte in `#chunks[0]`. */
  #head = 0;
  #available = 0;

  /** Bytes received and not yet returned as messages. */
  get bufferedBytes(): number {
    return this.#available;
  }

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.#chunks.push(chunk);
    this.#available += chunk.length;
  }

  /**
   * The next startup-phase packet (StartupMessage, SSLRequest, GSSENCRequest,
   * CancelRequest): its body after the length word, or null until complete.
   */
  nextStartup(): Buffer | null {
    if (this.#available < 4) return null;
    const length = this.#peekInt32(0);
    if (length < 8 || length > startupPacketBytesMax) throw protocolError('invalid length of startup packet');
    if (this.#available < length) return null;
    this.#skip(4);
    return this.#take(length - 4);
  }

  /** The next typed message, or null until one is complete. */
  next(): Frame | null {
    if (this.#available < 5) return null;
    const type = this.#peekByte(0);
    const lengthMax = lengthMaxByType.get(type);
    if (lengthMax === undefined) throw protocolError(`invalid frontend message type ${type}`);
    const length = this.#peekInt32(1);
    if (length < 4 || length > lengthMax) throw protocolError(`invalid message length ${length} for message type ${type}`);
    if (emptyMessageTypes.has(type) && length !== 4) throw protocolError(`invalid message length ${length} for message type ${type}`);
    if (this.#available < length + 1) return null;
    this.#skip(5);
    return { type, body: this.#take(length - 4) };
  }

  /** True when a whole typed message is buffered (its header is not validated here). */
  hasMessage(): boolean {
    if (this.#available < 5) return false;
    return this.#available >= this.#peekInt32(1) + 1;
  }

  #peekByte(index: number): number {
    let i = this.#head + index;
    for (const chunk of this.#chunks) {
      if (i < chunk.length) return chunk[i]!;
      i -= chunk.length;
    }
    assert(false, 'peek within the buffered bytes');
  }

  #peekInt32(index: number): number {
    const first = this.#chunks[0];
    assert(first !== undefined, 'a chunk is buffered');
    if (this.#head + index + 4 <= first.length) return first.readInt32BE(this.#head + index);
    return (
      ((this.#peekByte(index) << 24) |
        (this.#peekByte(index + 1) << 16) |
        (this.#peekByte(index + 2) << 8) |
        this.#peekByte(index + 3)) |
      0
    );
  }

  #skip(n: number): void {
    assert(n <= this.#available, 'skip within the buffered bytes');
    this.#available -= n;
    while (n > 0) {
      const first = this.#chunks[0]!;
      const left = first.length - this.#head;
      if (n < left) {
        this.#head += n;
        return;
      }
      n -= left;
      this.#chunks.shift();
      this.#head = 0;
    }
  }

  #take(n: number): Buffer {
    assert(n <= this.#available, 'take within the buffered bytes');
    if (n === 0) return Buffer.alloc(0);
    const first = this.#chunks[0]!;
    if (this.#head + n <= first.length) {
      const view = first.subarray(this.#head, this.#head + n);
      this.#skip(n);
      return view;
    }
    const out = Buffer.allocUnsafe(n);
    let filled = 0;
    while (filled < n) {
      const chunk = this.#chunks[0]!;
      const count = Math.min(n - filled, chunk.length - this.#head);
      chunk.copy(out, filled, this.#head, this.#head + count);
      filled += count;
      this.#skip(count);
    }
    return out;
  }
}
