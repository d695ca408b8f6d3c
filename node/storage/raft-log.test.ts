import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { raftHardStateKey, raftLogKey } from '../keys/index.ts';
import { Engine } from './engine.ts';
import { CorruptionError, InvalidArgumentError } from './errors.ts';
import { raftEntryBytesMax } from './limits.ts';
import { RaftLogStore, type LogEntry } from './raft-log.ts';
import { withEngine } from './test-util.test-helper.ts';

const entry = (index: number, term: number, text = `e${index}`): LogEntry => ({ index, term, data: Buffer.from(text) });
const shown = (entries: readonly LogEntry[]) => entries.map((e) => [e.index, e.term, Buffer.from(e.data).toString()]);

describe('RaftLogStore', () => {
  it('appends, overwrites a conflicting suffix and reads back', () => withEngine(async (engine) => {
    const log = new RaftLogStore(engine);
    let batch = engine.newBatch();
    log.appendEntries(batch, 7, [1, 2, 3, 4, 5].map((i) => entry(i, 1)));
    await batch.commit({ sync: true });
    expect(log.lastIndex(7)).toBe(5);
    expect(log.lastTerm(7)).toBe(1);
    batch = engine.newBatch();
    log.appendEntries(batch, 7, [entry(3, 2, 'new3')]);
    await batch.commit({ sync: true });
    expect(log.lastIndex(7)).toBe(3);
    expect(log.lastTerm(7)).toBe(2);
    expect(shown(log.entries(7, 1, 4))).toEqual([[1, 1, 'e1'], [2, 1, 'e2'], [3, 2, 'new3']]);
    expect(log.term(7, 3)).toBe(2);
    expect(log.term(7, 4)).toBeUndefined();
    expect(log.entry(7, 4)).toBeUndefined();
    expect(log.entry(7, 5)).toBeUndefined();
    // Other ranges are untouched.
    expect(log.lastIndex(8)).toBe(0);
  }));

  it('moves its cached view only when the batch commits', () => withEngine(async (engine) => {
    const log = new RaftLogStore(engine);
    const dropped = engine.newBatch();
    log.appendEntries(dropped, 1, [entry(1, 1), entry(2, 1)]);
    expect(log.lastIndex(1)).toBe(0);
    const batch = engine.newBatch();
    // Appends made before the first commits still see each other (the caller passes its view).
    log.appendEntries(batch, 1, [entry(1, 1)], 2);
    await batch.commit({ sync: false });
    expect(log.lastIndex(1)).toBe(1);
    expect(engine.getSync(raftLogKey(1, 2))).toBeUndefined();
  }));

  it('limits reads by bytes but always returns one entry', () => withEngine(async (engine) => {
    const log = new RaftLogStore(engine);
    const batch = engine.newBatch();
    log.appendEntries(batch, 1, [1, 2, 3].map((i) => entry(i, 1, 'x'.repeat(100))));
    await batch.commit({ sync: false });
    expect(log.entries(1, 1, 4, 150)).toHaveLength(1);
    expect(log.entries(1, 1, 4, 10)).toHaveLength(1);
    expect(log.entries(1, 1, 4, 250)).toHaveLength(2);
    expect(() => log.entries(1, 1, 5)).toThrow(InvalidArgumentError);
  }));

  it('truncates a prefix and remembers the truncated term', () => withEngine(async (engine) => {
    const log = new RaftLogStore(engine);
    let batch = engine.newBatch();
    log.appendEntries(batch, 2, [1, 2, 3, 4].map((i) => entry(i, i < 3 ? 1 : 2)));
    await batch.commit({ sync: false });
    batch = engine.newBatch();
    log.truncateLogPrefix(batch, 2, 3);
    await batch.commit({ sync: false });
    expect(log.firstIndex(2)).toBe(4);
    expect(log.truncatedState(2)).toEqual({ index: 3, term: 2 });
    expect(log.term(2, 3)).toBe(2);
    expect(log.term(2, 2)).toBeUndefined();
    expect(log.entry(2, 2)).toBeUndefined();
    expect(() => log.entries(2, 3, 5)).toThrow(InvalidArgumentError);
    expect(log.lastIndex(2)).toBe(4);
    batch = engine.newBatch();
    expect(() => log.truncateLogPrefix(batch, 2, 9)).toThrow(InvalidArgumentError);
    log.truncateLogPrefix(batch, 2, 4);
    await batch.commit({ sync: false });
    expect(log.lastIndex(2)).toBe(4);
    expect(log.firstIndex(2)).toBe(5);
    // An append must continue the log: not below the truncated prefix, not past a gap.
    expect(() => log.appendEntries(engine.newBatch(), 2, [entry(4, 3)])).toThrow(InvalidArgumentError);
    expect(() => log.appendEntries(engine.newBatch(), 2, [entry(7, 3)])).toThrow(InvalidArgumentError);
  }));

  it('resets to a snapshot position', () => withEngine(async (engine) => {
    const log = new RaftLogStore(engine);
    let batch = engine.newBatch();
    log.appendEntries(batch, 4, [1, 2, 3].map((i) => entry(i, 1)));
    await batch.commit({ sync: false });
    batch = engine.newBatch();
    await log.resetLog(batch, 4, { index: 10, term: 3 });
    log.appendEntries(batch, 4, [entry(11, 3)]);
    await batch.commit({ sync: false });
    expect(log.firstIndex(4)).toBe(11);
    expect(log.lastIndex(4)).toBe(11);
    expect(log.term(4, 10)).toBe(3);
    expect(log.entry(4, 2)).toBeUndefined();
  }));

  it('finds the last index of a reopened store', async () => {
    await fc.assert(fc.asyncProperty(fc.nat(40), fc.nat(300), async (truncateTo, length) => withEngine(async (engine, dir) => {
      let log = new RaftLogStore(engine);
      const batch = engine.newBatch();
      log.appendEntries(batch, 3, Array.from({ length }, (_, i) => entry(i + 1, 1 + Math.floor(i / 7))));
      await batch.commit({ sync: false });
      const truncated = Math.min(truncateTo, length);
      if (truncated > 0) {
        const cut = engine.newBatch();
        log.truncateLogPrefix(cut, 3, truncated);
        await cut.commit({ sync: false });
      }
      await engine.close();
      const reopened = await Engine.open(dir);
      try {
        log = new RaftLogStore(reopened);
        expect(log.lastIndex(3)).toBe(length);
        expect(log.firstIndex(3)).toBe(truncated + 1);
        expect(log.lastTerm(3)).toBe(length === 0 ? 0 : 1 + Math.floor((length - 1) / 7));
      } finally {
        await reopened.close();
        // withEngine closes its engine again; reopen it so that close succeeds.
        await engine.db.open();
      }
    })), { seed: 11, numRuns: 25 });
  });

  it('stores hard state and applied state, and destroys a range log', () => withEngine(async (engine) => {
    const log = new RaftLogStore(engine);
    expect(log.hardState(3)).toEqual({ term: 0, vote: 0, commit: 0 });
    let batch = engine.newBatch();
    log.setHardState(batch, 3, { term: 5, vote: 2, commit: 17 });
    log.setAppliedState(batch, 3, { appliedIndex: 16, data: Buffer.from('lease') });
    log.appendEntries(batch, 3, [entry(1, 1)]);
    await batch.commit({ sync: true });
    expect(log.hardState(3)).toEqual({ term: 5, vote: 2, commit: 17 });
    expect(log.appliedState(3).appliedIndex).toBe(16);
    expect(Buffer.from(log.appliedState(3).data).toString()).toBe('lease');
    batch = engine.newBatch();
    await log.destroy(batch, 3);
    await batch.commit({ sync: true });
    expect(log.hardState(3)).toEqual({ term: 0, vote: 0, commit: 0 });
    expect(log.lastIndex(3)).toBe(0);
  }));

  it('rejects bad input and detects corrupt state', () => withEngine(async (engine) => {
    const log = new RaftLogStore(engine);
    const batch = engine.newBatch();
    expect(() => log.appendEntries(batch, 1, [entry(1, 1), entry(3, 1)])).toThrow(InvalidArgumentError);
    expect(() => log.appendEntries(batch, 1, [{ index: 1, term: 1, data: { length: raftEntryBytesMax + 1 } as Uint8Array }])).toThrow(InvalidArgumentError);
    expect(batch.count).toBe(0);
    await engine.db.put(raftHardStateKey(9), Buffer.from([1, 2, 3]));
    expect(() => log.hardState(9)).toThrow(CorruptionError);
    const ok = engine.newBatch();
    log.appendEntries(ok, 5, [entry(1, 1, 'payload')]);
    await ok.commit({ sync: false });
    const raw = engine.getSync(raftLogKey(5, 1))!;
    raw[raw.length - 1]! ^= 0x20;
    await engine.db.put(raftLogKey(5, 1), raw);
    expect(() => log.entry(5, 1)).toThrow(/checksum/);
    expect(() => log.entries(5, 1, 2)).toThrow(CorruptionError);
  }));
});
