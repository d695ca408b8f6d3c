/** node-postgres (`pg`) against PgServer and the test engine: simple, extended, binary, auth, errors. */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './test-server.test-helper.ts';

let t: TestServer;

beforeAll(async () => {
  t = await startTestServer();
});
afterAll(async () => {
  await t.close();
  expect(t.errors).toEqual([]);
});

async function withClient<T>(config: pg.ClientConfig, body: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ host: '127.0.0.1', port: t.port, database: 'db', user: 'root', ...config });
  client.on('error', () => {});
  await client.connect();
  try {
    return await body(client);
  } finally {
    await client.end();
  }
}

function errorOf(promise: Promise<unknown>): Promise<{ code?: string; message: string; position?: string }> {
  return promise.then(
    () => {
      throw new Error('expected an error');
    },
    (e: { code?: string; message: string; position?: string }) => e,
  );
}

describe('pg client', () => {
  it('runs a simple query', async () => {
    const result = await withClient({}, (c) => c.query('SELECT 1'));
    expect(result.rows).toEqual([{ '?column?': 1 }]);
    expect(result.command).toBe('SELECT');
    expect(result.fields[0]?.dataTypeID).toBe(23);
  });

  it('runs several statements in one simple query', async () => {
    const results = (await withClient({}, (c) => c.query('select 1; select * from generate_series(1, 3)'))) as unknown as pg.QueryResult[];
    expect(results).toHaveLength(2);
    expect(results[1]!.rows.map((r) => r.generate_series)).toEqual([1, 2, 3]);
  });

  it('runs parameterised queries through the extended protocol', async () => {
    const result = await withClient({}, (c) => c.query('select $1::int4, $2::text, $3::bool, $4::int8', [42, 'x', true, '9007199254740993']));
    expect(result.rows).toEqual([{ int4: 42, text: 'x', bool: true, int8: '9007199254740993' }]);
    expect(t.engine.lastParams).toEqual([42, 'x', true, 9007199254740993n]);
  });

  it('sends Date and Buffer parameters that the codecs parse', async () => {
    const when = new Date(Date.UTC(2024, 1, 29, 12, 34, 56, 789));
    const result = await withClient({}, (c) => c.query('select $1::timestamptz, $2::bytea, $3::text[]', [when, Buffer.from([1, 2]), ['a', 'b c']]));
    expect((result.rows[0] as { timestamptz: Date }).timestamptz.getTime()).toBe(when.getTime());
    expect((result.rows[0] as { bytea: Buffer }).bytea).toEqual(Buffer.from([1, 2]));
    expect((result.rows[0] as { text: string[] }).text).toEqual(['a', 'b c']);
  });

  it('prepares a named statement once and reuses it', async () => {
    const before = t.engine.prepares;
    const sums = await withClient({}, async (c) => {
      const a = await c.query({ name: 'echo', text: 'select $1::int8', values: ['1'] });
      const b = await c.query({ name: 'echo', text: 'select $1::int8', values: ['2'] });
      return [a.rows[0].int8, b.rows[0].int8];
    });
    expect(sums).toEqual(['1', '2']);
    expect(t.engine.prepares - before).toBe(1);
  });

  it('reads binary results', async () => {
    const [text, binary] = await withClient({}, async (c) => {
      const q = 'select * from items';
      const textRows = (await c.query({ text: q, queryMode: 'extended' } as pg.QueryConfig)).rows;
      const binaryRows = (await c.query({ text: q, queryMode: 'extended', binary: true } as pg.QueryConfig)).rows;
      return [textRows, binaryRows];
    });
    expect(binary).toHaveLength(3);
    // pg decodes these types in binary the same way as in text.
    // pg's protocol parser decodes every DataRow field as UTF-8 text, even in binary mode, so only values
    // whose binary bytes are valid UTF-8 survive the trip; raw.test.ts checks binary rows byte by byte.
    for (const column of ['id', 'name', 'ok']) {
      expect(binary.map((r: Record<string, unknown>) => r[column])).toEqual(text.map((r: Record<string, unknown>) => r[column]));
    }
    expect(binary[0].big).toBe(text[0].big);
    expect(binary[0].created).toEqual(text[0].created);
    expect(text[0].price).toBe('19.99');
    expect(text[0].tags).toEqual(['a', 'b c', null]);
    expect(text[0].dur).toMatchObject({ years: 1, months: 2, days: 3, seconds: 4 });
    expect(text[0].uid).toBe('a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11');
    expect(text[0].doc).toEqual({ k: [1, 2] });
    expect(text[2].name).toBe('é "quoted"');
    expect(text[1].name).toBeNull();
  });

  it('reports errors with SQLSTATE and keeps the connection usable', async () => {
    await withClient({}, async (c) => {
      const e = await errorOf(c.query('select 1/0'));
      expect(e.code).toBe('22012');
      expect((await c.query('select 1')).rows).toHaveLength(1);
      const syntax = await errorOf(c.query('selekt 1'));
      expect(syntax.code).toBe('42601');
      expect(syntax.position).toBe('1');
      const extended = await errorOf(c.query('select $1::int4', ['not a number']));
      expect(extended.code).toBe('22P02');
      expect((await c.query('select $1::int4', [5])).rows[0].int4).toBe(5);
    });
  });

  it('tracks transaction blocks and failed transactions', async () => {
    await withClient({}, async (c) => {
      await c.query('begin');
      await errorOf(c.query('select 1/0'));
      expect((await errorOf(c.query('select 1'))).code).toBe('25P02');
      expect((await c.query('rollback')).command).toBe('ROLLBACK');
      expect((await c.query('select 1')).rows).toHaveLength(1);
    });
  });

  it('delivers notices and parameter status changes', async () => {
    await withClient({}, async (c) => {
      const notices: string[] = [];
      const params: string[] = [];
      c.on('notice', (n) => notices.push(n.message ?? ''));
      (c as unknown as { connection: { on(e: string, f: (m: { parameterName: string; parameterValue: string }) => void): void } })
        .connection.on('parameterStatus', (m) => params.push(`${m.parameterName}=${m.parameterValue}`));
      await c.query('do notice');
      await c.query("set application_name = 'meridian-test'");
      expect(notices).toEqual(['hello from the engine']);
      expect(params).toContain('application_name=meridian-test');
    });
  });

  it('logs in with SCRAM-SHA-256', async () => {
    const rows = await withClient({ user: 'alice', password: 'secret' }, async (c) => (await c.query('select 1')).rows);
    expect(rows).toHaveLength(1);
  });

  it('refuses a wrong password and an unknown user with the same 28P01', async () => {
    for (const [user, password] of [['alice', 'wrong'], ['nobody', 'secret']] as const) {
      const client = new pg.Client({ host: '127.0.0.1', port: t.port, database: 'db', user, password });
      client.on('error', () => {});
      const e = await errorOf(client.connect());
      expect(e.code).toBe('28P01');
      expect(e.message).toBe(`password authentication failed for user "${user}"`);
      await client.end().catch(() => {});
    }
  });

  it('reports startup parameters and the process key', async () => {
    await withClient({ application_name: 'app1' }, async (c) => {
      const params = (c as unknown as { connection: unknown; processID: number }).processID;
      expect(params).toBeGreaterThan(0);
      const session = [...t.engine.sessions].find((s) => s.startup.parameters.get('application_name') === 'app1');
      expect(session?.startup.user).toBe('root');
      expect(session?.startup.database).toBe('db');
      expect(session?.startup.processId).toBe(params);
    });
  });

  it('fails the login for a database the engine refuses', async () => {
    const client = new pg.Client({ host: '127.0.0.1', port: t.port, database: 'missing', user: 'root' });
    client.on('error', () => {});
    expect((await errorOf(client.connect())).code).toBe('3D000');
    await client.end().catch(() => {});
  });
});
