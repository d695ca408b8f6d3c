/**
 * Property: a random sequence of MVCC operations — plain and transactional
 * writes, conditional puts, increments, range deletions, intent resolution,
 * garbage collection and span clearing, interleaved with gets and scans —
 * gives the same answers (values, errors, resume spans) as a simple
 * in-memory model, and after every operation the incrementally kept stats
 * equal a recount from the stored records.
 *
 * Seeded (MVCC_SEED, MVCC_RUNS override) so a failure reproduces.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { timestamp } from '../hlc/index.ts';
import type { Batch, Engine } from './engine.ts';
import {
  ConditionFailedError, IntentMismatchError, ReadWithinUncertaintyIntervalError, WriteIntentError, WriteTooOldError,
} from './errors.ts';
import {
  clearSpan, computeStats, mvccConditionalPut, mvccDeleteRange, mvccGarbageCollect, mvccGet, mvccIncrement, mvccPut,
  mvccResolveIntent, mvccResolveIntentRange, mvccScan, type IntentStatus,
} from './mvcc.ts';
import type { TxnMeta } from './mvcc-value.ts';
import { addStats, emptyStats, type MvccStats } from './stats.ts';
import { withEngine } from './test-util.test-helper.ts';

const keyCount = 4;
const txnCount = 2;
const keyOf = (n: number) => Buffer.from(`k${n}`);
const encodeInt = (n: bigint) => { const b = Buffer.alloc(8); b.writeBigInt64BE(n); return b; };
const ts = (wall: number) => timestamp(wall);

// ---------------------------------------------------------------- the model

interface ModelIntent {
  txn: number;
  epoch: number;
  wall: number;
  sequence: number;
  history: Array<{ sequence: number; value: bigint | null }>;
}

interface ModelKey {
  /** Committed versions, newest first. */
  versions: Array<{ wall: number; value: bigint | null }>;
  intent: ModelIntent | null;
}

interface ModelTxn {
  epoch: number;
  sequence: number;
}

type Outcome<T> = { ok: T } | { error: string };

interface ReadSpec {
  readonly wall: number;
  readonly txn: number | null;
  readonly uncertainty: number;
  readonly inconsistent: boolean;
}

type Seen = { kind: 'value'; value: bigint | null; wall: number } | { kind: 'absent' } | { kind: 'conflict'; key: number } | { kind: 'uncertain' };

class Model {
  readonly keys = new Map<number, ModelKey>();
  readonly txns: ModelTxn[] = Array.from({ length: txnCount }, () => ({ epoch: 0, sequence: 0 }));

  key(n: number): ModelKey {
    let k = this.keys.get(n);
    if (!k) this.keys.set(n, (k = { versions: [], intent: null }));
    return k;
  }

  exists(n: number): boolean {
    const k = this.keys.get(n);
    return k !== undefined && (k.versions.length > 0 || k.intent !== null);
  }

  read(n: number, spec: ReadSpec): Seen {
    const k = this.keys.get(n);
    if (!k) return { kind: 'absent' };
    const limit = Math.max(spec.wall, spec.uncertainty);
    const intent = k.intent;
    if (intent) {
      if (spec.txn === intent.txn) {
        const txn = this.txns[spec.txn]!;
        if (txn.epoch === intent.epoch) {
          const write = [...intent.history].reverse().find((w) => w.sequence <= txn.sequence);
          if (write) return { kind: 'value', value: write.value, wall: intent.wall };
        }
      } else if (!spec.inconsistent && intent.wall <= limit) {
        return { kind: 'conflict', key: n };
      }
    }
    for (const v of k.versions) {
      if (v.wall > limit) continue;
      if (v.wall > spec.wall) return { kind: 'uncertain' };
      return { kind: 'value', value: v.value, wall: v.wall };
    }
    return { kind: 'absent' };
  }

  /** The checks every write shares; returns the replayed write when this one is a replay. */
  writeCheck(n: number, wall: number, txn: number | null): Outcome<{ replay: { value: bigint | null } | null }> {
    const k = this.key(n);
    const intent = k.intent;
    if (intent) {
      if (txn !== intent.txn) return { error: 'WriteIntentError' };
      const t = this.txns[txn]!;
      if (t.epoch < intent.epoch) return { error: 'IntentMismatchError' };
      if (t.epoch === intent.epoch && t.sequence <= intent.sequence) {
        const write = intent.history.find((w) => w.sequence === t.sequence);
        return write ? { ok: { replay: write } } : { error: 'IntentMismatchError' };
      }
    }
    // Over its own intent a transaction writes at the intent's timestamp if that is higher.
    const at = Math.max(wall, intent?.wall ?? 0);
    const newest = k.versions[0];
    if (newest && newest.wall >= at) return { error: 'WriteTooOldError' };
    return { ok: { replay: null } };
  }

  write(n: number, wall: number, txn: number | null, value: bigint | null): void {
    const k = this.key(n);
    if (txn === null) {
      k.versions.unshift({ wall, value });
      return;
    }
    const t = this.txns[txn]!;
    const history = k.intent && k.intent.epoch === t.epoch ? k.intent.history.filter((w) => w.sequence < t.sequence) : [];
    // An intent never moves back in time.
    const at = Math.max(wall, k.intent?.wall ?? 0);
    k.intent = { txn, epoch: t.epoch, wall: at, sequence: t.sequence, history: [...history, { sequence: t.sequence, value }] };
  }

  /** The value a writer compares with: its own intent's value at its sequence, else the newest version. */
  current(n: number, txn: number | null): bigint | null {
    const k = this.key(n);
    if (k.intent && txn === k.intent.txn && this.txns[txn]!.epoch === k.intent.epoch) {
      const write = [...k.intent.history].reverse().find((w) => w.sequence <= this.txns[txn]!.sequence);
      if (write) return write.value;
    }
    return k.versions[0]?.value ?? null;
  }

  resolve(n: number, txn: number, epoch: number, status: IntentStatus, wall: number): boolean {
    const k = this.keys.get(n);
    const intent = k?.intent;
    if (!k || !intent || intent.txn !== txn) return false;
    if (status === 'pending' && intent.epoch > epoch) return false;
    const current = intent.history[intent.history.length - 1]!.value;
    if (status === 'aborted' || (status === 'committed' && intent.epoch < epoch)) k.intent = null;
    else if (status === 'pending') intent.wall = Math.max(intent.wall, wall);
    else {
      k.versions.unshift({ wall: Math.max(intent.wall, wall), value: current });
      k.intent = null;
    }
    return true;
  }

  gc(threshold: number): void {
    for (const k of this.keys.values()) {
      const visible = k.versions.findIndex((v) => v.wall <= threshold);
      if (visible < 0) continue;
      k.versions = k.versions.slice(0, k.versions[visible]!.value === null ? visible : visible + 1);
    }
  }
}

// ---------------------------------------------------------------- operations

type Op =
  | { kind: 'put'; key: number; wall: number; value: number | null; txn: number | null }
  | { kind: 'cput'; key: number; wall: number; value: number; expected: number | null; txn: number | null }
  | { kind: 'inc'; key: number; wall: number; by: number; txn: number | null }
  | { kind: 'delRange'; from: number; to: number; wall: number; txn: number | null }
  | { kind: 'get'; key: number; read: ReadSpec; tombstones: boolean }
  | { kind: 'scan'; from: number; to: number; read: ReadSpec; reverse: boolean; maxKeys: number; tombstones: boolean }
  | { kind: 'resolve'; key: number; txn: number; status: IntentStatus; wall: number; range: boolean; epochLag: number }
  | { kind: 'txnStep'; txn: number; action: 'restart' | 'restartKeepSequence' | 'rewind' }
  | { kind: 'gc'; wall: number }
  | { kind: 'clear'; from: number; to: number };

// Walls are generated relative to a clock that advances between operations
// (materialize() makes them absolute), so most writes succeed and reads,
// pushes, commits and GC land near recent writes, where the interesting
// interactions are.
/** Writes: usually now, sometimes a little in the past (too old). */
const wall = fc.oneof({ weight: 4, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 4 }) });
const key = fc.nat(keyCount - 1);
const txnOrNull = fc.option(fc.nat(txnCount - 1), { freq: 2 });
const read: fc.Arbitrary<ReadSpec> = fc.record({
  wall: fc.integer({ min: -4, max: 2 }),
  txn: fc.option(fc.nat(txnCount - 1), { freq: 2 }),
  uncertainty: fc.oneof({ weight: 3, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 4 }) }),
  inconsistent: fc.boolean(),
});
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('put' as const), key, wall, value: fc.option(fc.integer({ min: 0, max: 9 }), { freq: 4 }), txn: txnOrNull }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('cput' as const), key, wall, value: fc.integer({ min: 0, max: 9 }), expected: fc.option(fc.integer({ min: 0, max: 9 }), { freq: 2 }), txn: txnOrNull }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('inc' as const), key, wall, by: fc.integer({ min: -3, max: 3 }), txn: txnOrNull }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('delRange' as const), from: key, to: fc.integer({ min: 1, max: keyCount }), wall, txn: txnOrNull }) },
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('get' as const), key, read, tombstones: fc.boolean() }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('scan' as const), from: key, to: fc.integer({ min: 1, max: keyCount }), read, reverse: fc.boolean(), maxKeys: fc.nat(3), tombstones: fc.boolean() }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('resolve' as const), key, txn: fc.nat(txnCount - 1), status: fc.constantFrom<IntentStatus>('committed', 'aborted', 'pending'), wall: fc.integer({ min: -1, max: 3 }), range: fc.boolean(), epochLag: fc.oneof({ weight: 4, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.constant(1) }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('txnStep' as const), txn: fc.nat(txnCount - 1), action: fc.constantFrom('restart' as const, 'restartKeepSequence' as const, 'rewind' as const) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('gc' as const), wall: fc.integer({ min: 0, max: 6 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('clear' as const), from: key, to: fc.integer({ min: 1, max: keyCount }) }) },
);

/** Turns relative walls into absolute ones along a clock that each step advances by 0–2. */
function materialize(steps: ReadonlyArray<readonly [number, Op]>): Op[] {
  let now = 5;
  const at = (offset: number) => Math.max(1, now + offset);
  return steps.map(([advance, o]) => {
    now += advance;
    switch (o.kind) {
      case 'put': case 'cput': case 'inc': case 'delRange': return { ...o, wall: at(-o.wall) };
      case 'get': case 'scan': return { ...o, read: { ...o.read, wall: at(o.read.wall), uncertainty: o.read.uncertainty === 0 ? 0 : at(o.read.wall) + o.read.uncertainty } };
      case 'resolve': return { ...o, wall: at(o.wall) };
      case 'gc': return { ...o, wall: at(-o.wall) };
      default: return o;
    }
  });
}

const history = fc.array(fc.tuple(fc.nat(2), op), { minLength: 10, maxLength: 60, size: 'max' }).map(materialize);

function errorName(error: unknown): string {
  for (const type of [WriteIntentError, WriteTooOldError, IntentMismatchError, ConditionFailedError, ReadWithinUncertaintyIntervalError]) {
    if (error instanceof type) return type.name;
  }
  throw error;
}

class Harness {
  readonly model = new Model();
  readonly stats: MvccStats = emptyStats();
  gcThreshold = 0;

  constructor(readonly engine: Engine) {}

  txnMeta(txn: number, wallNow: number): TxnMeta {
    const t = this.model.txns[txn]!;
    return { id: Buffer.alloc(16, txn + 1), epoch: t.epoch, writeTimestamp: ts(wallNow), sequence: t.sequence, priority: 1 };
  }

  readOptions(spec: ReadSpec) {
    return {
      ...(spec.txn !== null ? { txn: this.txnMeta(spec.txn, spec.wall) } : {}),
      ...(spec.uncertainty > 0 ? { uncertaintyLimit: ts(spec.uncertainty) } : {}),
      inconsistent: spec.inconsistent,
    };
  }

  /** Runs a write in a batch committed only on success, with its stats delta. */
  async write<T>(fn: (batch: Batch, delta: MvccStats) => Promise<T>): Promise<Outcome<T>> {
    const batch = this.engine.newBatch();
    const delta = emptyStats();
    try {
      const ok = await fn(batch, delta);
      await batch.commit({ sync: false });
      addStats(this.stats, delta);
      return { ok };
    } catch (error) {
      return { error: errorName(error) };
    }
  }

  /** A transactional write takes the next sequence number, as the coordinator would give it. */
  nextSequence(txn: number | null): void {
    if (txn !== null) this.model.txns[txn]!.sequence++;
  }

  async step(o: Op): Promise<void> {
    switch (o.kind) {
      case 'put': return this.doPut(o);
      case 'cput': return this.doCput(o);
      case 'inc': return this.doInc(o);
      case 'delRange': return this.doDelRange(o);
      case 'get': return this.doGet(o);
      case 'scan': return this.doScan(o);
      case 'resolve': return this.doResolve(o);
      case 'txnStep': return this.doTxnStep(o);
      case 'gc': return this.doGc(o);
      case 'clear': return this.doClear(o);
    }
  }

  async doPut(o: Extract<Op, { kind: 'put' }>): Promise<void> {
    const m = this.model;
    if (o.wall <= this.gcThreshold) return;
    this.nextSequence(o.txn);
    const value = o.value === null ? null : BigInt(o.value);
    const want = m.writeCheck(o.key, o.wall, o.txn);
    const got = await this.write((b, d) => mvccPut(b, d, keyOf(o.key), ts(o.wall), value === null ? null : encodeInt(value), o.txn === null ? {} : { txn: this.txnMeta(o.txn, o.wall) }));
    if ('error' in want) return void expect(got).toEqual(want);
    if (want.ok.replay) return void expect(got).toEqual(want.ok.replay.value === value ? { ok: undefined } : { error: 'IntentMismatchError' });
    expect(got).toEqual({ ok: undefined });
    m.write(o.key, o.wall, o.txn, value);
    return;
  }

  async doCput(o: Extract<Op, { kind: 'cput' }>): Promise<void> {
    const m = this.model;
    if (o.wall <= this.gcThreshold) return;
    this.nextSequence(o.txn);
    const value = BigInt(o.value);
    const expected = o.expected === null ? null : BigInt(o.expected);
    const got = await this.write((b, d) => mvccConditionalPut(b, d, keyOf(o.key), ts(o.wall), encodeInt(value), expected === null ? null : encodeInt(expected), o.txn === null ? {} : { txn: this.txnMeta(o.txn, o.wall) }));
    const want = m.writeCheck(o.key, o.wall, o.txn);
    if ('error' in want) return void expect(got).toEqual(want);
    if (want.ok.replay) return void expect(got).toEqual(want.ok.replay.value === value ? { ok: undefined } : { error: 'IntentMismatchError' });
    if (m.current(o.key, o.txn) !== expected) return void expect(got).toEqual({ error: 'ConditionFailedError' });
    expect(got).toEqual({ ok: undefined });
    m.write(o.key, o.wall, o.txn, value);
    return;
  }

  async doInc(o: Extract<Op, { kind: 'inc' }>): Promise<void> {
    const m = this.model;
    if (o.wall <= this.gcThreshold) return;
    this.nextSequence(o.txn);
    const got = await this.write((b, d) => mvccIncrement(b, d, keyOf(o.key), ts(o.wall), BigInt(o.by), o.txn === null ? {} : { txn: this.txnMeta(o.txn, o.wall) }));
    const want = m.writeCheck(o.key, o.wall, o.txn);
    if ('error' in want) return void expect(got).toEqual(want);
    if (want.ok.replay) return void expect(got).toEqual({ ok: want.ok.replay.value ?? 0n });
    const next = (m.current(o.key, o.txn) ?? 0n) + BigInt(o.by);
    expect(got).toEqual({ ok: next });
    m.write(o.key, o.wall, o.txn, next);
    return;
  }

  async doDelRange(o: Extract<Op, { kind: 'delRange' }>): Promise<void> {
    const m = this.model;
    if (o.wall <= this.gcThreshold || o.from >= o.to) return;
    this.nextSequence(o.txn);
    const got = await this.write((b, d) => mvccDeleteRange(b, d, { key: keyOf(o.from), endKey: keyOf(o.to) }, ts(o.wall), o.txn === null ? {} : { txn: this.txnMeta(o.txn, o.wall) }));
    // The model: a scan at the write timestamp, then a tombstone over each live key.
    const spec: ReadSpec = { wall: o.wall, txn: o.txn, uncertainty: 0, inconsistent: false };
    const live: number[] = [];
    const conflicts: number[] = [];
    for (let n = o.from; n < o.to; n++) {
      const seen = m.read(n, spec);
      if (seen.kind === 'conflict') conflicts.push(n);
      else if (seen.kind === 'value' && seen.value !== null) live.push(n);
    }
    if (conflicts.length > 0) return void expect(got).toEqual({ error: 'WriteIntentError' });
    // Tombstones go down in key order; the first key that refuses one fails the whole call.
    for (const n of live) {
      const check = m.writeCheck(n, o.wall, o.txn);
      if ('error' in check) return void expect(got).toEqual(check);
      // A live key's replayed write cannot have been this deletion.
      if (check.ok.replay) return void expect(got).toEqual({ error: 'IntentMismatchError' });
    }
    expect(got).toEqual({ ok: live.map(keyOf) });
    for (const n of live) m.write(n, o.wall, o.txn, null);
    return;
  }

  async doGet(o: Extract<Op, { kind: 'get' }>): Promise<void> {
    const m = this.model;
    if (o.read.wall < this.gcThreshold) return;
    const got = await mvccGet(this.engine, keyOf(o.key), ts(o.read.wall), { ...this.readOptions(o.read), tombstones: o.tombstones })
      .then((r) => ({ ok: r.timestamp === null ? null : [r.value === null ? null : r.value.readBigInt64BE(0), r.timestamp.wallMicros] }), (e: unknown) => ({ error: errorName(e) }));
    const seen = m.read(o.key, o.read);
    if (seen.kind === 'conflict') return void expect(got).toEqual({ error: 'WriteIntentError' });
    if (seen.kind === 'uncertain') return void expect(got).toEqual({ error: 'ReadWithinUncertaintyIntervalError' });
    expect(got).toEqual({ ok: seen.kind === 'absent' ? null : [seen.value, seen.wall] });
    return;
  }

  async doScan(o: Extract<Op, { kind: 'scan' }>): Promise<void> {
    if (o.read.wall < this.gcThreshold || o.from >= o.to) return;
    await this.scan(o);
    return;
  }

  async doResolve(o: Extract<Op, { kind: 'resolve' }>): Promise<void> {
    const m = this.model;
    // A resolver may act on a stale record of the transaction (an older epoch).
    const epoch = Math.max(0, m.txns[o.txn]!.epoch - o.epochLag);
    const resolution = { txn: { ...this.txnMeta(o.txn, o.wall), epoch }, status: o.status, timestamp: ts(o.wall) };
    if (o.status !== 'aborted' && o.wall <= this.gcThreshold) return;
    if (o.range) {
      const got = await this.write((b, d) => mvccResolveIntentRange(b, d, { key: keyOf(0), endKey: keyOf(keyCount) }, resolution));
      let count = 0;
      for (let n = 0; n < keyCount; n++) if (m.resolve(n, o.txn, epoch, o.status, o.wall)) count++;
      expect(got).toEqual({ ok: count });
    } else {
      const got = await this.write((b, d) => mvccResolveIntent(b, d, keyOf(o.key), resolution));
      expect(got).toEqual({ ok: m.resolve(o.key, o.txn, epoch, o.status, o.wall) });
    }
    return;
  }

  async doTxnStep(o: Extract<Op, { kind: 'txnStep' }>): Promise<void> {
    const m = this.model;
    const t = m.txns[o.txn]!;
    if (o.action === 'restart' || o.action === 'restartKeepSequence') {
      t.epoch++;
      if (o.action === 'restart') t.sequence = 0;
    } else {
      // The next write reuses the last sequence number: a replayed request.
      t.sequence = Math.max(0, t.sequence - 1);
    }
    return;
  }

  async doGc(o: Extract<Op, { kind: 'gc' }>): Promise<void> {
    const m = this.model;
    if (o.wall <= this.gcThreshold) return;
    // Replicas refuse writes at or below the GC threshold, and reads below it.
    this.gcThreshold = o.wall;
    const got = await this.write((b, d) => mvccGarbageCollect(b, d, { key: keyOf(0), endKey: keyOf(keyCount) }, ts(o.wall)));
    expect('ok' in got).toBe(true);
    m.gc(o.wall);
    return;
  }

  async doClear(o: Extract<Op, { kind: 'clear' }>): Promise<void> {
    const m = this.model;
    if (o.from >= o.to) return;
    const got = await this.write((b, d) => clearSpan(b, d, { key: keyOf(o.from), endKey: keyOf(o.to) }));
    expect(got).toEqual({ ok: undefined });
    for (let n = o.from; n < o.to; n++) m.keys.delete(n);
    return;
  }

  async scan(o: Extract<Op, { kind: 'scan' }>): Promise<void> {
    const got = await mvccScan(this.engine, { key: keyOf(o.from), endKey: keyOf(o.to) }, ts(o.read.wall), {
      ...this.readOptions(o.read), reverse: o.reverse, maxKeys: o.maxKeys, tombstones: o.tombstones,
    }).then(
      (r) => ({ ok: { rows: r.rows.map((row) => [row.key.toString(), row.tombstone ? null : row.value.readBigInt64BE(0), row.timestamp.wallMicros]), resume: r.resumeSpan ? [Buffer.from(r.resumeSpan.key).toString('latin1'), Buffer.from(r.resumeSpan.endKey).toString('latin1')] : null } }),
      (e: unknown) => ({ error: errorName(e) }),
    );
    const order = Array.from({ length: o.to - o.from }, (_, i) => o.from + i);
    if (o.reverse) order.reverse();
    const rows: Array<[string, bigint | null, number]> = [];
    let conflicts = 0;
    let resume: [string, string] | null = null;
    for (const n of order) {
      if (!this.model.exists(n)) continue;
      if (o.maxKeys > 0 && rows.length >= o.maxKeys) {
        if (conflicts === 0) resume = o.reverse ? [`k${o.from}`, `k${n}\x00`] : [`k${n}`, `k${o.to}`];
        break;
      }
      const seen = this.model.read(n, o.read);
      if (seen.kind === 'uncertain') return void expect(got).toEqual({ error: 'ReadWithinUncertaintyIntervalError' });
      if (seen.kind === 'conflict') conflicts++;
      else if (seen.kind === 'value' && (seen.value !== null || o.tombstones)) rows.push([`k${n}`, seen.value, seen.wall]);
    }
    if (conflicts > 0) return void expect(got).toEqual({ error: 'WriteIntentError' });
    expect(got).toEqual({ ok: { rows, resume } });
  }
}

describe('mvcc against a model', () => {
  it('answers like the model and keeps stats exact', async () => {
    await fc.assert(fc.asyncProperty(history, async (ops) => withEngine(async (engine) => {
      const h = new Harness(engine);
      for (const o of ops) {
        await h.step(o);
        expect(h.stats).toEqual(await computeStats(engine, { key: keyOf(0), endKey: keyOf(keyCount) }));
      }
    })), { seed: Number(process.env.MVCC_SEED ?? 20261124), numRuns: Number(process.env.MVCC_RUNS ?? 150) });
  });
});
