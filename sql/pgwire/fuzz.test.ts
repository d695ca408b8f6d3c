/**
 * Fuzzing the server with fast-check (bounded): random bytes after startup
 * and random sequences of protocol messages never crash it or trip an
 * internal assertion, and it keeps serving new connections.
 */
import fc from 'fast-check';
import { serialize } from 'pg-protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RawClient, startTestServer, type TestServer } from './test-server.test-helper.ts';

let t: TestServer;

beforeAll(async () => {
  t = await startTestServer();
});
afterAll(async () => {
  await t.close();
  expect(t.errors).toEqual([]);
});

async function stillServes(): Promise<void> {
  const c = await RawClient.login(t.port);
  c.write(serialize.query('select 1'));
  await c.waitForReady(1);
  c.end();
}

const statements = [
  'select 1', 'select $1::int4', 'select $1::text, $2::int8', 'select * from items', 'select * from generate_series(1, 5)',
  'begin', 'commit', 'rollback', 'select 1/0', '', 'nonsense', 'copy fz from stdin', 'copy fz to stdout', 'do notice',
];
const names = ['', 'a', 'b'];

const messageArb: fc.Arbitrary<Buffer> = fc.oneof(
  fc.record({ name: fc.constantFrom(...names), text: fc.constantFrom(...statements) }).map((p) => serialize.parse(p)),
  fc
    .record({
      portal: fc.constantFrom(...names),
      statement: fc.constantFrom(...names),
      values: fc.array(fc.oneof(fc.constant(null), fc.constantFrom('1', 'x', '2024-01-01')), { maxLength: 3 }),
      binary: fc.boolean(),
    })
    .map((b) => serialize.bind(b)),
  fc.record({ type: fc.constantFrom('S' as const, 'P' as const), name: fc.constantFrom(...names) }).map((d) => serialize.describe(d)),
  fc.record({ portal: fc.constantFrom(...names), rows: fc.nat(3) }).map((e) => serialize.execute(e)),
  fc.record({ type: fc.constantFrom('S' as const, 'P' as const), name: fc.constantFrom(...names) }).map((c) => serialize.close(c)),
  fc.constantFrom(...statements).map((q) => serialize.query(q)),
  fc.constant(serialize.sync()),
  fc.constant(serialize.flush()),
  fc.string({ maxLength: 8 }).map((s) => serialize.copyData(Buffer.from(`${s}\n`))),
  fc.constant(serialize.copyDone()),
  fc.constant(serialize.copyFail('fuzz')),
);

describe('fuzzing', () => {
  it('random bytes after startup close at most that connection', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 1, maxLength: 200 }), async (bytes) => {
        const c = await RawClient.login(t.port);
        c.write(Buffer.from(bytes));
        // Half-close: the server finishes with what it got and closes.
        c.socket.end();
        await c.waitClosed(3000);
      }),
      { numRuns: 40 },
    );
    await stillServes();
    expect(t.errors).toEqual([]);
  });

  it('random message sequences are answered and leave the connection usable', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(messageArb, { maxLength: 25 }), fc.integer({ min: 1, max: 64 }), async (messages, piece) => {
        const c = await RawClient.login(t.port);
        // End any COPY, batch and (possibly failed) transaction the random part left open, then check the connection.
        const tail = [serialize.copyDone(), serialize.sync(), serialize.query('rollback'), serialize.query('select 1')];
        const bytes = Buffer.concat([...messages, ...tail]);
        for (let at = 0; at < bytes.length; at += piece * 16) c.socket.write(bytes.subarray(at, at + piece * 16));
        await c.waitFor((m) => m.name === 'dataRow' && c.messages.at(-1)?.name === 'readyForQuery' && c.messages.at(-3)?.name === 'dataRow', 3000);
        expect(c.closed).toBe(false);
        c.end();
      }),
      { numRuns: 60 },
    );
    await stillServes();
    expect(t.errors).toEqual([]);
  });
});
