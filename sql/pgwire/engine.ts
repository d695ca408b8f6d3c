/**
 * The seam between the wire protocol and the SQL engine. pgwire owns bytes,
 * framing, authentication exchanges, value encoding and flow control; the
 * engine owns everything a statement means: parsing, the statement and
 * portal namespaces, transactions, COPY semantics. The engine implements
 * `SessionFactory` (one per server) and `EngineSession` (one per
 * connection); pgwire hands it a `StatementOutput` to answer through and a
 * `ClientChannel` for messages outside a statement.
 *
 * Calling discipline: pgwire calls one `EngineSession` method at a time and
 * waits for it to settle before the next (the only exception is `cancel`,
 * which may come from another connection at any moment). Methods may return
 * a value or a promise of it: an engine answering from a cache can stay
 * synchronous. Expected failures are thrown as `SqlError`; pgwire turns
 * them into ErrorResponse (FATAL ones also close the connection). Anything
 * else thrown is reported as XX000 and to `PgServerOptions.onInternalError`.
 *
 * Values: rows are arrays of JS values, one per column, encoded by pgwire's
 * codec for the column's type OID in the format the client asked for; see
 * codecs/codec.ts for the value shapes (sql/encoding's datum payloads) and
 * the rule that a string is always a value's text form. pgwire never holds a
 * row: it is encoded into the output buffer during `row()`.
 *
 * Version history of this interface: 1 (first): simple and extended query,
 * COPY in/out, cancel, notices, parameter status.
 */
import type { FormatCode } from './codecs/registry.ts';
import type { Oid } from './codecs/oids.ts';
import type { Notice } from './errors.ts';

/** `T` or a promise of it: engine methods may answer synchronously. */
export type MaybePromise<T> = T | Promise<T>;

/** ReadyForQuery's status: idle, in a transaction block, in a failed transaction block. */
export type TransactionStatus = 'I' | 'T' | 'E';

/** How a connection must prove who it is. */
export type AuthMethod =
  /** No proof: anyone who can reach the server may log in as this user (e.g. root on loopback in the demo). */
  | 'trust'
  /** SCRAM-SHA-256 against the user's stored verifier. */
  | 'scram-sha-256'
  /**
   * Cleartext password checked against the stored verifier; only over TLS
   * unless `PgServerOptions.allowCleartextWithoutTls` (else SCRAM is used).
   */
  | 'password'
  /** Refused outright (28000). */
  | 'reject';

/** What the authentication policy sees of a connection attempt. */
export interface AuthRequest {
  readonly user: string;
  readonly database: string;
  /** The client's IP address as the socket reports it (e.g. "127.0.0.1", "::1"). */
  readonly remoteAddress: string;
  readonly tls: boolean;
}

/** Everything the engine learns about a new session. */
export interface SessionStartup {
  readonly user: string;
  /** The database asked for; the user name when the client named none. */
  readonly database: string;
  /**
   * All startup parameters the client sent (user, database,
   * application_name, options, client_encoding, DateStyle, …), except
   * protocol options (`_pq_.*`).
   */
  readonly parameters: ReadonlyMap<string, string>;
  readonly remoteAddress: string;
  readonly tls: boolean;
  readonly authMethod: Exclude<AuthMethod, 'reject'>;
  /** The process ID the client was given in BackendKeyData (for logs and pg_stat_activity). */
  readonly processId: number;
}

/** Creates sessions; one per server. Also the authentication policy and credential store. */
export interface SessionFactory {
  /** The policy: which method a connection attempt must use. Called once per connection, after the StartupMessage. */
  authMethod(request: AuthRequest): MaybePromise<AuthMethod>;
  /**
   * The user's stored verifier (`SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>`,
   * see `makeScramVerifier`), or null when the user does not exist or has no
   * password. Unknown users fail exactly like wrong passwords.
   */
  scramVerifier(user: string): MaybePromise<string | null>;
  /**
   * Opens a session for an authenticated user. May throw `SqlError` (e.g.
   * 3D000 for a database that does not exist; FATAL is implied here). May
   * report session parameters through `client.parameterStatus` (e.g.
   * is_superuser); they override pgwire's defaults in the startup reply.
   */
  openSession(startup: SessionStartup, client: ClientChannel): MaybePromise<EngineSession>;
}

/** Messages the engine may send outside the flow of a statement's results. */
export interface ClientChannel {
  /** NoticeResponse (RAISE NOTICE, warnings). Sent at once. */
  notice(notice: Notice): void;
  /** ParameterStatus: a reported parameter changed (SET application_name, TimeZone, …). */
  parameterStatus(name: string, value: string): void;
}

/** One result column as RowDescription describes it. */
export interface ResultColumn {
  readonly name: string;
  readonly typeOid: Oid;
  /** The table the column comes from, or 0 (the default). */
  readonly tableOid?: Oid;
  /** The column's attribute number in that table, or 0 (the default). */
  readonly columnNumber?: number;
  /** pg_type.typlen; by default the codec's (-1 for types without one). */
  readonly typeSize?: number;
  /** pg_attribute.atttypmod (e.g. varchar(10) → 14); -1 by default. */
  readonly typeModifier?: number;
}

/**
 * What a result's rows look like on the wire: the columns and the format of
 * each. Build one per statement or portal and reuse it for every execution:
 * pgwire caches the encoded RowDescription and the per-column encoders on
 * the object, so a fresh shape per execution costs a recompilation.
 * `textRowShape(columns)` gives the cached all-text shape simple queries use.
 */
export interface RowShape {
  readonly columns: readonly ResultColumn[];
  /** One per column. */
  readonly formats: readonly FormatCode[];
}

/** Describe of a prepared statement: ParameterDescription and RowDescription (or NoData). */
export interface StatementDescription {
  readonly paramTypes: readonly Oid[];
  /** Result columns, or null when the statement returns no rows. */
  readonly columns: readonly ResultColumn[] | null;
}

/** A Parse message. */
export interface PrepareRequest {
  /** "" is the unnamed statement, which a new Parse replaces; a named one must not exist yet (42P05). */
  readonly name: string;
  readonly sql: string;
  /** Types the client fixed for $1, $2, …; 0 leaves one to the engine; there may be fewer than the statement uses. */
  readonly paramTypes: readonly Oid[];
}

/** A Bind message. Parameter values are views into the input: decode (or copy) them during the call. */
export interface BindRequest {
  /** "" is the unnamed portal, which a new Bind replaces. */
  readonly portal: string;
  readonly statement: string;
  /** Raw parameter values, null for SQL NULL. */
  readonly params: readonly (Buffer | null)[];
  /** As sent: none (all text), one for all, or one per parameter. */
  readonly paramFormats: readonly FormatCode[];
  /** As sent: none (all text), one for all, or one per result column. */
  readonly resultFormats: readonly FormatCode[];
  /**
   * Decodes the parameters for the statement's parameter types with pgwire's
   * codecs (value shapes as in codecs/codec.ts; a type without a codec, or
   * 0, gives the text as a string or the binary value as bytes). Throws
   * `SqlError` 08P01 when the counts disagree, 22P02/22P03 (and range
   * errors) on bad values.
   */
  decodeParams(paramTypes: readonly Oid[]): unknown[];
  /** The result format of each of `columnCount` columns; throws 08P01 when the count disagrees. */
  resultFormatsFor(columnCount: number): FormatCode[];
}

/** The format of a COPY stream: overall binary or text, and one format per column (all equal in PostgreSQL). */
export interface CopyFormat {
  readonly binary: boolean;
  readonly columnFormats: readonly FormatCode[];
}

/** Where a COPY TO STDOUT writes its data; each write becomes one CopyData message. */
export interface CopyOutWriter {
  /** Sends data (e.g. one or more rows); false means back off: await `drained()`. */
  write(data: Uint8Array | string): boolean;
  drained(): Promise<void>;
}

/**
 * How a statement answers. `query` and `execute` receive one; a statement
 * ends with exactly one of `complete`, `suspended` (execute only) or
 * `emptyQuery`, or by throwing. Every method is synchronous and cheap: it
 * encodes into the connection's output buffer, which pgwire flushes.
 */
export interface StatementOutput {
  /**
   * Rows follow, shaped as `shape`. In a simple query this sends
   * RowDescription (use text formats); in an extended-protocol Execute it
   * sends nothing (Describe did) and only sets the encoding.
   */
  beginRows(shape: RowShape): void;
  /**
   * One row, a value per column (null for SQL NULL). Returns false when the
   * client is not keeping up: await `drained()` before the next row.
   * Throws `SqlError` when a value cannot be encoded; the row is then not sent.
   */
  row(values: readonly unknown[]): boolean;
  /** Resolves when the output has drained below the high-water mark; rejects (08006) if the client went away. */
  drained(): Promise<void>;
  /** CommandComplete with the command tag ("SELECT 3", "INSERT 0 1", "COPY 10", "BEGIN"). */
  complete(tag: string): void;
  /** Execute stopped at its row limit: PortalSuspended; the next Execute of the portal resumes. */
  suspended(): void;
  /** The statement text held no statement: EmptyQueryResponse. */
  emptyQuery(): void;
  /**
   * COPY FROM STDIN: sends CopyInResponse and returns the client's data.
   * The iterable ends at CopyDone and throws `SqlError` 57014 on CopyFail
   * (and 08P01 on any other message). Finish with `complete("COPY n")`.
   * Abandoning it early (throwing) is fine: pgwire skips the rest.
   */
  copyIn(format: CopyFormat): AsyncIterable<Buffer>;
  /** COPY TO STDOUT: sends CopyOutResponse; `complete("COPY n")` sends CopyDone and CommandComplete. */
  copyOut(format: CopyFormat): CopyOutWriter;
}

/**
 * One client session. The engine keeps the statement and portal namespaces
 * (so SQL PREPARE / DEALLOCATE / DISCARD and cursors share them, as in
 * PostgreSQL) and the transaction state.
 */
export interface EngineSession {
  /** ReadyForQuery's status; read after each simple query and each Sync. */
  transactionStatus(): TransactionStatus;

  /**
   * A simple query: `sql` may hold several statements, run in order in one
   * implicit transaction unless they manage transactions themselves. For
   * each: `beginRows` + `row`s if it returns rows, then `complete`; an empty
   * string (or only comments/semicolons) is `emptyQuery`. An error ends the
   * string: roll back what the implicit transaction did, then throw.
   */
  query(sql: string, out: StatementOutput): MaybePromise<void>;

  /** Parse: checks and stores a statement (ParseComplete follows). */
  prepare(request: PrepareRequest): MaybePromise<void>;
  /** Describe of a statement; unknown name: 26000. */
  describeStatement(name: string): MaybePromise<StatementDescription>;
  /** Bind: creates a portal from a statement and parameters; unknown statement: 26000. */
  bind(request: BindRequest): MaybePromise<void>;
  /** Describe of a portal: its row shape (formats from Bind), or null when it returns no rows; unknown: 34000. */
  describePortal(name: string): MaybePromise<RowShape | null>;
  /**
   * Execute: runs or resumes a portal, at most `maxRows` rows (0 = all).
   * Starts rows with `beginRows` (the portal's shape), ends with `complete`
   * or `suspended` (or `emptyQuery`). An extended-protocol statement runs in
   * the implicit transaction that lasts until Sync unless a block is open;
   * on error, mark it failed and throw (pgwire then skips to Sync).
   */
  execute(portal: string, maxRows: number, out: StatementOutput): MaybePromise<void>;
  /** Close of a statement; a name that does not exist is not an error. */
  closeStatement(name: string): MaybePromise<void>;
  /** Close of a portal; a name that does not exist is not an error. */
  closePortal(name: string): MaybePromise<void>;
  /**
   * Sync: the end of an extended-protocol batch. Commit the implicit
   * transaction if one is open (roll it back if it failed); an explicit
   * block stays open. May throw (a failed commit); ReadyForQuery follows
   * either way.
   */
  sync(): MaybePromise<void>;

  /**
   * A CancelRequest for this session arrived (from another connection, at
   * any time), or the client went away mid-statement: make the running
   * statement, if any, fail with 57014 (`queryCanceled`); when nothing runs,
   * ignore it (as PostgreSQL does). Must not throw.
   */
  cancel(): void;
  /** The connection ended (Terminate, disconnect, shutdown): roll back, release everything. Called once, last. */
  close(): MaybePromise<void>;
}
