import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Engine, EngineOpenError, type RawEntry } from './engine.ts';
import { withEngine } from './test-util.test-helper.ts';

const b = (s: string) => Buffer.from(s, 'latin1');
const show = (entries: readonly RawEntry[]) => entries.map(([k, v]) => `${k.toString('latin1')}=${v.toString('latin1')}`);

async function collect(iterable: AsyncIterable<RawEntry>): Promise<RawEntry[]> {
  const out: RawEntry[] = [];
  for await (const entry of iterable) out.push(entry);
  return out;
}

describe('Batch', () => {
  it('reads its own writes over the engine, deletions included', () => withEngine(async (engine) => {
    await engine.db.batch([{ type: 'put', key: b('a'), value: b('1') }, { type: 'put', key: b('b'), value: b('2') }, { type: 'put', key: b('d'), value: b('4') }]);
    const batch = engine.newBatch();
    batch.put(b('c'), b('3'));
    batch.del(b('b'));
    batch.put(b('a'), b('one'));
    batch.put(b('a'), b('uno'));
    expect(batch.getSync(b('a'))).toEqual(b('uno'));
    expect(await batch.get(b('b'))).toBeUndefined();
    expect(batch.getSync(b('d'))).toEqual(b('4'));
    expect(show(await collect(batch.iterate({ gte: b('a'), lt: b('z') })))).toEqual(['a=uno', 'c=3', 'd=4']);
    expect(show(await collect(batch.iterate({ gte: b('a'), lt: b('z'), reverse: true })))).toEqual(['d=4', 'c=3', 'a=uno']);
    expect(show(await collect(batch.iterate({ gte: b('b'), lt: b('d'), limit: 1 })))).toEqual(['c=3']);
    // Writes after a read are merged into the sorted view too.
    batch.put(b('b'), b('again'));
    batch.del(b('c'));
    expect(show(await collect(batch.iterate({ gte: b('a'), lt: b('z') })))).toEqual(['a=uno', 'b=again', 'd=4']);
    expect(batch.writes().map((w) => `${w.key.toString()}=${w.value?.toString() ?? '∅'}`)).toEqual(['a=uno', 'b=again', 'c=∅']);
    // Nothing reached the engine yet.
    expect(engine.getSync(b('c'))).toBeUndefined();
    await batch.commit({ sync: false });
    expect(show(await collect(engine.iterate({ gte: b('a'), lt: b('z') })))).toEqual(['a=uno', 'b=again', 'd=4']);
  }));

  it('merges like a map of the engine overwritten by the batch', async () => {
    const key = fc.integer({ min: 0, max: 15 }).map((n) => `k${n.toString(16)}`);
    const write = fc.record({ key, value: fc.option(fc.nat(99), { freq: 3 }) });
    await fc.assert(fc.asyncProperty(
      fc.array(write, { maxLength: 20 }), fc.array(write, { maxLength: 20 }), key, key, fc.boolean(),
      (base, pending, lo, hi, reverse) => withEngine(async (engine) => {
        const model = new Map<string, string>();
        for (const w of base) {
          if (w.value === null) { await engine.db.del(b(w.key)); model.delete(w.key); } else { await engine.db.put(b(w.key), b(String(w.value))); model.set(w.key, String(w.value)); }
        }
        const batch = engine.newBatch();
        for (const w of pending) {
          if (w.value === null) { batch.del(b(w.key)); model.delete(w.key); } else { batch.put(b(w.key), b(`p${w.value}`)); model.set(w.key, `p${w.value}`); }
        }
        const want = [...model].filter(([k]) => k >= lo && k < hi).sort(([x], [y]) => (x < y ? -1 : 1)).map(([k, v]) => `${k}=${v}`);
        if (reverse) want.reverse();
        expect(show(await collect(batch.iterate({ gte: b(lo), lt: b(hi), reverse })))).toEqual(want);
        const chunks: string[] = [];
        for await (const chunk of batch.iterateChunks({ gte: b(lo), lt: b(hi), reverse })) chunks.push(...show(chunk));
        expect(chunks).toEqual(want);
        for (let n = 0; n < 16; n++) expect(batch.getSync(b(`k${n.toString(16)}`))?.toString()).toBe(model.get(`k${n.toString(16)}`));
      }),
    ), { seed: 7, numRuns: 60 });
  });

  it('commits several batches in one write, later batches winning, and runs commit hooks after', () => withEngine(async (engine) => {
    const first = engine.newBatch();
    const second = engine.newBatch();
    const dropped = engine.newBatch();
    const empty = engine.newBatch();
    const events: string[] = [];
    first.put(b('x'), b('first'));
    first.put(b('y'), b('first'));
    second.put(b('x'), b('second'));
    dropped.put(b('z'), b('never'));
    first.onCommit(() => events.push(`first sees ${engine.getSync(b('x'))?.toString()}`));
    second.onCommit(() => events.push('second'));
    dropped.onCommit(() => events.push('dropped'));
    empty.onCommit(() => events.push('empty'));
    await engine.commitBatches([first, second, empty], { sync: true });
    expect(events).toEqual(['first sees second', 'second', 'empty']);
    expect(engine.getSync(b('x'))).toEqual(b('second'));
    expect(engine.getSync(b('y'))).toEqual(b('first'));
    expect(engine.getSync(b('z'))).toBeUndefined();
    expect(first.committed && second.committed && !dropped.committed).toBe(true);
    expect(() => first.put(b('w'), b('late'))).toThrow(/committed batch/);
    await expect(first.commit({ sync: false })).rejects.toThrow(/committed twice/);
  }));
});

describe('Snapshot', () => {
  it('keeps reading the store as it was', () => withEngine(async (engine) => {
    await engine.db.put(b('a'), b('before'));
    const snapshot = engine.snapshot();
    try {
      await engine.db.put(b('a'), b('after'));
      await engine.db.put(b('b'), b('new'));
      expect(snapshot.getSync(b('a'))).toEqual(b('before'));
      expect(await snapshot.get(b('b'))).toBeUndefined();
      expect(show(await collect(snapshot.iterate({ gte: b('a'), lt: b('z') })))).toEqual(['a=before']);
      expect(show(await collect(engine.iterate({ gte: b('a'), lt: b('z') })))).toEqual(['a=after', 'b=new']);
    } finally {
      await snapshot.close();
    }
  }));
});

describe('Engine.open', () => {
  it('fails with a typed error when another engine holds the store', () => withEngine(async (_engine, dir) => {
    const error = await Engine.open(dir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EngineOpenError);
    expect((error as EngineOpenError).path).toBe(dir);
  }));
});
