import { describe, expect, it } from 'vitest';
import { RaftAssertionError } from './assert.ts';
import { Unstable } from './log-unstable.ts';
import type { Entry, Snapshot } from './types.ts';

function e(index: number, term: number): Entry {
  return { index, term, type: 'normal', data: new Uint8Array() };
}

function snap(index: number, term: number): Snapshot {
  return { metadata: { index, term, confState: { voters: [1], votersOutgoing: [], learners: [], learnersNext: [], autoLeave: false } }, data: new Uint8Array() };
}

function ids(u: Unstable): string[] {
  return u.entries.map((x) => `${x.index}/${x.term}`);
}

describe('Unstable', () => {
  it('Unstable.truncateAndAppend appends, replaces a suffix, or replaces everything', () => {
    const u = new Unstable(5);
    u.truncateAndAppend([e(5, 1), e(6, 1), e(7, 1)]);
    expect(ids(u)).toEqual(['5/1', '6/1', '7/1']);
    u.truncateAndAppend([e(8, 1)]);
    expect(ids(u)).toEqual(['5/1', '6/1', '7/1', '8/1']);
    u.truncateAndAppend([e(7, 2), e(8, 2)]);
    expect(ids(u)).toEqual(['5/1', '6/1', '7/2', '8/2']);
    u.truncateAndAppend([e(4, 3)]);
    expect(u.offset).toBe(4);
    expect(ids(u)).toEqual(['4/3']);
  });

  it('Unstable.truncateAndAppend refuses a gap', () => {
    const u = new Unstable(5);
    u.truncateAndAppend([e(5, 1)]);
    expect(() => u.truncateAndAppend([e(7, 1)])).toThrow(RaftAssertionError);
  });

  it('Unstable.maybeTerm knows its entries and its snapshot', () => {
    const u = new Unstable(5);
    u.restore(snap(4, 2));
    u.truncateAndAppend([e(5, 2), e(6, 3)]);
    expect(u.maybeTerm(4)).toBe(2);
    expect(u.maybeTerm(6)).toBe(3);
    expect(u.maybeTerm(3)).toBeUndefined();
    expect(u.maybeTerm(7)).toBeUndefined();
    expect(u.maybeFirstIndex()).toBe(5);
    expect(u.maybeLastIndex()).toBe(6);
  });

  it('Unstable.stableTo drops persisted entries, unless the term moved on', () => {
    const u = new Unstable(5);
    u.truncateAndAppend([e(5, 1), e(6, 1), e(7, 1)]);
    u.stableTo(6, 2);
    expect(u.offset).toBe(5);
    u.stableTo(6, 1);
    expect(u.offset).toBe(7);
    expect(ids(u)).toEqual(['7/1']);
    u.stableTo(4, 1);
    expect(u.offset).toBe(7);
    u.stableTo(7, 1);
    expect(u.entries).toEqual([]);
    expect(u.maybeLastIndex()).toBeUndefined();
  });

  it('Unstable.stableSnapTo forgets only the matching snapshot', () => {
    const u = new Unstable(1);
    u.restore(snap(9, 2));
    u.stableSnapTo(8);
    expect(u.snapshot).toBeDefined();
    u.stableSnapTo(9);
    expect(u.snapshot).toBeUndefined();
  });

  it('Unstable.slice stays within its entries', () => {
    const u = new Unstable(5);
    u.truncateAndAppend([e(5, 1), e(6, 1)]);
    expect(u.slice(5, 7).map((x) => x.index)).toEqual([5, 6]);
    expect(() => u.slice(4, 6)).toThrow(RaftAssertionError);
    expect(() => u.slice(5, 8)).toThrow(RaftAssertionError);
  });
});
