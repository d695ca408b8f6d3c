import { describe, expect, it } from 'vitest';
import { compareTimestamps, Hlc, ManualClock, nextTimestamp, type Timestamp } from '../hlc/index.ts';
import { everythingSpan } from '../keys/index.ts';
import { emptyStats, type Engine } from '../storage/index.ts';
import type { Txn, TxnBatchRequest } from './api.ts';
import { TxnRetryError } from './errors.ts';
import { evaluateTxnBatch, type TxnReplicaState } from './evaluate.ts';
import { TimestampCache } from './tscache.ts';
import { k, v, withEnv } from './test-util.test-helper.ts';

function txnAt(ts: Timestamp, id: number): Txn {
  return {
    id: Buffer.alloc(16, id), epoch: 0, anchorKey: k('a'), readTimestamp: ts, writeTimestamp: ts, minTimestamp: ts,
    uncertaintyLimit: ts, priority: 10, sequence: 0, ignoredSequences: [],
  };
}

async function run(engine: Engine, state: TxnReplicaState, request: TxnBatchRequest) {
  const batch = engine.newBatch();
  const result = await evaluateTxnBatch(state, batch, emptyStats(), request);
  await batch.commit({ sync: false });
  return result;
}

describe('evaluateTxnBatch', () => {
  it('forwards a transactional write above a served read and reports the new write timestamp', async () => {
    await withEnv(async ({ engine }) => {
      const clock = new Hlc(new ManualClock(), { maxOffsetMicros: 0 });
      const state: TxnReplicaState = { tsCache: new TimestampCache(clock.now()), clock, rangeSpan: everythingSpan };
      const early = clock.now();
      const late = clock.now();
      await run(engine, state, { header: { timestamp: late }, requests: [{ type: 'get', key: k('a') }] });
      const result = await run(engine, state, { header: { timestamp: early, txn: txnAt(early, 1) }, requests: [{ type: 'put', key: k('a'), value: v('x') }] });
      expect(result.txn?.writeTimestamp).toEqual(nextTimestamp(late));
    });
  });

  it('refresh fails over a newer committed value and passes where nothing changed', async () => {
    await withEnv(async ({ engine }) => {
      const clock = new Hlc(new ManualClock(), { maxOffsetMicros: 0 });
      const state: TxnReplicaState = { tsCache: new TimestampCache(clock.now()), clock, rangeSpan: everythingSpan };
      const from = clock.now();
      await run(engine, state, { header: { timestamp: clock.now() }, requests: [{ type: 'put', key: k('b'), value: v('new') }] });
      const to = clock.now();
      const refreshed = { ...txnAt(from, 2), readTimestamp: to, writeTimestamp: to };
      await expect(run(engine, state, { header: { timestamp: to, txn: refreshed }, requests: [{ type: 'refresh', key: k('b'), refreshFrom: from }] }))
        .rejects.toBeInstanceOf(TxnRetryError);
      await run(engine, state, { header: { timestamp: to, txn: refreshed }, requests: [{ type: 'refreshRange', key: k('c'), endKey: k('z'), refreshFrom: from }] });
      // The refreshed reads now sit in the timestamp cache at `to`.
      expect(compareTimestamps(state.tsCache.getMax(k('d')).timestamp, to)).toBe(0);
    });
  });

  it('queryIntent proves a pipelined write only at its sequence, epoch and timestamp', async () => {
    await withEnv(async ({ engine }) => {
      const clock = new Hlc(new ManualClock(), { maxOffsetMicros: 0 });
      const state: TxnReplicaState = { tsCache: new TimestampCache(clock.now()), clock, rangeSpan: everythingSpan };
      const txn = txnAt(clock.now(), 3);
      await run(engine, state, { header: { timestamp: txn.readTimestamp, txn }, requests: [{ type: 'put', key: k('a'), value: v('1') }] });
      const ask = async (sequence: number, epoch: number) => {
        const r = await run(engine, state, { header: { timestamp: txn.writeTimestamp, txn }, requests: [{ type: 'queryIntent', key: k('a'), txnId: txn.id, epoch, sequence }] });
        return r.responses[0];
      };
      expect(await ask(1, 0)).toEqual({ type: 'queryIntent', found: true });
      expect(await ask(2, 0)).toEqual({ type: 'queryIntent', found: false });
      expect(await ask(1, 1)).toEqual({ type: 'queryIntent', found: false });
    });
  });
});
