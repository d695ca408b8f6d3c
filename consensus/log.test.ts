import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RaftAssertionError } from './assert.ts';
import { CompactedError } from './errors.ts';
import { RaftLog } from './log.ts';
import { MemoryStorage } from './memory-storage.ts';
import type { Entry } from './types.ts';

function e(index: number, term: number, text = ''): Entry {
  return { index, term, type: 'normal', data: new TextEncoder().encode(text) };
}

/** A log with `stored` persisted and `unstable` appended on top. */
function logOf(stored: Entry[], unstable: Entry[] = [], snapshotAt = 0): { log: RaftLog; storage: MemoryStorage } {
  const storage = new MemoryStorage();
  if (snapshotAt > 0) {
    storage.applySnapshot({ metadata: { index: snapshotAt, term: 1, confState: { voters: [1], votersOutgoing: [], learners: [], learnersNext: [], autoLeave: false } }, data: new Uint8Array() });
  }
  storage.append(stored);
  const log = new RaftLog(storage, Number.MAX_SAFE_INTEGER);
  log.append(unstable);
  return { log, storage };
}

describe('RaftLog', () => {
  it('RaftLog reads terms across storage and the unstable tail', () => {
    const { log } = logOf([e(1, 1), e(2, 1)], [e(3, 2), e(4, 2)]);
    expect(log.firstIndex()).toBe(1);
    expect(log.lastIndex()).toBe(4);
    expect(log.term(0)).toBe(0);
    expect(log.term(2)).toBe(1);
    expect(log.term(4)).toBe(2);
    expect(log.term(5)).toBeUndefined();
    expect(log.lastTerm()).toBe(2);
    expect(log.stableLastIndex()).toBe(2);
  });

  it('RaftLog.slice spans storage and unstable entries, within a byte budget', () => {
    const { log } = logOf([e(1, 1, 'aa'), e(2, 1, 'bb')], [e(3, 2, 'cc'), e(4, 2, 'dd')]);
    expect(log.slice(1, 5, Number.MAX_SAFE_INTEGER).map((x) => x.index)).toEqual([1, 2, 3, 4]);
    expect(log.slice(2, 4, Number.MAX_SAFE_INTEGER).map((x) => x.index)).toEqual([2, 3]);
    // Each entry counts 2 + 24 bytes: 60 bytes hold two.
    expect(log.slice(1, 5, 60).map((x) => x.index)).toEqual([1, 2]);
    expect(log.slice(1, 5, 1).map((x) => x.index)).toEqual([1]);
    expect(log.slice(3, 3, 10)).toEqual([]);
  });

  it('RaftLog.slice throws CompactedError below the first index', () => {
    const { log } = logOf([e(6, 1), e(7, 1)], [], 5);
    expect(log.firstIndex()).toBe(6);
    expect(log.term(5)).toBe(1);
    expect(log.term(4)).toBeUndefined();
    expect(() => log.slice(5, 7, 100)).toThrow(CompactedError);
  });

  it('RaftLog.maybeAppend checks the previous entry, truncates conflicts, clamps the commit index', () => {
    const { log } = logOf([e(1, 1), e(2, 1), e(3, 1)]);
    expect(log.maybeAppend(3, 2, 3, [e(4, 2)])).toBeUndefined();
    expect(log.maybeAppend(5, 1, 3, [])).toBeUndefined();
    expect(log.maybeAppend(1, 1, 10, [e(2, 1), e(3, 2), e(4, 2)])).toBe(4);
    expect(log.term(3)).toBe(2);
    expect(log.committed).toBe(4);
    // A duplicate of entries we hold changes nothing.
    expect(log.maybeAppend(1, 1, 0, [e(2, 1)])).toBe(2);
    expect(log.lastIndex()).toBe(4);
  });

  it('RaftLog never overwrites a committed entry', () => {
    const { log } = logOf([e(1, 1), e(2, 1), e(3, 1)]);
    log.commitTo(3);
    expect(() => log.maybeAppend(1, 1, 3, [e(2, 2)])).toThrow(RaftAssertionError);
  });

  it('RaftLog.findConflictByTerm skips to the last entry of a term at most the given one', () => {
    const { log } = logOf([e(1, 1), e(2, 1), e(3, 2), e(4, 2), e(5, 4), e(6, 4)]);
    expect(log.findConflictByTerm(6, 3)).toEqual({ index: 4, term: 2 });
    expect(log.findConflictByTerm(6, 4)).toEqual({ index: 6, term: 4 });
    expect(log.findConflictByTerm(6, 1)).toEqual({ index: 2, term: 1 });
    expect(log.findConflictByTerm(6, 0)).toEqual({ index: 0, term: 0 });
    expect(log.findConflictByTerm(100, 2)).toEqual({ index: 4, term: 2 });
  });

  it('RaftLog.findConflictByTerm stops at the compacted prefix', () => {
    const { log } = logOf([e(6, 3), e(7, 3)], [], 5);
    expect(log.findConflictByTerm(7, 2)).toEqual({ index: 5, term: 1 });
    expect(log.findConflictByTerm(7, 0)).toEqual({ index: 4, term: 0 });
  });

  it('RaftLog.maybeCommit commits only entries of the given term', () => {
    const { log } = logOf([e(1, 1), e(2, 2)]);
    expect(log.maybeCommit(1, 2)).toBe(false);
    expect(log.maybeCommit(2, 2)).toBe(true);
    expect(log.committed).toBe(2);
  });

  it('RaftLog hands committed entries out once, after the applying mark', () => {
    const { log } = logOf([e(1, 1), e(2, 1), e(3, 1)]);
    log.commitTo(2);
    expect(log.nextCommittedEntries().map((x) => x.index)).toEqual([1, 2]);
    log.applyingTo(2);
    expect(log.hasNextCommittedEntries()).toBe(false);
    log.commitTo(3);
    expect(log.nextCommittedEntries().map((x) => x.index)).toEqual([3]);
    log.appliedTo(3);
    expect(log.applied).toBe(3);
    expect(() => log.appliedTo(2)).toThrow(RaftAssertionError);
  });

  it('RaftLog.restore jumps to a snapshot and hands nothing out until it is persisted', () => {
    const { log } = logOf([e(1, 1), e(2, 1)]);
    log.restore({ metadata: { index: 10, term: 3, confState: { voters: [1], votersOutgoing: [], learners: [], learnersNext: [], autoLeave: false } }, data: new Uint8Array() });
    expect(log.firstIndex()).toBe(11);
    expect(log.lastIndex()).toBe(10);
    expect(log.committed).toBe(10);
    expect(log.term(10)).toBe(3);
    expect(log.hasNextCommittedEntries()).toBe(false);
  });

  it('RaftLog matches a model log under random appends and conflicts (property)', () => {
    const op = fc.record({ back: fc.nat(4), count: fc.integer({ min: 1, max: 4 }), bump: fc.boolean(), persist: fc.boolean() });
    fc.assert(fc.property(fc.array(op, { maxLength: 30 }), (ops) => {
      const { log, storage } = logOf([]);
      let model: number[] = [];
      let term = 1;
      for (const o of ops) {
        if (o.bump) term++;
        const from = Math.max(log.committed + 1, model.length + 1 - o.back);
        const entries = Array.from({ length: o.count }, (_, i) => e(from + i, term));
        log.append(entries);
        model = model.slice(0, from - 1).concat(entries.map(() => term));
        if (o.persist) {
          const unstable = log.unstableEntries();
          storage.append(unstable);
          const last = unstable[unstable.length - 1];
          if (last) log.stableTo(last.index, last.term);
        }
        expect(log.lastIndex()).toBe(model.length);
        for (let i = 1; i <= model.length; i++) expect(log.term(i)).toBe(model[i - 1]);
        log.commitTo(Math.min(model.length, log.committed + 1));
      }
    }));
  });
});
