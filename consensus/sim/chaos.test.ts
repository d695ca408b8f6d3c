import { describe, expect, it } from 'vitest';
import { runChaos } from './chaos.ts';
import { InvariantChecker, InvariantViolation } from './invariants.ts';

describe('randomized simulation', () => {
  it('keeps every safety invariant and stays live over many seeds', () => {
    const seeds = Number(process.env.RAFT_SEEDS ?? 300);
    const failures: string[] = [];
    let committed = 0;
    for (let seed = 1; seed <= seeds; seed++) {
      const r = runChaos({ seed });
      committed += r.committed;
      if (!r.ok) failures.push(`seed ${seed} ${JSON.stringify(r.parameters)}: ${r.error}\n  reproduce with: npm run soak -- raft --seed=${seed}`);
    }
    expect(failures, failures.join('\n')).toEqual([]);
    expect(committed).toBeGreaterThan(seeds * 10);
  });

  it('is a pure function of its seed', () => {
    expect(runChaos({ seed: 42 })).toEqual(runChaos({ seed: 42 }));
  });
});

describe('invariant checker', () => {
  it('flags two leaders in one term', () => {
    const c = new InvariantChecker();
    c.leaderElected(1, 5);
    expect(() => c.leaderElected(2, 5)).toThrow(InvariantViolation);
  });

  it('flags divergent entries applied at one index', () => {
    const c = new InvariantChecker();
    c.restarted(1, 0);
    c.restarted(2, 0);
    c.applied(1, 1, 1, 'a');
    expect(() => c.applied(2, 1, 1, 'b')).toThrow(/state machine safety/);
  });

  it('flags an entry applied twice or out of order', () => {
    const c = new InvariantChecker();
    c.restarted(1, 0);
    c.applied(1, 1, 1, 'a');
    expect(() => c.applied(1, 1, 1, 'a')).toThrow(/apply order/);
    expect(() => c.applied(1, 3, 1, 'c')).toThrow(/apply order/);
  });

  it('flags a stale ReadIndex', () => {
    const c = new InvariantChecker();
    expect(() => c.readServed('r', 3, 5)).toThrow(/linearizable read/);
  });

  it('flags a leader that lacks a committed entry', () => {
    const c = new InvariantChecker();
    c.restarted(1, 0);
    c.leaderElected(1, 1);
    c.applied(1, 1, 1, 'a');
    const storage = { firstIndex: () => 1, lastIndex: () => 0, term: () => 0, entries: () => [] };
    const view = { nodes: new Map([[2, { storage, raw: { status: () => ({ role: 'leader', term: 2, commit: 0 }) } }]]) };
    expect(() => c.checkStep(view as never)).toThrow(/leader completeness/);
  });
});
