import { describe, expect, it } from 'vitest';
import { timestamp, type Timestamp } from '../hlc/index.ts';
import type { Engine } from './engine.ts';
import {
  ConditionFailedError, CorruptionError, InvalidArgumentError, ReadWithinUncertaintyIntervalError, WriteIntentError,
  WriteTooOldError,
} from './errors.ts';
import { intentRecordBytesMax, mvccValueBytesMax } from './limits.ts';
import {
  clearSpan, computeStats, mvccConditionalPut, mvccDelete, mvccDeleteRange, mvccGarbageCollect, mvccGet, mvccIncrement,
  mvccPut, mvccPutMany, mvccResolveIntent, mvccResolveIntentRange, mvccScan,
} from './mvcc.ts';
import { decodeMvccKey, intentKey, versionKey } from './mvcc-key.ts';
import { decodeIntent, decodeVersionValue, encodeIntent, encodeVersionValue, type TxnMeta } from './mvcc-value.ts';
import { emptyStats, type MvccStats } from './stats.ts';
import { withEngine } from './test-util.test-helper.ts';

const k = (s: string) => Buffer.from(s);
const v = (s: string) => Buffer.from(s);
const ts = (wall: number, logical = 0) => timestamp(wall, logical);
const all = { key: Buffer.from([0x00]), endKey: Buffer.from([0xfe]) };
const encodeInt = (n: bigint) => { const b = Buffer.alloc(8); b.writeBigInt64BE(n); return b; };

function txn(id: number, writeTs: Timestamp, extra: Partial<TxnMeta> = {}): TxnMeta {
  return { id: Buffer.alloc(16, id), epoch: 0, writeTimestamp: writeTs, sequence: 1, priority: 1, ...extra };
}

async function put(engine: Engine, stats: MvccStats, key: string, at: Timestamp, value: string | null, t?: TxnMeta) {
  const batch = engine.newBatch();
  await mvccPut(batch, stats, k(key), at, value === null ? null : v(value), t ? { txn: t } : {});
  await batch.commit({ sync: false });
}

async function expectStatsExact(engine: Engine, stats: MvccStats) {
  expect(stats).toEqual(await computeStats(engine, all));
}

describe('mvcc reads and writes', () => {
  it('reads the newest version at or below the read timestamp', () => withEngine(async (engine) => {
    const stats = emptyStats();
    await put(engine, stats, 'a', ts(10), 'a10');
    await put(engine, stats, 'a', ts(20), 'a20');
    await put(engine, stats, 'a', ts(30), null);
    expect((await mvccGet(engine, k('a'), ts(5))).value).toBeNull();
    expect((await mvccGet(engine, k('a'), ts(10))).value).toEqual(v('a10'));
    expect((await mvccGet(engine, k('a'), ts(25))).value).toEqual(v('a20'));
    expect((await mvccGet(engine, k('a'), ts(25))).timestamp).toEqual(ts(20));
    expect((await mvccGet(engine, k('a'), ts(30))).value).toBeNull();
    await expectStatsExact(engine, stats);
    expect(stats.liveCount).toBe(0);
    expect(stats.keyCount).toBe(1);
    expect(stats.valCount).toBe(3);
  }));

  it('keeps keys that share a prefix apart', () => withEngine(async (engine) => {
    const stats = emptyStats();
    await put(engine, stats, 'a', ts(10), '1');
    await put(engine, stats, 'a\x00', ts(5), '2');
    await put(engine, stats, 'ab', ts(7), '3');
    const rows = (await mvccScan(engine, all, ts(100))).rows.map((r) => r.key.toString('latin1'));
    expect(rows).toEqual(['a', 'a\x00', 'ab']);
    const reversed = (await mvccScan(engine, all, ts(100), { reverse: true })).rows.map((r) => r.key.toString('latin1'));
    expect(reversed).toEqual(['ab', 'a\x00', 'a']);
  }));

  it('fails a write below a committed version with the timestamp to retry at', () => withEngine(async (engine) => {
    const stats = emptyStats();
    await put(engine, stats, 'a', ts(20), 'x');
    const error = await put(engine, stats, 'a', ts(20), 'y').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WriteTooOldError);
    expect((error as WriteTooOldError).actualTimestamp).toEqual(ts(20, 1));
    await expect(put(engine, stats, 'a', ts(10), 'y')).rejects.toBeInstanceOf(WriteTooOldError);
    await expectStatsExact(engine, stats);
  }));

  it('limits scans and resumes where they stopped', () => withEngine(async (engine) => {
    const stats = emptyStats();
    for (const key of ['a', 'b', 'c', 'd', 'e']) await put(engine, stats, key, ts(1), key);
    const first = await mvccScan(engine, all, ts(2), { maxKeys: 2 });
    expect(first.rows.map((r) => r.key.toString())).toEqual(['a', 'b']);
    const second = await mvccScan(engine, first.resumeSpan!, ts(2), { maxKeys: 10 });
    expect(second.rows.map((r) => r.key.toString())).toEqual(['c', 'd', 'e']);
    expect(second.resumeSpan).toBeNull();
    const back = await mvccScan(engine, all, ts(2), { maxKeys: 2, reverse: true });
    expect(back.rows.map((r) => r.key.toString())).toEqual(['e', 'd']);
    const rest = await mvccScan(engine, back.resumeSpan!, ts(2), { reverse: true });
    expect(rest.rows.map((r) => r.key.toString())).toEqual(['c', 'b', 'a']);
  }));

  it('reports values inside the uncertainty interval', () => withEngine(async (engine) => {
    const stats = emptyStats();
    await put(engine, stats, 'a', ts(15), 'x');
    await expect(mvccGet(engine, k('a'), ts(10), { uncertaintyLimit: ts(20) })).rejects.toBeInstanceOf(ReadWithinUncertaintyIntervalError);
    expect((await mvccGet(engine, k('a'), ts(10), { uncertaintyLimit: ts(12) })).value).toBeNull();
  }));

  it('conditional puts compare against the current value', () => withEngine(async (engine) => {
    const stats = emptyStats();
    const batch = engine.newBatch();
    await mvccConditionalPut(batch, stats, k('a'), ts(1), v('one'), null);
    const error = await mvccConditionalPut(batch, stats, k('a'), ts(2), v('two'), null).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConditionFailedError);
    expect((error as ConditionFailedError).actualValue).toEqual(v('one'));
    await mvccConditionalPut(batch, stats, k('a'), ts(3), v('three'), v('one'));
    await batch.commit({ sync: false });
    expect((await mvccGet(engine, k('a'), ts(3))).value).toEqual(v('three'));
    await expectStatsExact(engine, stats);
  }));

  it('increments integers, starting from zero', () => withEngine(async (engine) => {
    const stats = emptyStats();
    const batch = engine.newBatch();
    expect(await mvccIncrement(batch, stats, k('n'), ts(1), 5n)).toBe(5n);
    expect(await mvccIncrement(batch, stats, k('n'), ts(2), -7n)).toBe(-2n);
    await mvccPut(batch, stats, k('s'), ts(1), v('abc'));
    await expect(mvccIncrement(batch, stats, k('s'), ts(2), 1n)).rejects.toBeInstanceOf(InvalidArgumentError);
    await batch.commit({ sync: false });
    await expectStatsExact(engine, stats);
  }));

  it('deletes ranges with tombstones and returns the keys', () => withEngine(async (engine) => {
    const stats = emptyStats();
    for (const key of ['a', 'b', 'c']) await put(engine, stats, key, ts(1), key);
    const batch = engine.newBatch();
    const deleted = await mvccDeleteRange(batch, stats, { key: k('a'), endKey: k('c') }, ts(2));
    await batch.commit({ sync: false });
    expect(deleted.map((d) => d.toString())).toEqual(['a', 'b']);
    expect((await mvccScan(engine, all, ts(3))).rows.map((r) => r.key.toString())).toEqual(['c']);
    expect((await mvccScan(engine, all, ts(1))).rows).toHaveLength(3);
    await expectStatsExact(engine, stats);
  }));
});

describe('mvccPutMany', () => {
  it('writes like mvccPut, prefetching slots, and keeps conflict checks', () => withEngine(async (engine) => {
    const stats = emptyStats();
    await put(engine, stats, 'b', ts(5), 'old');
    await put(engine, stats, 'c', ts(30), 'newer');
    await put(engine, stats, 'd', ts(5), 'mine', txn(1, ts(5)));
    const batch = engine.newBatch();
    await mvccPutMany(batch, stats, ts(10), [{ key: k('a'), value: v('a10') }, { key: k('b'), value: v('b10') }, { key: k('e'), value: null }]);
    await batch.commit({ sync: false });
    expect((await mvccGet(engine, k('b'), ts(10))).value).toEqual(v('b10'));
    expect((await mvccGet(engine, k('b'), ts(6))).value).toEqual(v('old'));
    await expectStatsExact(engine, stats);
    await expect(mvccPutMany(engine.newBatch(), stats, ts(20), [{ key: k('c'), value: v('x') }])).rejects.toBeInstanceOf(WriteTooOldError);
    await expect(mvccPutMany(engine.newBatch(), stats, ts(20), [{ key: k('d'), value: v('x') }])).rejects.toBeInstanceOf(WriteIntentError);
    await expect(mvccPutMany(engine.newBatch(), stats, ts(20), [{ key: Buffer.alloc(0), value: v('x') }])).rejects.toBeInstanceOf(InvalidArgumentError);
  }));
});

describe('intents', () => {
  it('are read by their own transaction and reported to others', () => withEngine(async (engine) => {
    const stats = emptyStats();
    await put(engine, stats, 'a', ts(5), 'committed');
    const t1 = txn(1, ts(10));
    await put(engine, stats, 'a', ts(10), 'mine', t1);
    expect((await mvccGet(engine, k('a'), ts(10), { txn: t1 })).value).toEqual(v('mine'));
    const error = await mvccGet(engine, k('a'), ts(12)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WriteIntentError);
    expect((error as WriteIntentError).intents[0]!.txn.id).toEqual(t1.id);
    // A reader below the intent's timestamp does not see it.
    expect((await mvccGet(engine, k('a'), ts(8))).value).toEqual(v('committed'));
    // Another transaction cannot write over it.
    await expect(put(engine, stats, 'a', ts(20), 'theirs', txn(2, ts(20)))).rejects.toBeInstanceOf(WriteIntentError);
    // Inconsistent reads skip it.
    expect((await mvccGet(engine, k('a'), ts(12), { inconsistent: true })).value).toEqual(v('committed'));
    await expectStatsExact(engine, stats);
    expect(stats.intentCount).toBe(1);
  }));

  it('collect every conflicting intent of a scan', () => withEngine(async (engine) => {
    const stats = emptyStats();
    await put(engine, stats, 'a', ts(1), 'x', txn(1, ts(1)));
    await put(engine, stats, 'b', ts(1), 'y');
    await put(engine, stats, 'c', ts(1), 'z', txn(2, ts(1)));
    const error = await mvccScan(engine, all, ts(5)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WriteIntentError);
    expect((error as WriteIntentError).intents.map((i) => i.key.toString())).toEqual(['a', 'c']);
  }));

  it('resolve as committed at a higher timestamp', () => withEngine(async (engine) => {
    const stats = emptyStats();
    const t1 = txn(1, ts(10));
    await put(engine, stats, 'a', ts(10), 'v', t1);
    const batch = engine.newBatch();
    expect(await mvccResolveIntent(batch, stats, k('a'), { txn: t1, status: 'committed', timestamp: ts(15) })).toBe(true);
    await batch.commit({ sync: false });
    expect((await mvccGet(engine, k('a'), ts(14))).value).toBeNull();
    expect((await mvccGet(engine, k('a'), ts(15))).value).toEqual(v('v'));
    await expectStatsExact(engine, stats);
    expect(stats.intentCount).toBe(0);
  }));

  it('resolve as aborted, leaving the previous version', () => withEngine(async (engine) => {
    const stats = emptyStats();
    await put(engine, stats, 'a', ts(5), 'old');
    const t1 = txn(1, ts(10));
    await put(engine, stats, 'a', ts(10), null, t1);
    expect(stats.liveCount).toBe(0);
    const batch = engine.newBatch();
    await mvccResolveIntent(batch, stats, k('a'), { txn: t1, status: 'aborted', timestamp: ts(10) });
    await batch.commit({ sync: false });
    expect((await mvccGet(engine, k('a'), ts(20))).value).toEqual(v('old'));
    expect(stats.liveCount).toBe(1);
    await expectStatsExact(engine, stats);
  }));

  it('are pushed to a higher timestamp', () => withEngine(async (engine) => {
    const stats = emptyStats();
    const t1 = txn(1, ts(10));
    await put(engine, stats, 'a', ts(10), 'v', t1);
    const batch = engine.newBatch();
    await mvccResolveIntent(batch, stats, k('a'), { txn: t1, status: 'pending', timestamp: ts(30) });
    await batch.commit({ sync: false });
    expect((await mvccGet(engine, k('a'), ts(20))).value).toBeNull();
    await expect(mvccGet(engine, k('a'), ts(30))).rejects.toBeInstanceOf(WriteIntentError);
    await expectStatsExact(engine, stats);
  }));

  it('keep a history so reads at older sequences and savepoint rollbacks work', () => withEngine(async (engine) => {
    const stats = emptyStats();
    const t = (sequence: number) => txn(1, ts(10), { sequence });
    await put(engine, stats, 'a', ts(10), 'one', t(1));
    await put(engine, stats, 'a', ts(10), 'two', t(2));
    await put(engine, stats, 'a', ts(10), 'three', t(3));
    expect((await mvccGet(engine, k('a'), ts(10), { txn: t(2) })).value).toEqual(v('two'));
    expect((await mvccGet(engine, k('a'), ts(10), { txn: t(0) })).value).toBeNull();
    const batch = engine.newBatch();
    await mvccResolveIntent(batch, stats, k('a'), { txn: t(3), status: 'committed', timestamp: ts(10), ignoredSequences: [[3, 3]] });
    await batch.commit({ sync: false });
    expect((await mvccGet(engine, k('a'), ts(10))).value).toEqual(v('two'));
    await expectStatsExact(engine, stats);
  }));

  it('drop writes of an older epoch when the transaction commits in a newer one', () => withEngine(async (engine) => {
    const stats = emptyStats();
    await put(engine, stats, 'a', ts(10), 'epoch0', txn(1, ts(10), { epoch: 0 }));
    await put(engine, stats, 'b', ts(10), 'epoch0', txn(1, ts(10), { epoch: 0 }));
    await put(engine, stats, 'b', ts(12), 'epoch1', txn(1, ts(12), { epoch: 1 }));
    const batch = engine.newBatch();
    const resolved = await mvccResolveIntentRange(batch, stats, all, { txn: txn(1, ts(12), { epoch: 1 }), status: 'committed', timestamp: ts(12) });
    await batch.commit({ sync: false });
    expect(resolved).toBe(2);
    expect((await mvccGet(engine, k('a'), ts(20))).value).toBeNull();
    expect((await mvccGet(engine, k('b'), ts(20))).value).toEqual(v('epoch1'));
    await expectStatsExact(engine, stats);
  }));
});

describe('garbage collection', () => {
  it('keeps the newest version visible at the threshold and removes older ones', () => withEngine(async (engine) => {
    const stats = emptyStats();
    await put(engine, stats, 'a', ts(1), 'a1');
    await put(engine, stats, 'a', ts(2), 'a2');
    await put(engine, stats, 'a', ts(5), 'a5');
    await put(engine, stats, 'b', ts(1), 'b1');
    await put(engine, stats, 'b', ts(3), null);
    const batch = engine.newBatch();
    const removed = await mvccGarbageCollect(batch, stats, all, ts(4));
    await batch.commit({ sync: false });
    expect(removed).toBe(3);
    expect((await mvccGet(engine, k('a'), ts(4))).value).toEqual(v('a2'));
    expect((await mvccGet(engine, k('a'), ts(9))).value).toEqual(v('a5'));
    expect((await mvccGet(engine, k('a'), ts(1))).value).toBeNull();
    expect((await mvccGet(engine, k('b'), ts(9))).value).toBeNull();
    await expectStatsExact(engine, stats);
    expect(stats.keyCount).toBe(1);
  }));
});

describe('bad input', () => {
  it('rejects empty keys, oversized keys and values', () => withEngine(async (engine) => {
    const stats = emptyStats();
    const batch = engine.newBatch();
    await expect(mvccPut(batch, stats, Buffer.alloc(0), ts(1), v('x'))).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(mvccPut(batch, stats, Buffer.alloc(20_000, 1), ts(1), v('x'))).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(mvccPut(batch, stats, k('a'), ts(1), Buffer.alloc(mvccValueBytesMax + 1))).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(mvccGet(engine, Buffer.alloc(0), ts(1))).rejects.toBeInstanceOf(InvalidArgumentError);
    expect(batch.count).toBe(0);
    expect(stats).toEqual(emptyStats());
  }));

  it('detects corrupt keys, values and intents', () => withEngine(async (engine) => {
    expect(() => decodeMvccKey(Buffer.from('abc'))).toThrow(CorruptionError);
    const badSuffix = Buffer.concat([intentKey(k('a')), Buffer.from([1, 2, 3])]);
    expect(() => decodeMvccKey(badSuffix)).toThrow(CorruptionError);
    const value = encodeVersionValue(v('hello'));
    value[value.length - 1]! ^= 0xff;
    expect(() => decodeVersionValue(value)).toThrow(/checksum/);
    expect(() => decodeVersionValue(Buffer.from([0, 1]))).toThrow(CorruptionError);
    expect(() => decodeIntent(encodeVersionValue(v('x')))).toThrow(CorruptionError);
    // A corrupt record on disk surfaces as a CorruptionError to readers, both
    // the latest version (in the key slot) and older ones (in the history).
    const stats = emptyStats();
    await put(engine, stats, 'a', ts(1), 'old');
    await put(engine, stats, 'a', ts(2), 'new');
    for (const [raw, readAt] of [[intentKey(k('a')), ts(3)], [versionKey(k('a'), ts(1)), ts(1)]] as const) {
      const stored = (await engine.get(raw))!;
      expect(stored).toBeDefined();
      stored[stored.length - 1]! ^= 0x01;
      await engine.db.put(raw, stored);
      await expect(mvccGet(engine, k('a'), readAt)).rejects.toBeInstanceOf(CorruptionError);
    }
    await engine.db.put(intentKey(k('b')), Buffer.from([2, 0, 0, 0, 0]));
    await expect(mvccGet(engine, k('b'), ts(2))).rejects.toBeInstanceOf(CorruptionError);
  }));

  it('rejects oversized values and bad integers on every write path', () => withEngine(async (engine) => {
    const stats = emptyStats();
    const batch = engine.newBatch();
    const big = Buffer.alloc(mvccValueBytesMax + 1);
    await expect(mvccConditionalPut(batch, stats, k('a'), ts(1), big, null)).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(mvccPutMany(batch, stats, ts(1), [{ key: k('a'), value: v('ok') }, { key: k('b'), value: big }])).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(mvccPut(batch, stats, Buffer.from([0xff, 0xff, 0x00]), ts(1), v('x'))).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(mvccScan(engine, { key: k('b'), endKey: k('a') }, ts(1))).rejects.toBeInstanceOf(InvalidArgumentError);
    await mvccPut(batch, stats, k('n'), ts(1), encodeInt(0x7fff_ffff_ffff_ffffn));
    await expect(mvccIncrement(batch, stats, k('n'), ts(2), 1n)).rejects.toThrow(/overflow/);
    // Nothing was written by the failed calls.
    expect(batch.count).toBe(1);
  }));

  it('refuses an intent that outgrows its byte limit without touching the batch or the stats', () => withEngine(async (engine) => {
    const stats = emptyStats();
    const batch = engine.newBatch();
    const big = Buffer.alloc(mvccValueBytesMax, 1);
    let sequence = 1;
    const write = () => mvccPut(batch, stats, k('a'), ts(1), big, { txn: txn(1, ts(1), { sequence: sequence++ }) });
    // Each write keeps the earlier ones in the intent's history: the record grows by a value each time.
    for (let i = 0; i * mvccValueBytesMax + mvccValueBytesMax < intentRecordBytesMax; i++) await write();
    const count = batch.count;
    const before = { ...stats };
    await expect(write()).rejects.toThrow(/exceeds the limit/);
    expect(batch.count).toBe(count);
    expect(stats).toEqual(before);
  }));

  it('reports corrupt records met by scans, GC and clearing instead of skipping them', () => withEngine(async (engine) => {
    const stats = emptyStats();
    for (const key of ['a', 'b', 'c']) await put(engine, stats, key, ts(1), key);
    // A record under "b" whose key has a 3-byte suffix (neither a slot nor a version).
    await engine.db.put(Buffer.concat([intentKey(k('b')), Buffer.from([1, 2, 3])]), encodeVersionValue(v('junk')));
    for (const reverse of [false, true]) {
      await expect(mvccScan(engine, all, ts(5), { reverse })).rejects.toBeInstanceOf(CorruptionError);
    }
    await expect(computeStats(engine, all)).rejects.toBeInstanceOf(CorruptionError);
    await expect(mvccGarbageCollect(engine.newBatch(), emptyStats(), all, ts(2))).rejects.toBeInstanceOf(CorruptionError);
    await expect(clearSpan(engine.newBatch(), emptyStats(), all)).rejects.toBeInstanceOf(CorruptionError);
    // Reads that do not touch the bad record still work.
    expect((await mvccScan(engine, { key: k('c'), endKey: k('d') }, ts(5))).rows).toHaveLength(1);
    // An escaped key without its sentinel, and a corrupt intent, met by a scan.
    await engine.db.put(Buffer.from('d\x00\x07'), encodeVersionValue(v('x')));
    await expect(mvccScan(engine, { key: k('d'), endKey: k('e') }, ts(5))).rejects.toBeInstanceOf(CorruptionError);
    const intent = encodeIntent({ txn: txn(1, ts(3)), history: [{ sequence: 1, value: v('i') }] });
    intent[intent.length - 1]! ^= 0x01;
    await engine.db.put(intentKey(k('e')), intent);
    for (const reverse of [false, true]) {
      await expect(mvccScan(engine, { key: k('e'), endKey: k('f') }, ts(5), { reverse })).rejects.toThrow(/checksum/);
    }
    await expect(mvccGet(engine, k('e'), ts(5))).rejects.toBeInstanceOf(CorruptionError);
  }));
});

describe('clearSpan', () => {
  it('removes every record and keeps stats exact', () => withEngine(async (engine) => {
    const stats = emptyStats();
    await put(engine, stats, 'a', ts(1), 'a');
    await put(engine, stats, 'b', ts(1), 'b', txn(1, ts(1)));
    await put(engine, stats, 'c', ts(1), 'c');
    const batch = engine.newBatch();
    await clearSpan(batch, stats, { key: k('a'), endKey: k('c') });
    await batch.commit({ sync: false });
    expect((await mvccScan(engine, all, ts(5))).rows.map((r) => r.key.toString())).toEqual(['c']);
    await expectStatsExact(engine, stats);
  }));
});
