/** psql (the real libpq client) and TLS: sslmode=require over a generated certificate, passwords, COPY. */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TlsIdentity } from './options.ts';
import { generateSelfSignedCertificate } from './tls.ts';
import { startTestServer, type TestServer } from './test-server.test-helper.ts';

const psqlPath = '/usr/bin/psql';
const hasPsql = existsSync(psqlPath);

interface PsqlResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs psql with a bounded time, no psqlrc, and optional stdin and password. */
function psql(url: string, args: readonly string[], options: { input?: string; password?: string } = {}): Promise<PsqlResult> {
  return new Promise((resolve) => {
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, PGCONNECT_TIMEOUT: '5', HOME: '/tmp', LANG: 'C.UTF-8' };
    if (options.password !== undefined) env.PGPASSWORD = options.password;
    const child = execFile(psqlPath, ['-X', '-v', 'ON_ERROR_STOP=1', url, ...args], { env, timeout: 10_000 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
      resolve({ code, stdout: stdout.toString(), stderr: stderr.toString() });
    });
    child.stdin?.end(options.input ?? '');
  });
}

let identity: TlsIdentity | null;
let plain: TestServer;
let secure: TestServer;

beforeAll(async () => {
  identity = await generateSelfSignedCertificate();
  plain = await startTestServer();
  secure = await startTestServer(
    { tls: identity },
    { users: { alice: 'secret', carol: 'pencil' }, policy: (r) => (r.user === 'root' ? 'trust' : r.user === 'carol' ? 'password' : 'scram-sha-256') },
  );
});
afterAll(async () => {
  await plain.close();
  await secure.close();
  expect([...plain.errors, ...secure.errors]).toEqual([]);
});

describe.skipIf(!hasPsql)('psql', () => {
  it('runs queries (after being told N to its SSLRequest)', async () => {
    const r = await psql(plain.url('root'), ['-At', '-c', 'select * from generate_series(1, 3)']);
    expect(r).toMatchObject({ code: 0, stdout: '1\n2\n3\n' });
  });

  it('shows errors with their message', async () => {
    const r = await psql(plain.url('root'), ['-c', 'select 1/0']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('ERROR:  division by zero');
  });

  it('logs in with SCRAM and refuses a wrong password with 28P01', async () => {
    const ok = await psql(plain.url('alice'), ['-At', '-c', 'select 1'], { password: 'secret' });
    expect(ok).toMatchObject({ code: 0, stdout: '1\n' });
    const bad = await psql(plain.url('alice'), ['-At', '-c', 'select 1'], { password: 'wrong' });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('password authentication failed for user "alice"');
  });

  it('copies from its standard input and back out', async () => {
    const r = await psql(plain.url('root'), ['-c', 'copy psqlcopy from stdin'], { input: 'x\t1\ny\t\\N\n\\.\n' });
    expect(r).toMatchObject({ code: 0, stdout: 'COPY 2\n' });
    const out = await psql(plain.url('root'), ['-c', 'copy psqlcopy to stdout']);
    expect(out.stdout).toBe('x\t1\ny\t\\N\n');
  });

  it('connects with sslmode=require over the generated certificate', async () => {
    if (identity === null) return;
    const r = await psql(secure.url('alice', undefined, '?sslmode=require'), ['-At', '-c', 'select 1'], { password: 'secret' });
    expect(r).toMatchObject({ code: 0, stdout: '1\n' });
    expect(secure.engine.startups.at(-1)).toMatchObject({ user: 'alice', tls: true, authMethod: 'scram-sha-256' });
    const bad = await psql(secure.url('alice', undefined, '?sslmode=require'), ['-c', 'select 1'], { password: 'wrong' });
    expect(bad.stderr).toContain('password authentication failed for user "alice"');
  });

  it('fails sslmode=require against a server without TLS', async () => {
    const r = await psql(plain.url('root', undefined, '?sslmode=require'), ['-c', 'select 1']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('server does not support SSL');
  });
});

describe('TLS', () => {
  it('generateSelfSignedCertificate makes a PEM key and certificate', () => {
    expect(identity).not.toBeNull();
    expect(identity!.cert.toString()).toContain('BEGIN CERTIFICATE');
    expect(identity!.key.toString()).toContain('PRIVATE KEY');
  });

  it('generateSelfSignedCertificate returns null without openssl', async () => {
    expect(await generateSelfSignedCertificate({ openssl: '/nonexistent/openssl' })).toBeNull();
  });

  it('pg connects over TLS and the engine sees it', async () => {
    const client = new pg.Client({ host: '127.0.0.1', port: secure.port, user: 'root', database: 'db', ssl: { rejectUnauthorized: false } });
    await client.connect();
    try {
      expect((await client.query('select 1')).rows).toHaveLength(1);
      const session = [...secure.engine.sessions].find((s) => s.startup.tls);
      expect(session?.startup.user).toBe('root');
    } finally {
      await client.end();
    }
  });

  it('cleartext password works over TLS and falls back to SCRAM without it', async () => {
    const overTls = new pg.Client({
      host: '127.0.0.1', port: secure.port, user: 'carol', password: 'pencil', database: 'db', ssl: { rejectUnauthorized: false },
    });
    await overTls.connect();
    const tlsSession = [...secure.engine.sessions].find((s) => s.startup.user === 'carol');
    expect(tlsSession?.startup.authMethod).toBe('password');
    await overTls.end();
    const plainClient = new pg.Client({ host: '127.0.0.1', port: secure.port, user: 'carol', password: 'pencil', database: 'db' });
    await plainClient.connect();
    const plainSession = [...secure.engine.sessions].find((s) => s.startup.user === 'carol' && !s.startup.tls);
    expect(plainSession?.startup.authMethod).toBe('scram-sha-256');
    await plainClient.end();
    const wrong = new pg.Client({
      host: '127.0.0.1', port: secure.port, user: 'carol', password: 'nope', database: 'db', ssl: { rejectUnauthorized: false },
    });
    wrong.on('error', () => {});
    await expect(wrong.connect()).rejects.toMatchObject({ code: '28P01' });
    await wrong.end().catch(() => {});
  });
});
