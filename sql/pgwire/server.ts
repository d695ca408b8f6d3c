/**
 * `PgServer`: the listener. It accepts sockets (refusing floods beyond
 * `connectionsMax + socketsExtraMax` outright), gives each a `PgConnection`,
 * counts sessions against `connectionsMax` (53300 beyond), routes
 * CancelRequests by process ID with a constant-time secret check, and on
 * `close()` stops accepting and drains: idle sessions end with 57P01 at
 * once, busy ones after their current message, stragglers after the grace.
 */
import { timingSafeEqual } from 'node:crypto';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import type { SecureContext } from 'node:tls';
import { assert } from './assert.ts';
import { PgConnection, secureContextFor, type ConnectionHost } from './connection.ts';
import { socketsExtraMax } from './limits.ts';
import { resolveOptions, type PgServerOptions, type ResolvedOptions } from './options.ts';

/** Process IDs are positive Int32s, handed out in sequence from a random start. */
const processIdMax = 0x7fffffff;

export class PgServer {
  readonly #options: ResolvedOptions;
  readonly #server: Server;
  readonly #host: ConnectionHost;
  readonly #connections = new Set<PgConnection>();
  readonly #byProcessId = new Map<number, PgConnection>();
  #sessions = 0;
  #nextProcessId: number;
  #closing: Promise<void> | null = null;
  #allClosed: (() => void) | null = null;

  constructor(options: PgServerOptions) {
    this.#options = resolveOptions(options);
    const secureContext: SecureContext | null = secureContextFor(this.#options.tls);
    const mockSecret = Buffer.from(this.#options.randomBytes(32));
    this.#nextProcessId = 1 + (Buffer.from(this.#options.randomBytes(4)).readUInt32BE(0) % (processIdMax >> 1));
    this.#host = {
      options: this.#options,
      secureContext,
      mockSecret,
      admit: () => {
        if (this.#sessions >= this.#options.connectionsMax || this.#closing !== null) return false;
        this.#sessions++;
        return true;
      },
      register: (connection) => this.#register(connection),
      cancel: (processId, secretKey) => this.#cancel(processId, secretKey),
      closed: (connection) => this.#forget(connection),
    };
    this.#server = createServer({ noDelay: true }, (socket) => this.#accept(socket));
  }

  /** Listens on host:port (port 0 picks a free one); resolves to the bound address. */
  listen(host = '127.0.0.1', port = 0): Promise<AddressInfo> {
    return new Promise((resolve, reject) => {
      const onError = (error: Error) => reject(error);
      this.#server.once('error', onError);
      this.#server.listen(port, host, () => {
        this.#server.removeListener('error', onError);
        const address = this.#server.address();
        assert(address !== null && typeof address === 'object', 'a TCP server has an address');
        resolve(address);
      });
    });
  }

  /** Open sockets, including ones still in startup. */
  get connectionCount(): number {
    return this.#connections.size;
  }

  /** Sessions counted against `connectionsMax`. */
  get sessionCount(): number {
    return this.#sessions;
  }

  /** Stops accepting, ends sessions (idle at once, busy after their message), cuts what is left after the grace period. */
  close(): Promise<void> {
    if (this.#closing !== null) return this.#closing;
    this.#closing = (async () => {
      const listenerClosed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
      const drained = new Promise<void>((resolve) => {
        this.#allClosed = resolve;
        if (this.#connections.size === 0) resolve();
      });
      for (const connection of this.#connections) connection.shutdown();
      const timers = this.#options.timers;
      let timer: unknown = null;
      const grace = new Promise<void>((resolve) => {
        timer = timers.setTimeout(resolve, this.#options.closeGraceMs);
      });
      await Promise.race([drained, grace]);
      timers.clearTimeout(timer);
      for (const connection of this.#connections) connection.destroy();
      await drained;
      await listenerClosed;
    })();
    return this.#closing;
  }

  #accept(socket: Socket): void {
    if (this.#closing !== null || this.#connections.size >= this.#options.connectionsMax + socketsExtraMax) {
      socket.destroy();
      return;
    }
    const connection = new PgConnection(socket, this.#host);
    this.#connections.add(connection);
  }

  #register(connection: PgConnection): number {
    for (let tries = 0; tries < processIdMax; tries++) {
      const id = this.#nextProcessId;
      this.#nextProcessId = id >= processIdMax ? 1 : id + 1;
      if (this.#byProcessId.has(id)) continue;
      this.#byProcessId.set(id, connection);
      return id;
    }
    assert(false, 'a free process ID exists');
  }

  #cancel(processId: number, secretKey: Buffer): void {
    const target = this.#byProcessId.get(processId);
    // Compare even when there is no such process, so timing does not reveal which IDs are live.
    const expected = target?.secretKey ?? Buffer.alloc(4);
    const matches = secretKey.length === 4 && timingSafeEqual(expected, secretKey);
    if (target !== undefined && matches) target.cancel();
  }

  #forget(connection: PgConnection): void {
    if (!this.#connections.delete(connection)) return;
    if (connection.admitted) this.#sessions--;
    if (this.#byProcessId.get(connection.processId) === connection) this.#byProcessId.delete(connection.processId);
    if (this.#connections.size === 0) this.#allClosed?.();
  }
}
