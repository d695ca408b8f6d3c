import { describe, expect, it } from 'vitest';
import type { ConfState, Entry, Ready } from '../index.ts';
import { SimDisk } from './disk.ts';
import { applyEntry, chainHash, decodeMachine, encodeMachine, entryDigest, initialMachine } from './state-machine.ts';

const conf: ConfState = { voters: [1, 2, 3], votersOutgoing: [], learners: [], learnersNext: [], autoLeave: false };
const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);
const entry = (index: number, term: number, data = `e${index}`): Entry => ({ index, term, type: 'normal', data: bytes(data) });

function ready(fields: Partial<Ready>): Ready {
  return { readStates: [], entries: [], committedEntries: [], messages: [], mustSync: false, ...fields };
}

describe('state machine', () => {
  it('entryDigest tells entries apart by term, type and data', () => {
    const base = entryDigest(entry(1, 1, 'a'));
    expect(entryDigest(entry(9, 1, 'a'))).toBe(base);
    expect(entryDigest(entry(1, 2, 'a'))).not.toBe(base);
    expect(entryDigest(entry(1, 1, 'b'))).not.toBe(base);
    expect(entryDigest({ ...entry(1, 1, 'a'), type: 'confChange' })).not.toBe(base);
    expect(Number.isSafeInteger(base)).toBe(true);
  });

  it('the hash chain depends on every entry of the prefix', () => {
    const run = (datas: string[]): number => datas.reduce((m, d, i) => applyEntry(m, entry(i + 1, 1, d), conf), initialMachine(conf, 0)).hash;
    expect(run(['a', 'b', 'c'])).toBe(run(['a', 'b', 'c']));
    expect(run(['x', 'b', 'c'])).not.toBe(run(['a', 'b', 'c']));
    expect(run(['b', 'a', 'c'])).not.toBe(run(['a', 'b', 'c']));
    expect(chainHash(0, 1, 5)).not.toBe(chainHash(0, 2, 5));
  });

  it('snapshot data round-trips and refuses damage', () => {
    const m = applyEntry(applyEntry(initialMachine(conf, 0), entry(1, 1), conf), entry(2, 1), conf);
    const data = encodeMachine(m);
    expect(decodeMachine(data, conf)).toEqual(m);
    const damaged = data.slice();
    damaged[damaged.length - 1]! ^= 1;
    expect(() => decodeMachine(damaged, conf)).toThrow(/corrupt/);
    expect(() => decodeMachine(data.subarray(0, data.length - 1), conf)).toThrow();
    expect(() => decodeMachine(new Uint8Array(40), conf)).toThrow(/magic/);
  });
});

describe('SimDisk', () => {
  it('bootstraps members at index 1 with the configuration', () => {
    const d = SimDisk.bootstrap(conf);
    expect(d.firstIndex()).toBe(2);
    expect(d.lastIndex()).toBe(1);
    expect(d.initialState()).toEqual({ hardState: { term: 1, vote: 0, commit: 1 }, confState: conf });
    expect(SimDisk.empty().lastIndex()).toBe(0);
  });

  it('loses an unsynced commit index on a crash that loses unsynced writes, keeps synced state', () => {
    const d = SimDisk.bootstrap(conf);
    d.persist(ready({ entries: [entry(2, 2), entry(3, 2)], hardState: { term: 2, vote: 1, commit: 1 }, mustSync: true }));
    d.persist(ready({ hardState: { term: 2, vote: 1, commit: 3 } }));
    expect(d.hardState.commit).toBe(3);
    d.crash(true);
    expect(d.hardState).toEqual({ term: 2, vote: 1, commit: 1 });
    expect(d.lastIndex()).toBe(3);
  });

  it('keeps an unsynced write that reached the disk, and a later sync flushes it', () => {
    const d = SimDisk.bootstrap(conf);
    d.persist(ready({ hardState: { term: 1, vote: 0, commit: 1 }, mustSync: true }));
    d.persist(ready({ entries: [entry(2, 1)], hardState: { term: 1, vote: 0, commit: 1 }, mustSync: true }));
    d.persist(ready({ hardState: { term: 1, vote: 0, commit: 2 } }));
    d.persist(ready({ entries: [entry(3, 1)], mustSync: true }));
    d.crash(true);
    expect(d.hardState.commit).toBe(2);
    d.persist(ready({ hardState: { term: 1, vote: 0, commit: 3 } }));
    d.crash(false);
    expect(d.hardState.commit).toBe(3);
  });

  it('applies durably, snapshots on demand and compacts behind the applied index', () => {
    const d = SimDisk.bootstrap(conf);
    const log = [entry(2, 1), entry(3, 1), entry(4, 1)];
    d.persist(ready({ entries: log, hardState: { term: 1, vote: 0, commit: 4 }, mustSync: true }));
    for (const e of log.slice(0, 2)) d.apply(e, conf);
    expect(d.machine.applied).toBe(3);
    const snap = d.snapshot();
    expect(snap.metadata.index).toBe(3);
    expect(decodeMachine(snap.data, conf)).toEqual(d.machine);
    expect(d.compact(4)).toBe(false);
    expect(d.compact(3)).toBe(true);
    expect(d.firstIndex()).toBe(4);
    expect(d.entries(4, 5, Infinity)).toEqual([log[2]]);
  });

  it('installs a snapshot: log and state machine replaced', () => {
    const leader = SimDisk.bootstrap(conf);
    const log = [entry(2, 1), entry(3, 1)];
    leader.persist(ready({ entries: log, mustSync: true }));
    for (const e of log) leader.apply(e, conf);
    const snap = leader.snapshot();
    const fresh = SimDisk.empty();
    const installed = fresh.persist(ready({ snapshot: snap, hardState: { term: 1, vote: 0, commit: 3 }, mustSync: true }));
    expect(installed).toEqual(leader.machine);
    expect(fresh.machine).toEqual(leader.machine);
    expect(fresh.firstIndex()).toBe(4);
    expect(fresh.initialState().confState).toEqual(conf);
  });
});
