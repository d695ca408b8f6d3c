import { describe, expect, it } from 'vitest';
import { addMicros, compareTimestamps, timestampLess } from '../hlc/index.ts';
import { isFinalized, readTxnRecord } from './record.ts';
import { txnExpirationMicros } from './limits.ts';
import type { KvTxnError } from './errors.ts';
import { k, str, v, withEnv } from './test-util.test-helper.ts';

/** Resolves true if `p` is still pending after a few timer turns. */
async function pending(p: Promise<unknown>): Promise<boolean> {
  let settled = false;
  p.then(() => { settled = true; }, () => { settled = true; });
  for (let i = 0; i < 20; i++) await new Promise((r) => setTimeout(r, 1));
  return !settled;
}

async function errorOf(p: Promise<unknown>): Promise<KvTxnError> {
  try {
    await p;
  } catch (error) {
    return error as KvTxnError;
  }
  throw new Error('expected an error');
}

describe('TxnCoordinator basics', () => {
  it('reads its own writes and publishes them at commit', async () => {
    await withEnv(async ({ db, sender }) => {
      const t = db.begin();
      await t.put(k('a'), v('1'));
      expect(str(await t.get(k('a')))).toBe('1');
      const other = db.begin({ priority: 'high' });
      expect(await other.get(k('a'))).toBeNull(); // pushes t above its read
      await other.commit();
      const ts = await t.commit();
      expect(compareTimestamps(ts, other.readTimestamp)).toBeGreaterThan(0);
      await db.quiesce();
      expect(sender.stats.intentCount).toBe(0);
      const reader = db.begin();
      expect(str(await reader.get(k('a')))).toBe('1');
      await reader.commit();
    });
  });

  it('scan, cput, delete, deleteRange and increment go through the batch', async () => {
    await withEnv(async ({ db }) => {
      await db.run(async (t) => {
        await t.batch([{ type: 'put', key: k('a'), value: v('1') }, { type: 'put', key: k('b'), value: v('2') }, { type: 'put', key: k('c'), value: v('3') }]);
        await t.cput(k('a'), v('10'), v('1'));
        const failed = await errorOf(t.cput(k('a'), v('11'), v('1')));
        expect(failed.kind).toBe('conditionFailed');
        expect(str(failed.actualValue ?? null)).toBe('10');
        await t.delete(k('b'));
      });
      await db.run(async (t) => {
        const rows = (await t.scan({ key: k(''), endKey: k('~') })).rows.map((r) => `${Buffer.from(r.key).toString().slice(3)}=${str(r.value)}`);
        expect(rows).toEqual(['a=10', 'c=3']);
        const [inc] = await t.batch([{ type: 'increment', key: k('n'), delta: 5n }]);
        expect(inc).toEqual({ type: 'increment', value: 5n });
        expect((await t.deleteRange({ key: k('a'), endKey: k('d') }, { returnKeys: true })).length).toBe(2);
      });
      await db.run(async (t) => {
        expect((await t.scan({ key: k('a'), endKey: k('d') })).rows).toHaveLength(0);
      });
    });
  });

  it('one-phase commit writes no record and leaves no intents', async () => {
    await withEnv(async ({ db, sender, engine }) => {
      const t = db.begin();
      await t.commitInBatch([{ type: 'put', key: k('a'), value: v('1') }, { type: 'put', key: k('b'), value: v('2') }]);
      expect(sender.stats.intentCount).toBe(0);
      expect(await readTxnRecord(engine, k('a'), t.id)).toBeNull();
      await db.run(async (r) => { expect(str(await r.get(k('b')))).toBe('2'); });
    });
  });

  it('parallel commit stages the record with its in-flight writes, then makes it explicit', async () => {
    await withEnv(async ({ db, engine, sender }) => {
      const t = db.begin();
      await t.put(k('a'), v('1'));
      await t.put(k('b'), v('2'));
      const before = sender.batchCount;
      await t.commit();
      // EndTxn and the proofs went out together: two batches on the commit path.
      expect(sender.batchCount - before).toBeGreaterThanOrEqual(2);
      await db.quiesce();
      const record = await readTxnRecord(engine, k('a'), t.id);
      expect(record?.status).toBe('committed');
      expect(record?.inFlightWrites).toHaveLength(0);
      expect(sender.stats.intentCount).toBe(0);
    });
  });
});

describe('conflicts', () => {
  it('read–write: a write below a served read moves above it', async () => {
    await withEnv(async ({ db, clock }) => {
      const writer = db.begin();
      clock.advance(10);
      const reader = db.begin();
      expect(await reader.get(k('a'))).toBeNull();
      await reader.commit();
      await writer.put(k('a'), v('w'));
      expect(timestampLess(reader.readTimestamp, writer.writeTimestamp)).toBe(true);
      const ts = await writer.commit();
      expect(compareTimestamps(ts, reader.readTimestamp)).toBeGreaterThan(0);
    });
  });

  it('write–read: a lower-priority reader waits for the intent and sees the commit', async () => {
    await withEnv(async ({ db, clock }) => {
      const writer = db.begin({ priority: 'high' });
      await writer.put(k('a'), v('w'));
      clock.advance(10);
      const reader = db.begin({ priority: 'low' });
      const read = reader.get(k('a'));
      expect(await pending(read)).toBe(true);
      await writer.commit();
      expect(str(await read)).toBe('w');
      await reader.commit();
    });
  });

  it('write–read: a higher-priority reader pushes the writer above its read', async () => {
    await withEnv(async ({ db, clock }) => {
      const writer = db.begin({ priority: 'low' });
      await writer.put(k('a'), v('w'));
      clock.advance(10);
      const reader = db.begin({ priority: 'high' });
      expect(await reader.get(k('a'))).toBeNull();
      await reader.commit();
      const ts = await writer.commit();
      expect(compareTimestamps(ts, reader.readTimestamp)).toBeGreaterThan(0);
    });
  });

  it('write–write: the second writer waits, then writes above the first commit', async () => {
    await withEnv(async ({ db }) => {
      const first = db.begin({ priority: 'high' });
      await first.put(k('a'), v('1'));
      const second = db.begin({ priority: 'low' });
      const write = second.put(k('a'), v('2'));
      expect(await pending(write)).toBe(true);
      const firstTs = await first.commit();
      await write;
      const secondTs = await second.commit();
      expect(compareTimestamps(secondTs, firstTs)).toBeGreaterThan(0);
      await db.run(async (t) => { expect(str(await t.get(k('a')))).toBe('2'); });
    });
  });

  it('push by priority: a high-priority writer aborts a low-priority holder at once', async () => {
    await withEnv(async ({ db }) => {
      const low = db.begin({ priority: 'low' });
      await low.put(k('a'), v('low'));
      const high = db.begin({ priority: 'high' });
      await high.put(k('a'), v('high'));
      await high.commit();
      const error = await errorOf(low.commit());
      expect(error.kind).toBe('aborted');
      expect(error.retryable).toBe(true);
      await db.run(async (t) => { expect(str(await t.get(k('a')))).toBe('high'); });
    });
  });

  it('deadlock: the transaction that closes the cycle is told deadlock, the other commits', async () => {
    await withEnv(async ({ db }) => {
      const t1 = db.begin({ priority: 'low' });
      const t2 = db.begin({ priority: 'low' });
      await t1.put(k('a'), v('t1'));
      await t2.put(k('b'), v('t2'));
      const w1 = t1.put(k('b'), v('t1'));
      expect(await pending(w1)).toBe(true);
      const error = await errorOf(t2.put(k('a'), v('t2')));
      expect(error.kind).toBe('deadlock');
      expect(error.retryable).toBe(true);
      await w1;
      await t1.commit();
      await db.run(async (t) => {
        expect(str(await t.get(k('a')))).toBe('t1');
        expect(str(await t.get(k('b')))).toBe('t1');
      });
    });
  });

  it('an abandoned coordinator is aborted once its heartbeat expires, not before', async () => {
    await withEnv(async ({ db, clock, ticker, engine }) => {
      const abandoned = db.begin({ priority: 'high' });
      await abandoned.put(k('a'), v('old'));
      const waiter = db.begin({ priority: 'low' });
      const write = waiter.put(k('a'), v('new'));
      // Heartbeats keep it alive across more than one expiration interval.
      for (let i = 0; i < 3; i++) {
        clock.advance(txnExpirationMicros / 2);
        ticker.tick();
        expect(await pending(write)).toBe(true);
      }
      // The coordinator goes away: no more heartbeats.
      clock.advance(txnExpirationMicros + 1);
      await write;
      await waiter.commit();
      const record = await readTxnRecord(engine, k('a'), abandoned.id);
      expect(record?.status).toBe('aborted');
      expect(record?.abortReason).toBe('abandoned');
      expect((await errorOf(abandoned.commit())).kind).toBe('aborted');
    });
  });

  it('uncertainty: a value just ahead of the read timestamp moves the read above it', async () => {
    await withEnv(async ({ db, sender, hlc }) => {
      const start = hlc.now();
      const t = db.begin();
      // A node whose clock runs 100 ms ahead wrote k/a "after" t began by its clock.
      const future = addMicros(start, 100_000);
      await sender.send({ header: { timestamp: future }, requests: [{ type: 'put', key: k('a'), value: v('ahead') }] });
      expect(str(await t.get(k('a')))).toBe('ahead');
      expect(compareTimestamps(t.readTimestamp, future)).toBeGreaterThan(0);
      await t.commit();
    });
  });

  it('uncertainty restart: when earlier reads cannot move, the transaction retries', async () => {
    await withEnv(async ({ db, sender, hlc }) => {
      let attempts = 0;
      await db.run(async (t) => {
        attempts++;
        await t.get(k('b'));
        if (attempts === 1) {
          const ts = hlc.now();
          await sender.send({ header: { timestamp: addMicros(ts, 1000) }, requests: [{ type: 'put', key: k('b'), value: v('b') }] });
          await sender.send({ header: { timestamp: addMicros(ts, 2000) }, requests: [{ type: 'put', key: k('a'), value: v('a') }] });
        }
        await t.get(k('a'));
      });
      expect(attempts).toBe(2);
    });
  });
});

describe('serializability', () => {
  it('write skew (G2) is prevented: two on-call doctors cannot both go off call', async () => {
    await withEnv(async ({ db }) => {
      await db.run(async (t) => { await t.put(k('a'), v('on')); await t.put(k('b'), v('on')); });
      const t1 = db.begin();
      const t2 = db.begin();
      for (const t of [t1, t2]) {
        expect(str(await t.get(k('a')))).toBe('on');
        expect(str(await t.get(k('b')))).toBe('on');
      }
      await t1.put(k('a'), v('off'));
      await t2.put(k('b'), v('off'));
      const results = await Promise.allSettled([t1.commit(), t2.commit()]);
      const committed = results.filter((r) => r.status === 'fulfilled').length;
      expect(committed).toBe(1);
      const failed = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
      expect((failed.reason as KvTxnError).kind).toBe('retry');
      await db.run(async (t) => {
        const on = [await t.get(k('a')), await t.get(k('b'))].filter((x) => str(x) === 'on').length;
        expect(on).toBe(1);
      });
    });
  });

  it('lost update is prevented: concurrent read-modify-writes all count', async () => {
    await withEnv(async ({ db }) => {
      const n = 6;
      await Promise.all(Array.from({ length: n }, () => db.run(async (t) => {
        const current = Number(str(await t.get(k('counter'))) ?? '0');
        await new Promise((r) => setTimeout(r, 1));
        await t.put(k('counter'), v(String(current + 1)));
      })));
      await db.run(async (t) => { expect(str(await t.get(k('counter')))).toBe(String(n)); });
    });
  });
});

describe('savepoints and historical reads', () => {
  it('rollbackToSavepoint discards the later writes, keeps the earlier', async () => {
    await withEnv(async ({ db, sender }) => {
      const t = db.begin();
      await t.put(k('a'), v('1'));
      const sp = t.savepoint();
      await t.put(k('a'), v('2'));
      await t.put(k('b'), v('2'));
      expect(str(await t.get(k('a')))).toBe('2');
      await t.rollbackToSavepoint(sp);
      expect(str(await t.get(k('a')))).toBe('1');
      expect(await t.get(k('b'))).toBeNull();
      await t.put(k('c'), v('3'));
      await t.commit();
      await db.quiesce();
      expect(sender.stats.intentCount).toBe(0);
      await db.run(async (r) => {
        expect(str(await r.get(k('a')))).toBe('1');
        expect(await r.get(k('b'))).toBeNull();
        expect(str(await r.get(k('c')))).toBe('3');
      });
    });
  });

  it('AS OF SYSTEM TIME reads the past and refuses writes', async () => {
    await withEnv(async ({ db, clock }) => {
      const t1 = await (async () => { const t = db.begin(); await t.put(k('a'), v('1')); return t.commit(); })();
      clock.advance(1000);
      await db.run(async (t) => { await t.put(k('a'), v('2')); });
      await db.run(async (t) => {
        expect(str(await t.get(k('a')))).toBe('1');
        expect((await errorOf(t.put(k('a'), v('3')))).kind).toBe('invalid');
      }, { asOf: t1 });
      await db.run(async (t) => { expect(str(await t.get(k('a')))).toBe('2'); });
    });
  });

  it('a read-only transaction commits without a record or a round trip', async () => {
    await withEnv(async ({ db, sender }) => {
      const t = db.begin({ readOnly: true });
      await t.get(k('a'));
      const before = sender.batchCount;
      const ts = await t.commit();
      expect(sender.batchCount).toBe(before);
      expect(ts).toEqual(t.readTimestamp);
      expect(t.finished).toBe(true);
    });
  });
});
