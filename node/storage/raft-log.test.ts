import { describe, expect, it } from 'vitest';
import { CorruptionError, InvalidArgumentError } from './errors.ts';
import { raftEntryBytesMax } from './limits.ts';
import { RaftLogStore, type LogEntry } from './raft-log.ts';
import { withEngine } from './test-util.test-helper.ts';
import { raftHardStateKey } from '../keys/index.ts';

const entry = (index: number, term: number, text = `e${index}`): LogEntry => ({ index, term, data: Buffer.from(text) });

describe('RaftLogStore', () => {
  it('appends, overwrites a conflicting suffix and reads back', () => withEngine(async (engine) => {
    const log = new RaftLogStore(engine);
    let batch = engine.newBatch();
    log.appendEntries(batch, 7, [1, 2, 3, 4, 5].map((i) => entry(i, 1)), 0);
    await batch.commit({ sync: true });
    expect(await log.lastIndex(7)).toBe(5);
    batch = engine.newBatch();
    log.appendEntries(batch, 7, [entry(3, 2, 'new3')], 5);
    await batch.commit({ sync: true });
    expect(await log.lastIndex(7)).toBe(3);
    expect(log.entries(7, 1, 4).map((e) => [e.index, e.term, Buffer.from(e.data).toString()])).toEqual([
      [1, 1, 'e1'], [2, 1, 'e2'], [3, 2, 'new3'],
    ]);
    expect(log.term(7, 3)).toBe(2);
    expect(log.entry(7, 4)).toBeUndefined();
    // Other ranges are untouched.
    expect(await log.lastIndex(8)).toBe(0);
  }));

  it('limits reads by bytes but always returns one entry', () => withEngine(async (engine) => {
    const log = new RaftLogStore(engine);
    const batch = engine.newBatch();
    log.appendEntries(batch, 1, [1, 2, 3].map((i) => entry(i, 1, 'x'.repeat(100))), 0);
    await batch.commit({ sync: false });
    expect(log.entries(1, 1, 4, 150)).toHaveLength(1);
    expect(log.entries(1, 1, 4, 10)).toHaveLength(1);
    expect(log.entries(1, 1, 4, 250)).toHaveLength(2);
    expect(() => log.entries(1, 1, 5)).toThrow(CorruptionError);
  }));

  it('truncates a prefix and remembers the truncated term', () => withEngine(async (engine) => {
    const log = new RaftLogStore(engine);
    let batch = engine.newBatch();
    log.appendEntries(batch, 2, [1, 2, 3, 4].map((i) => entry(i, i < 3 ? 1 : 2)), 0);
    await batch.commit({ sync: false });
    batch = engine.newBatch();
    log.truncatePrefix(batch, 2, { index: 3, term: 2 }, log.firstIndex(2));
    await batch.commit({ sync: false });
    expect(log.firstIndex(2)).toBe(4);
    expect(log.term(2, 3)).toBe(2);
    expect(log.entry(2, 2)).toBeUndefined();
    expect(await log.lastIndex(2)).toBe(4);
    batch = engine.newBatch();
    log.truncatePrefix(batch, 2, { index: 4, term: 2 }, log.firstIndex(2));
    await batch.commit({ sync: false });
    expect(await log.lastIndex(2)).toBe(4);
  }));

  it('stores hard state and applied state, and destroys a range log', () => withEngine(async (engine) => {
    const log = new RaftLogStore(engine);
    expect(log.hardState(3)).toEqual({ term: 0, vote: 0, commit: 0 });
    let batch = engine.newBatch();
    log.setHardState(batch, 3, { term: 5, vote: 2, commit: 17 });
    log.setAppliedState(batch, 3, { appliedIndex: 16, data: Buffer.from('lease') });
    log.appendEntries(batch, 3, [entry(1, 1)], 0);
    await batch.commit({ sync: true });
    expect(log.hardState(3)).toEqual({ term: 5, vote: 2, commit: 17 });
    expect(log.appliedState(3).appliedIndex).toBe(16);
    expect(Buffer.from(log.appliedState(3).data).toString()).toBe('lease');
    batch = engine.newBatch();
    await log.destroy(batch, 3);
    await batch.commit({ sync: true });
    expect(log.hardState(3)).toEqual({ term: 0, vote: 0, commit: 0 });
    expect(await log.lastIndex(3)).toBe(0);
  }));

  it('rejects bad input and detects corrupt state', () => withEngine(async (engine) => {
    const log = new RaftLogStore(engine);
    const batch = engine.newBatch();
    expect(() => log.appendEntries(batch, 1, [entry(1, 1), entry(3, 1)], 0)).toThrow(InvalidArgumentError);
    expect(() => log.appendEntries(batch, 1, [{ index: 1, term: 1, data: { length: raftEntryBytesMax + 1 } as Uint8Array }], 0)).toThrow(InvalidArgumentError);
    await engine.db.put(raftHardStateKey(9), Buffer.from([1, 2, 3]));
    expect(() => log.hardState(9)).toThrow(CorruptionError);
  }));
});
