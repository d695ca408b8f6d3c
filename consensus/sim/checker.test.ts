import { describe, expect, it } from 'vitest';
import type { ConfState, Entry, HardState, Message, Ready } from '../index.ts';
import { InvariantChecker, InvariantViolation, type LogView } from './checker.ts';
import { applyEntry, initialMachine, type MachineState } from './state-machine.ts';

const conf: ConfState = { voters: [1, 2, 3], votersOutgoing: [], learners: [], learnersNext: [], autoLeave: false };
const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);

function entry(index: number, term: number, data = `e${index}`): Entry {
  return { index, term, type: 'normal', data: bytes(data) };
}

/** A log view over an array of entries starting at `first` (with `snapTerm` at first - 1). */
function logOf(entries: Entry[], first = 1, snapTerm = 0): LogView {
  return {
    firstIndex: () => first,
    lastIndex: () => first + entries.length - 1,
    entry: (i) => entries[i - first],
    term: (i) => (i === first - 1 ? snapTerm : entries[i - first]?.term),
  };
}

function ready(fields: Partial<Ready>): Ready {
  return { readStates: [], entries: [], committedEntries: [], messages: [], mustSync: false, ...fields };
}

function hs(term: number, vote: number, commit: number): HardState {
  return { term, vote, commit };
}

/** Applies `entries` on replica `id` in order, from the state `from`, returning the final state. */
function applyAll(c: InvariantChecker, id: number, entries: Entry[], from: MachineState = initialMachine(conf, 0)): MachineState {
  let m = from;
  for (const e of entries) {
    m = applyEntry(m, e, conf);
    c.applied(id, e, m);
  }
  return m;
}

function violation(fn: () => void): InvariantViolation {
  try {
    fn();
  } catch (error) {
    if (error instanceof InvariantViolation) return error;
    throw error;
  }
  throw new Error('expected an invariant violation');
}

describe('InvariantChecker accepts a correct history', () => {
  it('three replicas replicating, committing and applying one log', () => {
    const c = new InvariantChecker();
    const log = [entry(1, 1), entry(2, 1), entry(3, 2)];
    for (const id of [1, 2, 3]) c.started(id, hs(0, 0, 0), initialMachine(conf, 0));
    c.leader(1, 1);
    c.leader(1, 1);
    for (const id of [1, 2, 3]) {
      c.persisted(id, ready({ entries: log, hardState: hs(2, 1, 3), mustSync: true }), logOf(log));
      applyAll(c, id, log);
    }
    c.leader(2, 2);
    c.leaderLog(2, 2, logOf(log));
    c.leader(3, 3);
    c.leaderLog(3, 3, logOf([...log, entry(4, 3)]));
    const context = 'r1';
    expect(c.readRequested(context)).toBe(3);
    c.readServed(1, { context, index: 3 }, 3);
    expect(c.readsServed).toBe(1);
    expect(c.checks).toBeGreaterThan(10);
  });
});

describe('InvariantChecker election safety', () => {
  it('flags two leaders in one term', () => {
    const c = new InvariantChecker();
    c.leader(1, 5);
    c.leader(2, 6);
    expect(violation(() => c.leader(2, 5)).property).toBe('election safety');
  });
});

describe('InvariantChecker votes and durability', () => {
  it('flags a replica that votes twice in one term', () => {
    const c = new InvariantChecker();
    c.persisted(1, ready({ hardState: hs(3, 2, 0), mustSync: true }), logOf([]));
    expect(violation(() => c.persisted(1, ready({ hardState: hs(3, 3, 0), mustSync: true }), logOf([]))).property)
      .toBe('vote safety');
  });

  it('flags a term that goes back', () => {
    const c = new InvariantChecker();
    c.persisted(1, ready({ hardState: hs(4, 0, 0), mustSync: true }), logOf([]));
    expect(violation(() => c.persisted(1, ready({ hardState: hs(3, 0, 0), mustSync: true }), logOf([]))).property)
      .toBe('vote safety');
  });

  it('flags a vote or entries persisted without a sync', () => {
    const c = new InvariantChecker();
    c.persisted(1, ready({ hardState: hs(2, 0, 0), mustSync: true }), logOf([]));
    expect(violation(() => c.persisted(1, ready({ hardState: hs(2, 3, 0) }), logOf([]))).property).toBe('durability');
    expect(violation(() => c.persisted(2, ready({ entries: [entry(1, 1)] }), logOf([entry(1, 1)]))).property).toBe('durability');
  });

  it('flags a restart that lost a synced vote', () => {
    const c = new InvariantChecker();
    c.persisted(1, ready({ hardState: hs(2, 1, 0), mustSync: true }), logOf([]));
    expect(violation(() => c.started(1, hs(2, 0, 0), initialMachine(conf, 0))).property).toBe('durability');
  });

  it('flags an acknowledgement or a vote granted before it is on disk', () => {
    const c = new InvariantChecker();
    const base = { from: 2, to: 1, term: 3, index: 0, logTerm: 0, entries: [], commit: 0, reject: false, rejectHint: 0 };
    const disk = { hardState: hs(3, 1, 1), log: logOf([entry(1, 1), entry(2, 3)]) };
    c.answered(2, { ...base, type: 'appResp', index: 2 }, disk);
    c.answered(2, { ...base, type: 'appResp', index: 9, reject: true }, disk);
    c.answered(2, { ...base, type: 'appResp', index: 5, term: 2 }, disk); // a newer term replaced it
    c.answered(2, { ...base, type: 'voteResp' }, disk);
    c.answered(2, { ...base, type: 'voteResp', term: 2, to: 4 }, disk); // term 3 on disk: term 2 is closed
    expect(violation(() => c.answered(2, { ...base, type: 'appResp', index: 3 }, disk)).property).toBe('durability');
    expect(violation(() => c.answered(2, { ...base, type: 'voteResp', to: 4 }, disk)).property).toBe('durability');
    expect(violation(() => c.answered(2, { ...base, type: 'voteResp', term: 4 }, disk)).property).toBe('durability');
  });

  it('flags a commit index beyond the durable log', () => {
    const c = new InvariantChecker();
    expect(violation(() => c.persisted(1, ready({ hardState: hs(1, 0, 2), mustSync: true }), logOf([entry(1, 1)]))).property)
      .toBe('durability');
  });
});

describe('InvariantChecker log matching', () => {
  it('flags two different entries at one index and term', () => {
    const c = new InvariantChecker();
    c.persisted(1, ready({ entries: [entry(1, 1, 'a')], mustSync: true }), logOf([entry(1, 1, 'a')]));
    const bad = [entry(1, 1, 'b')];
    expect(violation(() => c.persisted(2, ready({ entries: bad, mustSync: true }), logOf(bad))).property).toBe('log matching');
  });

  it('flags equal entries whose predecessors differ', () => {
    const c = new InvariantChecker();
    const a = [entry(1, 1), entry(2, 2, 'x')];
    const b = [entry(1, 2, 'other'), entry(2, 2, 'x')];
    c.persisted(1, ready({ entries: a, mustSync: true }), logOf(a));
    const append: Message = {
      type: 'app', from: 2, to: 3, term: 2, index: 1, logTerm: 2, entries: [entry(2, 2, 'x')], commit: 0, reject: false, rejectHint: 0,
    };
    expect(violation(() => c.sent(append)).message).toMatch(/follows term 2/);
    expect(() => c.persisted(3, ready({ entries: b, mustSync: true }), logOf(b))).toThrow(InvariantViolation);
  });
});

describe('InvariantChecker leader completeness and committed entries', () => {
  it('flags a leader of a later term that lacks a committed entry', () => {
    const c = new InvariantChecker();
    const log = [entry(1, 1), entry(2, 1)];
    c.persisted(1, ready({ entries: log, hardState: hs(1, 1, 2), mustSync: true }), logOf(log));
    // Replica 3 never got entry 2 and wins term 2 anyway.
    const short = [entry(1, 1), entry(2, 2, 'new')];
    expect(violation(() => c.leaderLog(3, 2, logOf(short))).property).toBe('leader completeness');
    expect(violation(() => c.leaderLog(4, 2, logOf([entry(1, 1)]))).message).toMatch(/lacks entry 2\/1/);
  });

  it('does not hold a leader of the committing term or earlier to it', () => {
    const c = new InvariantChecker();
    const log = [entry(1, 1), entry(2, 3)];
    c.persisted(1, ready({ entries: log, hardState: hs(3, 1, 2), mustSync: true }), logOf(log));
    c.leaderLog(2, 3, logOf([entry(1, 1)]));
    c.leaderLog(2, 2, logOf([]));
  });

  it('checks entries learned committed after a leader was already checked', () => {
    const c = new InvariantChecker();
    c.leaderLog(5, 4, logOf([entry(1, 1)]));
    const log = [entry(1, 1), entry(2, 2)];
    c.persisted(1, ready({ entries: log, hardState: hs(2, 0, 2), mustSync: true }), logOf(log));
    expect(violation(() => c.leaderLog(5, 4, logOf([entry(1, 1)]))).property).toBe('leader completeness');
  });

  it('flags a committed entry that a replica later holds differently (a lost committed entry)', () => {
    const c = new InvariantChecker();
    const log = [entry(1, 1), entry(2, 1, 'acked')];
    c.persisted(1, ready({ entries: log, hardState: hs(1, 0, 2), mustSync: true }), logOf(log));
    const rewritten = [entry(1, 1), entry(2, 2, 'replacement')];
    const rd = ready({ entries: [rewritten[1]!], hardState: hs(2, 0, 2), mustSync: true });
    expect(violation(() => c.persisted(2, rd, logOf(rewritten))).property).toBe('committed entry changed');
  });
});

describe('InvariantChecker state machine', () => {
  it('flags divergent entries applied at one index', () => {
    const c = new InvariantChecker();
    applyAll(c, 1, [entry(1, 1, 'a')]);
    expect(violation(() => applyAll(c, 2, [entry(1, 1, 'b')])).property).toMatch(/state machine safety|committed entry changed/);
  });

  it('flags replicas whose states differ after the same index (divergent prefixes)', () => {
    const c = new InvariantChecker();
    applyAll(c, 1, [entry(1, 1, 'a'), entry(2, 1, 'b')]);
    // Replica 2 reaches index 2 from a different state (as if it skipped or reordered something).
    const other = applyEntry(initialMachine(conf, 0), entry(1, 1, 'z'), conf);
    expect(violation(() => c.started(2, hs(1, 0, 1), other)).property).toBe('state machine safety');
  });

  it('flags an entry applied twice, or out of order', () => {
    const c = new InvariantChecker();
    const m = applyAll(c, 1, [entry(1, 1), entry(2, 1)]);
    expect(violation(() => c.applied(1, entry(2, 1), m)).message).toMatch(/applied 2 again/);
    expect(violation(() => c.applied(1, entry(4, 1), applyEntry(m, entry(4, 1), conf))).message).toMatch(/out of order/);
  });

  it('flags re-applying at or below the applied index after a restart', () => {
    const c = new InvariantChecker();
    const m = applyAll(c, 1, [entry(1, 1), entry(2, 1), entry(3, 1)]);
    c.started(1, hs(1, 0, 3), m);
    const before = applyAll(new InvariantChecker(), 7, [entry(1, 1), entry(2, 1)]);
    expect(violation(() => c.applied(1, entry(3, 1), applyEntry(before, entry(3, 1), conf))).property).toBe('apply order');
  });

  it('flags a snapshot that moves the state machine backwards', () => {
    const c = new InvariantChecker();
    const m = applyAll(c, 1, [entry(1, 1), entry(2, 1)]);
    const older = applyAll(new InvariantChecker(), 2, [entry(1, 1)]);
    expect(violation(() => c.snapshotInstalled(1, older)).property).toBe('apply order');
    c.snapshotInstalled(3, m);
  });
});

describe('InvariantChecker ReadIndex', () => {
  it('flags a read served below what was committed when it was requested', () => {
    const c = new InvariantChecker();
    applyAll(c, 1, [entry(1, 1), entry(2, 1), entry(3, 1)]);
    c.readRequested('stale');
    expect(violation(() => c.readServed(2, { context: 'stale', index: 2 }, 2)).property).toBe('linearizable read');
  });

  it('flags a read served before the replica applied its index', () => {
    const c = new InvariantChecker();
    c.readRequested('early');
    expect(violation(() => c.readServed(2, { context: 'early', index: 4 }, 3)).message).toMatch(/before applying/);
  });

  it('counts commit indexes seen in hard states, not only applied entries', () => {
    const c = new InvariantChecker();
    const log = [entry(1, 1), entry(2, 1)];
    c.persisted(1, ready({ entries: log, hardState: hs(1, 0, 2), mustSync: true }), logOf(log));
    c.readRequested('r');
    expect(() => c.readServed(3, { context: 'r', index: 1 }, 1)).toThrow(InvariantViolation);
  });
});
