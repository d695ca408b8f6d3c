import { describe, expect, it } from 'vitest';
import { addMicros, type Timestamp } from '../hlc/index.ts';
import type { Txn, TxnRequest } from './api.ts';
import type { KvTxnError } from './errors.ts';
import { txnExpirationMicros } from './limits.ts';
import { readTxnRecord } from './record.ts';
import { k, str, v, withEnv, type Env } from './test-util.test-helper.ts';

/** A coordinator that wrote its intents and a STAGING record, then vanished. */
async function stagedThenCrashed(env: Env, writes: readonly string[], claimed: readonly string[]): Promise<Txn> {
  const now = env.hlc.now();
  const txn: Txn = {
    id: Buffer.alloc(16, 9), epoch: 0, anchorKey: k(writes[0]!), readTimestamp: now, writeTimestamp: now, minTimestamp: now,
    uncertaintyLimit: now, priority: 1_000_000, sequence: 0, ignoredSequences: [],
  };
  const requests: TxnRequest[] = [{ type: 'heartbeatTxn', now }, ...writes.map((w) => ({ type: 'put', key: k(w), value: v(`staged-${w}`) }) as const)];
  await env.sender.send({ header: { timestamp: now, txn }, requests });
  const inFlightWrites = claimed.map((c, i) => ({ key: k(c), sequence: i + 1 }));
  const lockSpans = writes.map((w) => ({ key: k(w), endKey: Buffer.alloc(0) }));
  await env.sender.send({ header: { timestamp: now, txn: { ...txn, sequence: writes.length } }, requests: [{ type: 'endTxn', commit: true, inFlightWrites, lockSpans }] });
  return txn;
}

function later(env: Env): Timestamp {
  env.clock.advance(txnExpirationMicros + 1);
  return addMicros(env.hlc.now(), 0);
}

describe('STAGING recovery', () => {
  it('an abandoned STAGING transaction whose writes all landed is committed by the next reader', async () => {
    await withEnv(async (env) => {
      const txn = await stagedThenCrashed(env, ['a', 'b'], ['a', 'b']);
      const reader = env.db.begin({ priority: 'low' });
      const read = reader.get(k('a'));
      later(env);
      expect(str(await read)).toBe('staged-a');
      expect((await readTxnRecord(env.engine, k('a'), txn.id))?.status).toBe('committed');
    });
  });

  it('an abandoned STAGING transaction missing an in-flight write is aborted', async () => {
    await withEnv(async (env) => {
      const txn = await stagedThenCrashed(env, ['a'], ['a', 'zz']);
      later(env);
      await env.db.run(async (t) => { expect(await t.get(k('a'))).toBeNull(); });
      expect((await readTxnRecord(env.engine, k('a'), txn.id))?.status).toBe('aborted');
    });
  });
});

describe('heartbeats and cycles', () => {
  it('a coordinator learns from its heartbeat that it was aborted', async () => {
    await withEnv(async ({ db, ticker }) => {
      const low = db.begin({ priority: 'low' });
      await low.put(k('a'), v('low'));
      await db.run(async (t) => { await t.put(k('a'), v('high')); }, { priority: 'high' });
      ticker.tick();
      await new Promise((r) => setTimeout(r, 5));
      let error: KvTxnError | null = null;
      try { await low.get(k('b')); } catch (e) { error = e as KvTxnError; }
      expect(error?.kind).toBe('aborted');
      expect(low.finished).toBe(true);
    });
  });

  it('a three-way deadlock aborts exactly one transaction; the others commit', async () => {
    await withEnv(async ({ db }) => {
      const ts = [db.begin({ priority: 'low' }), db.begin({ priority: 'low' }), db.begin({ priority: 'low' })];
      const names = ['a', 'b', 'c'];
      for (let i = 0; i < 3; i++) await ts[i]!.put(k(names[i]!), v(`t${i}`));
      const outcomes = await Promise.allSettled(ts.map(async (t, i) => {
        await t.put(k(names[(i + 1) % 3]!), v(`t${i}`));
        return t.commit();
      }));
      const rejected = outcomes.filter((o) => o.status === 'rejected') as PromiseRejectedResult[];
      expect(rejected).toHaveLength(1);
      expect((rejected[0]!.reason as KvTxnError).kind).toBe('deadlock');
    });
  });
});

describe('TxnDb.run', () => {
  it('a transaction that lost a push retries with a higher priority', async () => {
    await withEnv(async ({ db }) => {
      const priorities: number[] = [];
      await db.run(async (t) => {
        priorities.push(t.txn.priority);
        await t.put(k('a'), v(`attempt-${priorities.length}`));
        if (priorities.length === 1) await db.run(async (h) => { await h.put(k('a'), v('high')); }, { priority: 'high' });
      }, { priority: 'low' });
      expect(priorities).toHaveLength(2);
      expect(priorities[1]!).toBeGreaterThan(priorities[0]!);
      await db.run(async (t) => { expect(str(await t.get(k('a')))).toBe('attempt-2'); });
    });
  });

  it('a non-retryable error surfaces without a retry', async () => {
    await withEnv(async ({ db }) => {
      let attempts = 0;
      let error: KvTxnError | null = null;
      try {
        await db.run(async (t) => { attempts++; await t.cput(k('a'), v('x'), v('missing')); });
      } catch (e) { error = e as KvTxnError; }
      expect(attempts).toBe(1);
      expect(error?.kind).toBe('conditionFailed');
      expect(error?.retryable).toBe(false);
    });
  });
});
