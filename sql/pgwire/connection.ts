/**
 * One client connection: a state machine over its socket.
 *
 *   startup ──StartupMessage──▶ auth ──proof──▶ ready ──▶ closed
 *      │ SSLRequest → 'S' + TLS upgrade, or 'N'; GSSENCRequest → 'N'
 *      └ CancelRequest → cancel the target session, close quietly
 *
 * Input runs through one pump: the framer yields whole messages, each is
 * handled to completion (engine calls awaited) before the next, so the
 * engine sees one call at a time in protocol order however the client
 * pipelines. While a statement runs, reading stops once a small backlog is
 * buffered. Output goes to one buffer, flushed when a batch is answered (a
 * ReadyForQuery with no further message waiting, a Flush, the end of the
 * input at hand) or when it fills up; when the socket backs up, rows report
 * backpressure and the pump waits for 'drain'.
 */
import type { Socket } from 'node:net';
import { TLSSocket, createSecureContext, type SecureContext } from 'node:tls';
import { assert } from './assert.ts';
import { PasswordAuth } from './auth.ts';
import {
  authOk, writeAuthentication, writeBackendKeyData, writeEmpty, writeErrorResponse, writeNegotiateProtocolVersion,
  writeNoticeResponse, writeParameterDescription, writeParameterStatus, writeReadyForQuery,
} from './backend.ts';
import type { AuthMethod, ClientChannel, EngineSession, RowShape, SessionStartup, StatementDescription } from './engine.ts';
import { SqlError, protocolError, type Notice } from './errors.ts';
import { Framer, type Frame } from './framer.ts';
import { parseFrontendMessage, type FrontendMessage } from './frontend.ts';
import { inputBacklogBytesMax, terminateGraceMs, outputBufferedBytesHigh, outputBytesRetainedMax, outputFlushBytes, startupNegotiationsMax } from './limits.ts';
import type { ResolvedOptions } from './options.ts';
import { ConnectionOutput, type OutputSink } from './output.ts';
import { compileShape, textRowShape } from './rows.ts';
import {
  adminShutdown, connectionFailure, featureNotSupported, idleSessionTimeout, internalError,
  invalidAuthorizationSpecification, protocolViolation, queryCanceled, tooManyConnections,
} from './sqlstate.ts';
import { parseStartupPacket, protocolVersion30, type StartupPacket } from './startup.ts';
import { BufferWriter } from './writer.ts';

/** What a connection needs from its server. */
export interface ConnectionHost {
  readonly options: ResolvedOptions;
  readonly secureContext: SecureContext | null;
  readonly mockSecret: Uint8Array;
  /** Counts a new session against the limit; false when full. */
  admit(connection: PgConnection): boolean;
  /** A fresh process ID, registered for cancel requests. */
  register(connection: PgConnection): number;
  /** A CancelRequest arrived. */
  cancel(processId: number, secretKey: Buffer): void;
  /** The connection is gone; forget it. */
  closed(connection: PgConnection): void;
}

type Phase = 'startup' | 'auth' | 'ready' | 'closed';

const typeSync = 0x53;
const typeTerminate = 0x58;
const typeQuery = 0x51;
const typePassword = 0x70;

/** Creates a TLS context from an identity once per server. */
export function secureContextFor(identity: { key: string | Buffer; cert: string | Buffer } | null): SecureContext | null {
  return identity === null ? null : createSecureContext({ key: identity.key, cert: identity.cert });
}

export class PgConnection {
  readonly #host: ConnectionHost;
  readonly #options: ResolvedOptions;
  #socket: Socket;
  #tls = false;
  readonly remoteAddress: string;
  readonly #framer = new Framer();
  readonly #out = new BufferWriter();
  readonly #output: ConnectionOutput;
  #phase: Phase = 'startup';
  #negotiations = 0;
  #pumping = false;
  #paused = false;
  #auth: PasswordAuth | null = null;
  #startup: SessionStartup | null = null;
  #session: EngineSession | null = null;
  #sessionClosed = false;
  #socketClosed = false;
  #admitted = false;
  #processId = 0;
  #secretKey: Buffer = Buffer.alloc(4);
  #skipTillSync = false;
  #shutdownRequested = false;
  #dataWaiter: { resolve: () => void; reject: (error: Error) => void } | null = null;
  #drainWaiters: { resolve: () => void; reject: (error: Error) => void }[] = [];
  #startupTimer: unknown = null;
  #idleTimer: unknown = null;
  /** ParameterStatus values the engine reported before the startup reply was written. */
  #pendingParameters: Map<string, string> | null = new Map();

  constructor(socket: Socket, host: ConnectionHost) {
    this.#host = host;
    this.#options = host.options;
    this.#socket = socket;
    this.remoteAddress = socket.remoteAddress ?? '';
    socket.setNoDelay(true);
    this.#output = new ConnectionOutput(this.#makeSink());
    this.#listen(socket);
    this.#startupTimer = this.#options.timers.setTimeout(() => this.#onStartupTimeout(), this.#options.startupTimeoutMs);
  }

  /** The 4-byte secret of BackendKeyData. */
  get secretKey(): Buffer {
    return this.#secretKey;
  }

  get processId(): number {
    return this.#processId;
  }

  /** True once past the StartupMessage and counted as a session. */
  get admitted(): boolean {
    return this.#admitted;
  }

  #listen(socket: Socket): void {
    socket.on('data', this.#onData);
    socket.on('error', this.#onError);
    socket.on('close', this.#onClose);
    socket.on('drain', this.#onDrain);
  }

  #onData = (chunk: Buffer): void => {
    // After a FATAL or Terminate nothing more is read; what a client still sends is dropped, not buffered.
    if (this.#phase === 'closed') return;
    this.#clearIdleTimer();
    this.#framer.push(chunk);
    const waiter = this.#dataWaiter;
    if (waiter !== null) {
      this.#dataWaiter = null;
      waiter.resolve();
    }
    if (this.#pumping) {
      if (this.#framer.bufferedBytes > inputBacklogBytesMax && !this.#paused) {
        this.#paused = true;
        this.#socket.pause();
      }
      return;
    }
    void this.#pump();
  };

  #onError = (): void => {
    // The socket is unusable; 'close' follows and does the cleanup.
    this.#socket.destroy();
  };

  #onDrain = (): void => {
    if (this.#socket.writableLength > outputBufferedBytesHigh) return;
    const waiters = this.#drainWaiters;
    this.#drainWaiters = [];
    for (const w of waiters) w.resolve();
  };

  #onClose = (): void => {
    if (this.#socketClosed) return;
    this.#socketClosed = true;
    this.#phase = 'closed';
    this.#clearStartupTimer();
    this.#clearIdleTimer();
    const gone = new SqlError(connectionFailure, 'connection to client lost');
    this.#dataWaiter?.reject(gone);
    this.#dataWaiter = null;
    for (const w of this.#drainWaiters.splice(0)) w.reject(gone);
    this.#host.closed(this);
    if (this.#pumping) this.#session?.cancel();
    else void this.#closeSession();
  };

  /** Runs queued messages one at a time until the input runs dry. */
  async #pump(): Promise<void> {
    this.#pumping = true;
    try {
      while (this.#phase !== 'closed') {
        if (this.#phase === 'startup') {
          const packet = this.#framer.nextStartup();
          if (packet === null) break;
          await this.#onStartupPacket(parseStartupPacket(packet));
        } else {
          const frame = this.#framer.next();
          if (frame === null) break;
          await this.#onFrame(frame);
        }
        if (this.#out.length >= outputFlushBytes) this.#flush();
        if (this.#socket.writableLength > outputBufferedBytesHigh) await this.drained();
      }
    } catch (error) {
      this.#fatal(error);
    } finally {
      this.#pumping = false;
    }
    if (this.#phase === 'closed') {
      void this.#closeSession();
      return;
    }
    if (this.#shutdownRequested && this.#phase === 'ready') {
      this.#terminate(new SqlError(adminShutdown, 'terminating connection due to administrator command', { severity: 'FATAL' }));
      return;
    }
    this.#flush();
    if (this.#paused) {
      this.#paused = false;
      this.#socket.resume();
    }
    this.#armIdleTimer();
  }

  // ── startup ────────────────────────────────────────────────────────────

  async #onStartupPacket(packet: StartupPacket): Promise<void> {
    switch (packet.kind) {
      case 'ssl':
      case 'gssenc': {
        if (++this.#negotiations > startupNegotiationsMax) throw protocolError('too many encryption negotiation requests');
        // Bytes after the request would be read as plaintext after an upgrade (CVE-2021-23214).
        if (this.#framer.bufferedBytes > 0) throw protocolError('received unencrypted data after SSL request');
        if (packet.kind === 'ssl' && this.#host.secureContext !== null && !this.#tls) this.#startTls(this.#host.secureContext);
        else this.#socket.write('N');
        return;
      }
      case 'cancel':
        this.#host.cancel(packet.processId, packet.secretKey);
        this.#phase = 'closed';
        this.#endSocket();
        return;
      case 'startup':
        await this.#onStartupMessage(packet);
        return;
    }
  }

  #startTls(context: SecureContext): void {
    const raw = this.#socket;
    raw.write('S');
    raw.removeListener('data', this.#onData);
    raw.removeListener('close', this.#onClose);
    raw.removeListener('drain', this.#onDrain);
    const secure = new TLSSocket(raw, { isServer: true, secureContext: context });
    this.#socket = secure;
    this.#tls = true;
    this.#listen(secure);
  }

  async #onStartupMessage(packet: Extract<StartupPacket, { kind: 'startup' }>): Promise<void> {
    if (!this.#host.admit(this)) {
      throw new SqlError(tooManyConnections, 'sorry, too many clients already', { severity: 'FATAL' });
    }
    this.#admitted = true;
    if (packet.minorVersion > 0 || packet.protocolOptions.length > 0) {
      writeNegotiateProtocolVersion(this.#out, protocolVersion30, packet.protocolOptions);
    }
    const user = packet.parameters.get('user') ?? '';
    if (user === '') {
      throw new SqlError(invalidAuthorizationSpecification, 'no PostgreSQL user name specified in startup packet', { severity: 'FATAL' });
    }
    const database = packet.parameters.get('database') || user;
    const request = { user, database, remoteAddress: this.remoteAddress, tls: this.#tls };
    let method: AuthMethod = await this.#options.sessions.authMethod(request);
    if (method === 'password' && !this.#tls && !this.#options.allowCleartextWithoutTls) method = 'scram-sha-256';
    if (method === 'reject') {
      throw new SqlError(
        invalidAuthorizationSpecification,
        `no authentication method permits host "${this.remoteAddress}", user "${user}", database "${database}"${this.#tls ? ', TLS' : ''}`,
        { severity: 'FATAL' },
      );
    }
    this.#processId = this.#host.register(this);
    this.#secretKey = Buffer.from(this.#options.randomBytes(4));
    this.#startup = {
      user, database, parameters: packet.parameters, remoteAddress: this.remoteAddress, tls: this.#tls,
      authMethod: method, processId: this.#processId,
    };
    if (method === 'trust') {
      await this.#finishLogin();
      return;
    }
    this.#auth = await PasswordAuth.start(
      { method, user, sessions: this.#options.sessions, mockSecret: this.#host.mockSecret, randomBytes: this.#options.randomBytes },
      this.#out,
    );
    this.#phase = 'auth';
  }

  async #onAuthFrame(frame: Frame): Promise<void> {
    if (frame.type === typeTerminate) {
      this.#phase = 'closed';
      this.#socket.destroy();
      return;
    }
    if (frame.type !== typePassword) throw protocolError(`expected password response, got message type ${frame.type}`);
    assert(this.#auth !== null, 'an auth phase has a dialogue');
    if (await this.#auth.step(frame.body, this.#out)) {
      this.#auth = null;
      await this.#finishLogin();
    }
  }

  async #finishLogin(): Promise<void> {
    const startup = this.#startup;
    assert(startup !== null, 'login follows a StartupMessage');
    writeAuthentication(this.#out, authOk);
    let session: EngineSession;
    try {
      session = await this.#options.sessions.openSession(startup, this.#makeChannel());
    } catch (error) {
      if (error instanceof SqlError && error.severity === 'ERROR') {
        throw new SqlError(error.code, error.message, { ...error.fields, severity: 'FATAL' });
      }
      throw error;
    }
    this.#session = session;
    if (this.#phase === 'closed') return;
    const reported = new Map(Object.entries(this.#options.parameters));
    reported.set('application_name', startup.parameters.get('application_name') ?? '');
    reported.set('session_authorization', startup.user);
    for (const [name, value] of this.#pendingParameters ?? []) reported.set(name, value);
    this.#pendingParameters = null;
    for (const [name, value] of reported) writeParameterStatus(this.#out, name, value);
    writeBackendKeyData(this.#out, this.#processId, this.#secretKey.readInt32BE(0));
    writeReadyForQuery(this.#out, session.transactionStatus());
    this.#phase = 'ready';
    this.#clearStartupTimer();
  }

  #makeChannel(): ClientChannel {
    return {
      notice: (notice: Notice) => {
        if (this.#phase === 'closed') return;
        writeNoticeResponse(this.#out, notice);
        // Notices go out at once (as PostgreSQL's do), unless a batch is being answered anyway.
        if (!this.#pumping) this.#flush();
      },
      parameterStatus: (name: string, value: string) => {
        if (this.#pendingParameters !== null) {
          this.#pendingParameters.set(name, value);
          return;
        }
        if (this.#phase === 'closed') return;
        writeParameterStatus(this.#out, name, value);
        if (!this.#pumping) this.#flush();
      },
    };
  }

  // ── queries ────────────────────────────────────────────────────────────

  async #onFrame(frame: Frame): Promise<void> {
    if (this.#phase === 'auth') return this.#onAuthFrame(frame);
    if (this.#skipTillSync && frame.type !== typeSync && frame.type !== typeTerminate) return;
    let message: FrontendMessage;
    try {
      message = parseFrontendMessage(frame);
    } catch (error) {
      this.#statementError(error, frame.type === typeQuery);
      return;
    }
    try {
      await this.#onMessage(message);
    } catch (error) {
      this.#statementError(error, message.type === 'query' || message.type === 'functionCall');
    }
  }

  async #onMessage(message: FrontendMessage): Promise<void> {
    const session = this.#session;
    assert(session !== null, 'a ready connection has a session');
    const w = this.#out;
    switch (message.type) {
      case 'query':
        return this.#simpleQuery(session, message.sql);
      case 'parse':
        await session.prepare({ name: message.name, sql: message.sql, paramTypes: message.paramTypes });
        writeEmpty(w, '1');
        return;
      case 'bind':
        await session.bind(message.request);
        writeEmpty(w, '2');
        return;
      case 'describe':
        if (message.target === 'statement') this.#writeStatementDescription(await session.describeStatement(message.name));
        else this.#writeRowDescription(await session.describePortal(message.name));
        return;
      case 'execute':
        this.#output.reset('extended');
        await session.execute(message.portal, message.maxRows, this.#output);
        assert(this.#output.ended, 'an Execute ends with complete, suspended or emptyQuery');
        return;
      case 'close':
        if (message.target === 'statement') await session.closeStatement(message.name);
        else await session.closePortal(message.name);
        writeEmpty(w, '3');
        return;
      case 'sync':
        return this.#sync(session);
      case 'flush':
        this.#flush();
        return;
      case 'terminate':
        this.#flush();
        this.#phase = 'closed';
        this.#endSocket();
        return;
      case 'copyData':
      case 'copyDone':
      case 'copyFail':
        // Leftovers of a COPY FROM STDIN that failed: the client keeps sending until it reads the error.
        return;
      case 'functionCall':
        throw new SqlError(featureNotSupported, 'fastpath function calls are not supported');
      case 'password':
        throw protocolError('unexpected password message');
    }
  }

  async #simpleQuery(session: EngineSession, sql: string): Promise<void> {
    this.#output.reset('simple');
    try {
      await session.query(sql, this.#output);
      assert(!this.#output.resultOpen, 'each statement of a simple query ends with complete or emptyQuery');
    } catch (error) {
      this.#writeError(error);
    }
    this.#readyForQuery(session);
  }

  async #sync(session: EngineSession): Promise<void> {
    this.#skipTillSync = false;
    try {
      await session.sync();
    } catch (error) {
      this.#writeError(error);
    }
    this.#readyForQuery(session);
  }

  #readyForQuery(session: EngineSession): void {
    writeReadyForQuery(this.#out, session.transactionStatus());
    // A pipelining client gets its batch in one write; anyone else at once.
    if (!this.#framer.hasMessage()) this.#flush();
  }

  #writeStatementDescription(description: StatementDescription): void {
    writeParameterDescription(this.#out, description.paramTypes);
    const columns = description.columns;
    if (columns === null) {
      writeEmpty(this.#out, 'n');
      return;
    }
    // Formats are not known before Bind: RowDescription of a statement says text (0) for all.
    this.#out.bytes(compileShape(textRowShape(columns)).rowDescription);
  }

  #writeRowDescription(shape: RowShape | null): void {
    if (shape === null) writeEmpty(this.#out, 'n');
    else this.#out.bytes(compileShape(shape).rowDescription);
  }

  /** A statement failed: ErrorResponse, then ReadyForQuery (simple) or skip to Sync (extended). */
  #statementError(error: unknown, simple: boolean): void {
    if (error instanceof SqlError && error.severity !== 'ERROR') throw error;
    this.#writeError(error);
    if (simple) {
      if (this.#session !== null) this.#readyForQuery(this.#session);
    } else {
      this.#skipTillSync = true;
    }
  }

  /** Writes an ErrorResponse for a statement-level failure; FATAL ones propagate to the pump. */
  #writeError(error: unknown): void {
    if (error instanceof SqlError) {
      if (error.severity !== 'ERROR') throw error;
      writeErrorResponse(this.#out, error);
      return;
    }
    this.#options.onInternalError(error);
    writeErrorResponse(this.#out, new SqlError(internalError, `internal error: ${error instanceof Error ? error.message : String(error)}`));
  }

  // ── COPY FROM STDIN ───────────────────────────────────────────────────

  async *#copyInData(): AsyncGenerator<Buffer> {
    for (;;) {
      const frame = this.#framer.next();
      if (frame === null) {
        await this.#waitForData();
        continue;
      }
      switch (frame.type) {
        case 0x64: // CopyData
          yield frame.body;
          continue;
        case 0x63: // CopyDone
          return;
        case 0x66: { // CopyFail
          const message = parseFrontendMessage(frame);
          const reason = message.type === 'copyFail' ? message.message : '';
          throw new SqlError(queryCanceled, `COPY from stdin failed: ${reason}`);
        }
        case 0x48: // Flush and Sync are ignored during COPY IN (protocol "COPY Operations").
        case typeSync:
          continue;
        default:
          throw new SqlError(protocolViolation, `unexpected message type 0x${frame.type.toString(16).padStart(2, '0')} during COPY from stdin`);
      }
    }
  }

  #waitForData(): Promise<void> {
    if (this.#phase === 'closed') return Promise.reject(new SqlError(connectionFailure, 'connection to client lost'));
    this.#flush();
    if (this.#paused) {
      this.#paused = false;
      this.#socket.resume();
    }
    return new Promise((resolve, reject) => {
      this.#dataWaiter = { resolve, reject };
    });
  }

  // ── output ─────────────────────────────────────────────────────────────

  #makeSink(): OutputSink {
    return {
      writer: this.#out,
      flush: () => this.#flush(),
      // A closed connection counts as backed up, so an engine that awaits drained() learns of it (08006).
      backlogged: () => this.#phase === 'closed' || this.#socket.writableLength > outputBufferedBytesHigh,
      drained: () => this.drained(),
      copyInData: () => this.#copyInData(),
    };
  }

  #flush(): void {
    if (this.#out.length === 0) return;
    if (this.#phase === 'closed' || this.#socket.destroyed) {
      this.#out.truncate(0);
      return;
    }
    this.#socket.write(this.#out.take(outputBytesRetainedMax));
  }

  /** Resolves once the socket's queue is below the high-water mark. */
  drained(): Promise<void> {
    if (this.#phase === 'closed') return Promise.reject(new SqlError(connectionFailure, 'connection to client lost'));
    if (this.#socket.writableLength <= outputBufferedBytesHigh) return Promise.resolve();
    return new Promise((resolve, reject) => this.#drainWaiters.push({ resolve, reject }));
  }

  // ── ending ─────────────────────────────────────────────────────────────

  /** A fatal error: tell the client if it can listen, then close. */
  #fatal(error: unknown): void {
    if (this.#phase === 'closed') return;
    let fatal: SqlError;
    if (error instanceof SqlError) {
      fatal = error.severity === 'ERROR' ? new SqlError(error.code, error.message, { ...error.fields, severity: 'FATAL' }) : error;
    } else {
      this.#options.onInternalError(error);
      fatal = new SqlError(internalError, 'internal error', { severity: 'FATAL' });
    }
    this.#terminate(fatal);
  }

  /** Sends `error` (if any) and everything buffered, then closes the socket. */
  #terminate(error: SqlError | null): void {
    if (this.#phase === 'closed') return;
    if (error !== null) {
      try {
        writeErrorResponse(this.#out, error);
      } catch {
        // The buffer is at its limit: close without the message.
      }
    }
    this.#flush();
    this.#phase = 'closed';
    this.#clearStartupTimer();
    this.#clearIdleTimer();
    this.#endSocket();
  }

  /** Ends the socket once its output is written; a client that stops reading is cut after a grace period. */
  #endSocket(): void {
    const socket = this.#socket;
    const timers = this.#options.timers;
    const cut = timers.setTimeout(() => socket.destroy(), terminateGraceMs);
    socket.end(() => {
      timers.clearTimeout(cut);
      socket.destroy();
    });
  }

  async #closeSession(): Promise<void> {
    const session = this.#session;
    if (session === null || this.#sessionClosed) return;
    this.#sessionClosed = true;
    try {
      await session.close();
    } catch (error) {
      this.#options.onInternalError(error);
    }
  }

  /** Cancels the running statement (a CancelRequest matched this connection). */
  cancel(): void {
    this.#session?.cancel();
  }

  /** Server shutdown: an idle session ends now (57P01), a busy one after its current message. */
  shutdown(): void {
    this.#shutdownRequested = true;
    if (this.#phase === 'startup' || this.#phase === 'auth') {
      this.destroy();
      return;
    }
    if (!this.#pumping) {
      this.#terminate(new SqlError(adminShutdown, 'terminating connection due to administrator command', { severity: 'FATAL' }));
    }
  }

  /** Cuts the connection at once. */
  destroy(): void {
    this.#session?.cancel();
    this.#socket.destroy();
  }

  // ── timers ─────────────────────────────────────────────────────────────

  #onStartupTimeout(): void {
    this.#startupTimer = null;
    if (this.#phase === 'ready' || this.#phase === 'closed') return;
    if (this.#phase === 'auth') {
      this.#terminate(new SqlError(queryCanceled, 'canceling authentication due to timeout', { severity: 'FATAL' }));
    } else {
      this.destroy();
    }
  }

  #clearStartupTimer(): void {
    if (this.#startupTimer === null) return;
    this.#options.timers.clearTimeout(this.#startupTimer);
    this.#startupTimer = null;
  }

  #armIdleTimer(): void {
    if (this.#options.idleTimeoutMs === 0 || this.#phase !== 'ready' || this.#idleTimer !== null) return;
    this.#idleTimer = this.#options.timers.setTimeout(() => {
      this.#idleTimer = null;
      if (this.#pumping || this.#phase !== 'ready') return;
      this.#terminate(new SqlError(idleSessionTimeout, 'terminating connection due to idle-session timeout', { severity: 'FATAL' }));
    }, this.#options.idleTimeoutMs);
  }

  #clearIdleTimer(): void {
    if (this.#idleTimer === null) return;
    this.#options.timers.clearTimeout(this.#idleTimer);
    this.#idleTimer = null;
  }
}
