/** postgres.js against PgServer: aggressive pipelining, type round trips, COPY streams, cancel, auth. */
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './test-server.test-helper.ts';

let t: TestServer;
let sql: postgres.Sql;

beforeAll(async () => {
  t = await startTestServer();
  sql = postgres({ host: '127.0.0.1', port: t.port, user: 'root', database: 'db', max: 1, onnotice: () => {} });
});
afterAll(async () => {
  await sql.end({ timeout: 2 });
  await t.close();
  expect(t.errors).toEqual([]);
});

function errorOf(promise: Promise<unknown>): Promise<{ code?: string; message: string }> {
  return promise.then(
    () => {
      throw new Error('expected an error');
    },
    (e: { code?: string; message: string }) => e,
  );
}

describe('postgres.js', () => {
  it('pipelines many queries on one connection', async () => {
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => sql`select ${i}::int4`));
    expect(results.map((r) => r[0]!.int4)).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });

  it('round-trips common types', async () => {
    const when = new Date(Date.UTC(2023, 6, 14, 1, 2, 3, 456));
    const [row] = await sql`select ${'9007199254740993'}::int8, ${when}::timestamptz, ${Buffer.from([0, 255])}::bytea,
      ${sql.json({ a: [1, 'x'] })}::jsonb, ${true}::bool, ${'12.50'}::numeric, ${'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'}::uuid,
      ${1.25}::float8, ${[1, 2, 3]}::int4[]`;
    expect(row).toEqual({
      int8: '9007199254740993',
      timestamptz: when,
      bytea: Buffer.from([0, 255]),
      jsonb: { a: [1, 'x'] },
      bool: true,
      numeric: '12.50',
      uuid: 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',
      float8: 1.25,
      int4: [1, 2, 3],
    });
  });

  it('reads the fixed table', async () => {
    const rows = await sql`select * from items`;
    expect(rows).toHaveLength(3);
    // postgres.js's text-array parser reads an unquoted NULL element as the string "NULL" (against
    // PostgreSQL too); the bytes are PostgreSQL's: {a,"b c",NULL}.
    expect(rows[0]!.tags).toEqual(['a', 'b c', 'NULL']);
    expect(rows[2]!.big).toBe('-9223372036854775808');
    expect(rows[1]!.name).toBeNull();
  });

  it('reports errors and recovers', async () => {
    expect((await errorOf(sql`select 1/0`)).code).toBe('22012');
    expect((await sql`select 1`)[0]).toEqual({ '?column?': 1 });
  });

  it('runs transactions', async () => {
    const result = await sql.begin(async (tx) => {
      const [a] = await tx`select ${5}::int4`;
      return a!.int4;
    });
    expect(result).toBe(5);
  });

  it('runs simple multi-statement queries', async () => {
    const result = await sql.unsafe('select 1; select * from generate_series(1, 2)').simple();
    expect(result).toHaveLength(2);
  });

  it('copies in and out with streams', async () => {
    const writable = await sql`copy pjs from stdin`.writable();
    await pipeline(Readable.from(['1\ta\n', '2\t', 'b\n', '3\t\\N\n']), writable);
    const readable = await sql`copy pjs to stdout`.readable();
    const chunks: Buffer[] = [];
    await pipeline(readable, new Writable({ write(chunk, _enc, done) { chunks.push(chunk); done(); } }));
    expect(Buffer.concat(chunks).toString()).toBe('1\ta\n2\tb\n3\t\\N\n');
  });

  it('cancels a running query', async () => {
    const query = sql`select pg_sleep(20)`;
    const failed = errorOf(query.execute());
    await new Promise((resolve) => setTimeout(resolve, 100));
    query.cancel();
    expect((await failed).code).toBe('57014');
    expect((await sql`select 1`)).toHaveLength(1);
  });

  it('logs in with SCRAM and refuses a wrong password', async () => {
    const good = postgres({ host: '127.0.0.1', port: t.port, user: 'alice', password: 'secret', database: 'db', max: 1 });
    expect(await good`select 1`).toHaveLength(1);
    await good.end();
    const bad = postgres({ host: '127.0.0.1', port: t.port, user: 'alice', password: 'nope', database: 'db', max: 1 });
    const e = await errorOf(bad`select 1`);
    expect(e.code).toBe('28P01');
    await bad.end();
  });
});
