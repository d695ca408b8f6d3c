import { describe, expect, it } from 'vitest';
import { RaftAssertionError } from './assert.ts';
import { CompactedError, SnapshotOutOfDateError, UnavailableError } from './errors.ts';
import { MemoryStorage } from './memory-storage.ts';
import type { ConfState, Entry } from './types.ts';

const cs: ConfState = { voters: [1, 2, 3], votersOutgoing: [], learners: [], learnersNext: [], autoLeave: false };

function e(index: number, term: number, text = 'x'): Entry {
  return { index, term, type: 'normal', data: new TextEncoder().encode(text) };
}

describe('MemoryStorage', () => {
  it('MemoryStorage starts empty with the given configuration', () => {
    const s = new MemoryStorage(cs);
    expect(s.firstIndex()).toBe(1);
    expect(s.lastIndex()).toBe(0);
    expect(s.term(0)).toBe(0);
    expect(s.initialState().confState).toEqual(cs);
    expect(s.entries(1, 1, 100)).toEqual([]);
  });

  it('MemoryStorage.append truncates a conflicting suffix and skips compacted entries', () => {
    const s = new MemoryStorage(cs);
    s.append([e(1, 1), e(2, 1), e(3, 1)]);
    s.append([e(2, 2)]);
    expect(s.lastIndex()).toBe(2);
    expect(s.term(2)).toBe(2);
    s.append([e(3, 2), e(4, 2)]);
    s.createSnapshot(3, cs, new Uint8Array([1]));
    s.compact(3);
    s.append([e(2, 2), e(3, 2), e(4, 2), e(5, 2)]);
    expect(s.firstIndex()).toBe(4);
    expect(s.lastIndex()).toBe(5);
    expect(() => s.append([e(9, 2)])).toThrow(RaftAssertionError);
  });

  it('MemoryStorage.entries and term throw outside the log', () => {
    const s = new MemoryStorage(cs);
    s.append([e(1, 1), e(2, 1), e(3, 1), e(4, 1)]);
    s.createSnapshot(2, cs, new Uint8Array());
    s.compact(2);
    expect(s.term(2)).toBe(1);
    expect(() => s.term(1)).toThrow(CompactedError);
    expect(() => s.term(5)).toThrow(UnavailableError);
    expect(() => s.entries(2, 4, 100)).toThrow(CompactedError);
    expect(() => s.entries(3, 6, 100)).toThrow(UnavailableError);
    expect(s.entries(3, 5, 1).map((x) => x.index)).toEqual([3]);
    expect(s.entries(3, 5, 1000).map((x) => x.index)).toEqual([3, 4]);
  });

  it('MemoryStorage snapshots only move forward', () => {
    const s = new MemoryStorage(cs);
    s.append([e(1, 1), e(2, 2)]);
    const snap = s.createSnapshot(2, cs, new Uint8Array([7]));
    expect(snap.metadata).toEqual({ index: 2, term: 2, confState: cs });
    expect(() => s.createSnapshot(1, cs, new Uint8Array())).toThrow(SnapshotOutOfDateError);
    expect(() => s.applySnapshot({ metadata: { index: 1, term: 1, confState: cs }, data: new Uint8Array() })).toThrow(SnapshotOutOfDateError);
    s.applySnapshot({ metadata: { index: 10, term: 3, confState: cs }, data: new Uint8Array() });
    expect(s.firstIndex()).toBe(11);
    expect(s.lastIndex()).toBe(10);
    expect(s.term(10)).toBe(3);
  });

  it('MemoryStorage.compact refuses what is already compacted or beyond the log', () => {
    const s = new MemoryStorage(cs);
    s.append([e(1, 1), e(2, 1)]);
    s.compact(1);
    expect(() => s.compact(1)).toThrow(CompactedError);
    expect(() => s.compact(5)).toThrow(RaftAssertionError);
  });
});

describe('MemoryStorage configuration', () => {
  it('MemoryStorage.initialState returns the configuration the host applied last', () => {
    const s = new MemoryStorage(cs);
    const next: ConfState = { ...cs, voters: [1, 2, 3, 4] };
    s.setConfState(next);
    expect(s.initialState().confState).toEqual(next);
    const snapCs: ConfState = { ...cs, voters: [5] };
    s.applySnapshot({ metadata: { index: 3, term: 1, confState: snapCs }, data: new Uint8Array() });
    expect(s.initialState().confState).toEqual(snapCs);
  });
});
