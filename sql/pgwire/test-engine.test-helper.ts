/**
 * A test double of the SQL engine for pgwire's tests: it answers a handful of
 * statements by pattern, just enough to drive every protocol path through
 * the real `EngineSession` interface. It is not SQL; the real engine replaces
 * it in integration tests.
 *
 * Statements (case-insensitive, one per `;`-separated piece):
 * - `select $1::T [, $2::T …]`: echoes typed parameters (T a type name, `[]` for arrays)
 * - `select 1`; `select * from items` (a fixed table of typed rows, NULLs included)
 * - `select * from generate_series(1, N)`; `select pg_sleep(S)` (cancellable)
 * - `copy target from stdin [csv]`, `copy target to stdout [csv]`
 * - `begin`, `commit`, `rollback`; `select 1/0` (22012); `do notice`; `set name = value`
 * - the type query postgres.js sends on connect (it mentions typarray)
 * - empty text: EmptyQueryResponse; anything else: 42601
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { CopyCsvParser, CopyTextParser, formatCopyCsvRow, formatCopyTextRow, type CopyRow } from './copy.ts';
import { arrayOidOf, codecFor, formatText, registeredCodecs, elementOidOf } from './codecs/registry.ts';
import * as oids from './codecs/oids.ts';
import type { Oid } from './codecs/oids.ts';
import type {
  AuthMethod, AuthRequest, BindRequest, ClientChannel, EngineSession, PrepareRequest, ResultColumn, RowShape,
  SessionFactory, SessionStartup, StatementDescription, StatementOutput, TransactionStatus,
} from './engine.ts';
import { SqlError } from './errors.ts';
import { textRowShape } from './rows.ts';
import { makeScramVerifier } from './scram.ts';
import {
  divisionByZero, duplicatePreparedStatement, inFailedSqlTransaction, invalidCatalogName, invalidCursorName, invalidSqlStatementName,
  queryCanceled, sqlState, syntaxError, warning,
} from './sqlstate.ts';

const typeNames: Record<string, Oid> = {
  int2: oids.int2Oid, smallint: oids.int2Oid, int4: oids.int4Oid, int: oids.int4Oid, integer: oids.int4Oid,
  int8: oids.int8Oid, bigint: oids.int8Oid, float4: oids.float4Oid, real: oids.float4Oid, float8: oids.float8Oid,
  numeric: oids.numericOid, text: oids.textOid, varchar: oids.varcharOid, bool: oids.boolOid, boolean: oids.boolOid,
  bytea: oids.byteaOid, date: oids.dateOid, time: oids.timeOid, timestamp: oids.timestampOid,
  timestamptz: oids.timestamptzOid, interval: oids.intervalOid, uuid: oids.uuidOid, jsonb: oids.jsonbOid,
  json: oids.jsonOid, oid: oids.oidOid,
};

function typeOidOf(name: string): Oid {
  const array = name.endsWith('[]');
  const base = typeNames[array ? name.slice(0, -2) : name];
  const oid = base === undefined ? undefined : array ? arrayOidOf(base) : base;
  if (oid === undefined) throw new SqlError(syntaxError, `type "${name}" does not exist`);
  return oid;
}

const col = (name: string, typeOid: Oid): ResultColumn => ({ name, typeOid });

/** The fixed table: one row of everything, one with NULLs, one with edge values. */
export const itemsColumns: readonly ResultColumn[] = [
  col('id', oids.int4Oid), col('name', oids.textOid), col('price', oids.numericOid), col('ok', oids.boolOid),
  col('created', oids.timestamptzOid), col('tags', oids.textArrayOid), col('data', oids.byteaOid),
  col('big', oids.int8Oid), col('ratio', oids.float8Oid), col('day', oids.dateOid), col('dur', oids.intervalOid),
  col('uid', oids.uuidOid), col('doc', oids.jsonbOid), col('small', oids.int2Oid), col('f4', oids.float4Oid),
];
export const itemsRows: readonly (readonly unknown[])[] = [
  [
    1, 'widget', { kind: 'finite', coefficient: 1999n, scale: 2 }, true, 0n, ['a', 'b c', null], Buffer.from([0xde, 0xad]),
    9007199254740993n, 0.5, 8825, { months: 14, days: 3, micros: 4_000_000n },
    Buffer.from('a0eebc999c0b4ef8bb6d6bb9bd380a11', 'hex'), '{"k": [1, 2]}', -7, 1.5,
  ],
  [2, null, null, null, null, null, null, null, null, null, null, null, null, null, null],
  [
    3, 'é "quoted"', { kind: 'finite', coefficient: -5n, scale: 3 }, false, -1n, [], Buffer.alloc(0),
    -(2n ** 63n), -Infinity, -1, { months: 0, days: 0, micros: 0n }, Buffer.alloc(16), '[]', 32767, -0.25,
  ],
];

type RowsFn = (params: readonly unknown[], session: TestSession) => AsyncGenerator<readonly unknown[]>;
type CommandFn = (session: TestSession, out: StatementOutput) => Promise<string>;

type Plan =
  | { readonly kind: 'empty' }
  | { readonly kind: 'rows'; readonly paramTypes: readonly Oid[]; readonly columns: readonly ResultColumn[]; readonly rows: RowsFn }
  | { readonly kind: 'command'; readonly paramTypes: readonly Oid[]; readonly endsTransaction: boolean; readonly run: CommandFn };

async function* fromArray(rows: readonly (readonly unknown[])[]): AsyncGenerator<readonly unknown[]> {
  for (const row of rows) yield row;
}

function rowsPlan(paramTypes: readonly Oid[], columns: readonly ResultColumn[], rows: RowsFn): Plan {
  return { kind: 'rows', paramTypes, columns, rows };
}

function commandPlan(run: CommandFn, endsTransaction = false): Plan {
  return { kind: 'command', paramTypes: [], endsTransaction, run };
}

/** Plans one statement of the test dialect. */
export function planStatement(sqlText: string): Plan {
  const sql = sqlText.trim().replace(/\s+/g, ' ');
  const lower = sql.toLowerCase();
  if (lower === '') return { kind: 'empty' };
  const echo = /^select ((?:\$\d+::\w+(?:\[\])?)(?:\s*,\s*\$\d+::\w+(?:\[\])?)*)$/.exec(lower);
  if (echo !== null) {
    const types = echo[1]!.split(',').map((p) => typeOidOf(p.trim().split('::')[1]!));
    const columns = echo[1]!.split(',').map((p, i) => col(p.trim().split('::')[1]!.replace('[]', ''), types[i]!));
    return rowsPlan(types, columns, (params) => fromArray([params]));
  }
  if (lower === 'select 1') return rowsPlan([], [col('?column?', oids.int4Oid)], () => fromArray([[1]]));
  if (lower === 'select * from items') return rowsPlan([], itemsColumns, () => fromArray(itemsRows));
  const series = /^select \* from generate_series\(1, ?(\d+)\)$/.exec(lower);
  if (series !== null) {
    const n = Number(series[1]);
    return rowsPlan([], [col('generate_series', oids.int4Oid)], async function* (_params, session) {
      for (let i = 1; i <= n; i++) {
        if (i % 1000 === 0) session.checkCancel();
        session.engine.rowsProduced++;
        yield [i];
      }
    });
  }
  const sleepMatch = /^select pg_sleep\(([\d.]+)\)$/.exec(lower);
  if (sleepMatch !== null) {
    return rowsPlan([], [col('pg_sleep', oids.voidOid)], async function* (_params, session) {
      await session.sleep(Number(sleepMatch[1]) * 1000);
      yield [''];
    });
  }
  if (lower === 'select 1/0') return commandPlan(async () => { throw new SqlError(divisionByZero, 'division by zero'); });
  if (lower === 'begin' || lower === 'start transaction') return commandPlan(async (s) => s.begin());
  if (lower === 'commit' || lower === 'end') return commandPlan(async (s) => s.commit(), true);
  if (lower === 'rollback') return commandPlan(async (s) => s.rollback(), true);
  if (lower === 'do notice') {
    return commandPlan(async (s) => {
      s.channel.notice({ severity: 'NOTICE', code: warning, message: 'hello from the engine', detail: 'a detail' });
      return 'DO';
    });
  }
  const set = /^set (\w+) (?:=|to) '?([^']*)'?$/i.exec(sql);
  if (set !== null) {
    return commandPlan(async (s) => {
      s.channel.parameterStatus(set[1]!, set[2]!);
      return 'SET';
    });
  }
  const copyIn = /^copy (\w+) from stdin( (?:with )?\(?(?:format )?csv( header)?\)?)?$/.exec(lower);
  if (copyIn !== null) return commandPlan((s, out) => s.copyIn(copyIn[1]!, copyIn[2] !== undefined, copyIn[3] !== undefined, out));
  const copyOut = /^copy (\w+) to stdout( (?:with )?\(?(?:format )?csv\)?)?$/.exec(lower);
  if (copyOut !== null) return commandPlan((s, out) => s.copyOut(copyOut[1]!, copyOut[2] !== undefined, out));
  if (lower.includes('typarray')) {
    const pairs = registeredCodecs()
      .filter((c) => arrayOidOf(c.oid) !== undefined && elementOidOf(c.oid) === undefined)
      .map((c) => [c.oid, arrayOidOf(c.oid)!] as const);
    return rowsPlan([], [col('oid', oids.oidOid), col('typarray', oids.oidOid)], () => fromArray(pairs.map((p) => [...p])));
  }
  throw new SqlError(syntaxError, `syntax error at or near "${sql.split(' ')[0]}"`, { position: 1 });
}

/** Splits on semicolons outside single quotes (test dialect only). */
function splitStatements(sql: string): string[] {
  const out: string[] = [];
  let current = '';
  let quoted = false;
  for (const c of sql) {
    if (c === "'") quoted = !quoted;
    if (c === ';' && !quoted) {
      out.push(current);
      current = '';
    } else {
      current += c;
    }
  }
  out.push(current);
  const statements = out.filter((s) => s.trim() !== '');
  return statements.length === 0 ? [''] : statements;
}

interface Prepared {
  readonly plan: Plan;
  readonly description: StatementDescription;
}

interface Portal {
  readonly plan: Plan;
  readonly params: readonly unknown[];
  readonly shape: RowShape | null;
  iterator: AsyncGenerator<readonly unknown[]> | null;
  count: number;
}

export class TestSession implements EngineSession {
  readonly engine: TestEngine;
  readonly channel: ClientChannel;
  readonly startup: SessionStartup;
  #status: TransactionStatus = 'I';
  readonly #statements = new Map<string, Prepared>();
  readonly #portals = new Map<string, Portal>();
  #abort = new AbortController();
  #running = false;
  closed = false;

  constructor(engine: TestEngine, startup: SessionStartup, channel: ClientChannel) {
    this.engine = engine;
    this.startup = startup;
    this.channel = channel;
  }

  transactionStatus(): TransactionStatus {
    return this.#status;
  }

  checkCancel(): void {
    if (this.#abort.signal.aborted) throw new SqlError(queryCanceled, 'canceling statement due to user request');
  }

  async sleep(ms: number): Promise<void> {
    try {
      await sleep(ms, undefined, { signal: this.#abort.signal });
    } catch {
      this.checkCancel();
    }
  }

  begin(): string {
    if (this.#status === 'I') this.#status = 'T';
    return 'BEGIN';
  }

  commit(): string {
    const failed = this.#status === 'E';
    this.#status = 'I';
    return failed ? 'ROLLBACK' : 'COMMIT';
  }

  rollback(): string {
    this.#status = 'I';
    return 'ROLLBACK';
  }

  async copyIn(table: string, csv: boolean, header: boolean, out: StatementOutput): Promise<string> {
    const parser = csv ? new CopyCsvParser({ header }) : new CopyTextParser();
    const rows: CopyRow[] = [];
    for await (const chunk of out.copyIn({ binary: false, columnFormats: [0, 0] })) {
      rows.push(...parser.push(chunk));
      this.checkCancel();
    }
    rows.push(...parser.end());
    const target = this.engine.tables.get(table) ?? [];
    target.push(...rows);
    this.engine.tables.set(table, target);
    return `COPY ${rows.length}`;
  }

  async copyOut(table: string, csv: boolean, out: StatementOutput): Promise<string> {
    const rows = this.engine.tables.get(table) ?? [];
    const writer = out.copyOut({ binary: false, columnFormats: (rows[0] ?? []).map(() => 0 as const) });
    for (const row of rows) {
      if (!writer.write(csv ? formatCopyCsvRow(row) : formatCopyTextRow(row))) await writer.drained();
    }
    return `COPY ${rows.length}`;
  }

  /** Runs one statement: the transaction-state wrapper every statement goes through. */
  async #run<T>(plan: Plan, body: () => Promise<T>): Promise<T> {
    if (this.#status === 'E' && !(plan.kind === 'command' && plan.endsTransaction)) {
      throw new SqlError(inFailedSqlTransaction, 'current transaction is aborted, commands ignored until end of transaction block');
    }
    this.#abort = new AbortController();
    this.#running = true;
    try {
      return await body();
    } catch (error) {
      if (this.#status === 'T') this.#status = 'E';
      throw error;
    } finally {
      this.#running = false;
    }
  }

  async query(sql: string, out: StatementOutput): Promise<void> {
    this.engine.queries.push(sql);
    for (const text of splitStatements(sql)) {
      const plan = planStatement(text);
      if (plan.kind === 'empty') {
        out.emptyQuery();
        continue;
      }
      await this.#run(plan, async () => {
        if (plan.kind === 'command') {
          out.complete(await plan.run(this, out));
          return;
        }
        if (plan.paramTypes.length > 0) throw new SqlError(sqlState('42P02'), 'there is no parameter $1');
        out.beginRows(textRowShape(plan.columns));
        let n = 0;
        for await (const row of plan.rows([], this)) {
          n++;
          if (!out.row(row)) await out.drained();
        }
        out.complete(`SELECT ${n}`);
      });
    }
  }

  prepare(request: PrepareRequest): void {
    this.engine.prepares++;
    if (request.name !== '' && this.#statements.has(request.name)) {
      throw new SqlError(duplicatePreparedStatement, `prepared statement "${request.name}" already exists`);
    }
    const plan = planStatement(request.sql);
    const paramTypes = plan.kind === 'empty' ? [] : plan.paramTypes;
    const columns = plan.kind === 'rows' ? plan.columns : null;
    this.#statements.set(request.name, { plan, description: { paramTypes, columns } });
  }

  #statement(name: string): Prepared {
    const s = this.#statements.get(name);
    if (s === undefined) throw new SqlError(invalidSqlStatementName, `prepared statement "${name}" does not exist`);
    return s;
  }

  #portal(name: string): Portal {
    const p = this.#portals.get(name);
    if (p === undefined) throw new SqlError(invalidCursorName, `portal "${name}" does not exist`);
    return p;
  }

  describeStatement(name: string): StatementDescription {
    return this.#statement(name).description;
  }

  bind(request: BindRequest): void {
    const { plan, description } = this.#statement(request.statement);
    const params = request.decodeParams(description.paramTypes);
    const columns = description.columns;
    const shape = columns === null ? null : { columns, formats: request.resultFormatsFor(columns.length) };
    this.engine.lastParams = params;
    this.#portals.set(request.portal, { plan, params, shape, iterator: null, count: 0 });
  }

  describePortal(name: string): RowShape | null {
    return this.#portal(name).shape;
  }

  async execute(name: string, maxRows: number, out: StatementOutput): Promise<void> {
    const portal = this.#portal(name);
    const plan = portal.plan;
    if (plan.kind === 'empty') {
      out.emptyQuery();
      return;
    }
    await this.#run(plan, async () => {
      if (plan.kind === 'command') {
        out.complete(await plan.run(this, out));
        return;
      }
      portal.iterator ??= plan.rows(portal.params, this);
      out.beginRows(portal.shape!);
      let sent = 0;
      while (maxRows === 0 || sent < maxRows) {
        const next = await portal.iterator.next();
        if (next.done === true) {
          out.complete(`SELECT ${portal.count}`);
          return;
        }
        sent++;
        portal.count++;
        if (!out.row(next.value)) await out.drained();
      }
      out.suspended();
    });
  }

  closeStatement(name: string): void {
    this.#statements.delete(name);
  }

  closePortal(name: string): void {
    this.#portals.delete(name);
  }

  sync(): void {
    this.engine.syncs++;
    // Portals of the implicit transaction end at Sync unless a block is open.
    if (this.#status === 'I') this.#portals.clear();
  }

  cancel(): void {
    this.engine.cancels++;
    if (this.#running) this.#abort.abort();
  }

  close(): void {
    this.closed = true;
    this.engine.sessions.delete(this);
  }
}

export interface TestEngineOptions {
  /** Users and passwords; a user without a password has no verifier. */
  readonly users?: Readonly<Record<string, string | null>>;
  /** The auth policy; default: trust root, SCRAM for everyone else. */
  readonly policy?: (request: AuthRequest) => AuthMethod;
  /** Called when a session opens (e.g. to report is_superuser). */
  readonly onOpen?: (startup: SessionStartup, channel: ClientChannel) => void;
}

/** The test engine: a `SessionFactory` with inspectable state. */
export class TestEngine implements SessionFactory {
  readonly verifiers = new Map<string, string | null>();
  readonly sessions = new Set<TestSession>();
  readonly tables = new Map<string, CopyRow[]>();
  readonly queries: string[] = [];
  /** Every session ever opened, in order. */
  readonly startups: SessionStartup[] = [];
  readonly #options: TestEngineOptions;
  lastParams: readonly unknown[] = [];
  prepares = 0;
  rowsProduced = 0;
  syncs = 0;
  cancels = 0;

  constructor(options: TestEngineOptions = {}) {
    this.#options = options;
    for (const [user, password] of Object.entries(options.users ?? { alice: 'secret' })) {
      this.verifiers.set(user, password === null ? null : makeScramVerifier(password, { iterations: 4096 }));
    }
  }

  authMethod(request: AuthRequest): AuthMethod {
    if (this.#options.policy !== undefined) return this.#options.policy(request);
    return request.user === 'root' ? 'trust' : 'scram-sha-256';
  }

  scramVerifier(user: string): string | null {
    return this.verifiers.get(user) ?? null;
  }

  openSession(startup: SessionStartup, channel: ClientChannel): EngineSession {
    if (startup.database === 'missing') throw new SqlError(invalidCatalogName, 'database "missing" does not exist');
    this.startups.push(startup);
    this.#options.onOpen?.(startup, channel);
    if (startup.user === 'root') channel.parameterStatus('is_superuser', 'on');
    const session = new TestSession(this, startup, channel);
    this.sessions.add(session);
    return session;
  }
}

/** Text of a value as pgwire would send it (for assertions). */
export function textOf(typeOid: Oid, value: unknown): string {
  return formatText(typeOid, value);
}

/** Whether pgwire has a codec for a type (for assertions). */
export function hasCodec(typeOid: Oid): boolean {
  return codecFor(typeOid) !== undefined;
}
