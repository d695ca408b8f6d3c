/** Test helpers: a PgServer on 127.0.0.1:0 with the test engine, and raw protocol clients. */
import { connect, type Socket } from 'node:net';
import { Parser } from 'pg-protocol/dist/parser.js';
import type { BackendMessage } from 'pg-protocol/dist/messages.js';
import { serialize } from 'pg-protocol';
import { PgServer } from './server.ts';
import type { PgServerOptions } from './options.ts';
import { TestEngine, type TestEngineOptions } from './test-engine.test-helper.ts';

export interface TestServer {
  readonly server: PgServer;
  readonly engine: TestEngine;
  readonly port: number;
  readonly errors: unknown[];
  /** A connection string for `user` (and `password`). */
  url(user: string, password?: string, extra?: string): string;
  close(): Promise<void>;
}

export async function startTestServer(
  options: Partial<PgServerOptions> = {},
  engineOptions: TestEngineOptions = {},
): Promise<TestServer> {
  const engine = new TestEngine(engineOptions);
  const errors: unknown[] = [];
  const server = new PgServer({ sessions: engine, onInternalError: (e) => errors.push(e), closeGraceMs: 1000, ...options });
  const address = await server.listen('127.0.0.1', 0);
  return {
    server,
    engine,
    port: address.port,
    errors,
    url: (user, password, extra) =>
      `postgresql://${encodeURIComponent(user)}${password === undefined ? '' : `:${encodeURIComponent(password)}`}@127.0.0.1:${address.port}/db${extra ?? ''}`,
    close: () => server.close(),
  };
}

/**
 * A raw protocol client: writes bytes, collects parsed backend messages, and
 * waits (bounded) for messages by predicate.
 */
/** A backend message as raw bytes: its type character and body. */
export interface RawFrame {
  readonly type: string;
  readonly body: Buffer;
}

/** The fields of a DataRow body, as raw bytes (null for NULL). */
export function dataRowFields(body: Buffer): (Buffer | null)[] {
  const count = body.readInt16BE(0);
  const fields: (Buffer | null)[] = [];
  let at = 2;
  for (let i = 0; i < count; i++) {
    const length = body.readInt32BE(at);
    at += 4;
    fields.push(length < 0 ? null : body.subarray(at, at + length));
    if (length > 0) at += length;
  }
  return fields;
}

export class RawClient {
  readonly socket: Socket;
  readonly messages: BackendMessage[] = [];
  /** The same messages as raw frames (pg-protocol decodes DataRow fields as text only). */
  readonly frames: RawFrame[] = [];
  /** Bytes received before any typed message (answers to SSLRequest / GSSENCRequest). */
  readonly #parser = new Parser();
  #pending: Buffer = Buffer.alloc(0);
  #rawMode = false;
  #closed = false;
  #waiters: (() => void)[] = [];

  private constructor(socket: Socket) {
    this.socket = socket;
    socket.on('data', (chunk) => {
      if (this.#rawMode) this.rawBytes.push(chunk);
      else this.#onChunk(chunk);
      this.#wake();
    });
    socket.on('close', () => {
      this.#closed = true;
      this.#wake();
    });
    socket.on('error', () => {});
  }

  /** Chunks received while in raw mode (see `expectRawByte`). */
  readonly rawBytes: Buffer[] = [];

  #onChunk(chunk: Buffer): void {
    this.#parser.parse(chunk, (m) => this.messages.push(m));
    this.#pending = Buffer.concat([this.#pending, chunk]);
    while (this.#pending.length >= 5) {
      const length = this.#pending.readInt32BE(1);
      if (this.#pending.length < length + 1) break;
      this.frames.push({ type: String.fromCharCode(this.#pending[0]!), body: Buffer.from(this.#pending.subarray(5, length + 1)) });
      this.#pending = this.#pending.subarray(length + 1);
    }
  }

  /** Switches to raw mode: the next bytes are a one-byte answer (to SSLRequest); returns it. */
  async readRawByte(ms = 5000): Promise<string> {
    this.#rawMode = true;
    const deadline = Date.now() + ms;
    while (this.rawBytes.length === 0) {
      if (this.#closed || Date.now() > deadline) throw new Error('no raw byte');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 50);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    this.#rawMode = false;
    const first = this.rawBytes.shift()!;
    if (first.length > 1) this.#onChunk(first.subarray(1));
    return String.fromCharCode(first[0]!);
  }

  #wake(): void {
    for (const w of this.#waiters.splice(0)) w();
  }

  static connect(port: number): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => resolve(new RawClient(socket)));
      socket.once('error', reject);
    });
  }

  /** Connects and logs in as root (trust), waiting for ReadyForQuery. */
  static async login(port: number, user = 'root'): Promise<RawClient> {
    const c = await RawClient.connect(port);
    c.write(serialize.startup({ user, database: 'db' }));
    await c.waitFor((m) => m.name === 'readyForQuery');
    c.clear();
    return c;
  }

  get closed(): boolean {
    return this.#closed;
  }

  write(...buffers: Buffer[]): void {
    this.socket.write(Buffer.concat(buffers));
  }

  /** Waits until `predicate` holds for some message (or the socket closed, or `ms` passed); returns it. */
  async waitFor(predicate: (m: BackendMessage) => boolean, ms = 5000): Promise<BackendMessage> {
    const deadline = Date.now() + ms;
    for (;;) {
      const found = this.messages.find(predicate);
      if (found !== undefined) return found;
      if (this.#closed) throw new Error(`connection closed; got ${this.messages.map((m) => m.name).join(', ')}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out; got ${this.messages.map((m) => m.name).join(', ')}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Waits until `count` ReadyForQuery messages have arrived. */
  async waitForReady(count: number, ms = 5000): Promise<void> {
    const deadline = Date.now() + ms;
    while (this.messages.filter((m) => m.name === 'readyForQuery').length < count) {
      await this.waitFor(() => this.messages.filter((m) => m.name === 'readyForQuery').length >= count, Math.max(1, deadline - Date.now()));
    }
  }

  /** Waits for the server to close the connection. */
  async waitClosed(ms = 5000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!this.#closed) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error('timed out waiting for close');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Forgets the messages received so far. */
  clear(): void {
    this.messages.length = 0;
    this.frames.length = 0;
  }

  /** Raw DataRow frames received so far, as field buffers. */
  dataRows(): (Buffer | null)[][] {
    return this.frames.filter((f) => f.type === 'D').map((f) => dataRowFields(f.body));
  }

  names(): string[] {
    return this.messages.map((m) => m.name);
  }

  end(): void {
    this.socket.destroy();
  }
}
