import { describe, expect, it } from 'vitest';
import type { Message } from '../index.ts';
import { chooseParameters, raftConfig } from './parameters.ts';
import { awaitLiveness, formatFailure, heal, LivenessFailure, runSimulation, type RunResult } from './run.ts';
import { Simulation } from './simulation.ts';

/** Seeds the suite runs (RAFT_SEEDS overrides; the soak runs many more). */
const seeds = Number(process.env.RAFT_SEEDS ?? 300);

const safetyProperties = [
  'election safety', 'vote safety', 'log matching', 'leader completeness', 'committed entry changed',
  'state machine safety', 'apply order', 'linearizable read',
];

function runSeeds(first: number, count: number, mutate?: (m: Message) => Message): RunResult[] {
  return Array.from({ length: count }, (_, i) => runSimulation({ seed: first + i, ...(mutate ? { mutate } : {}) }));
}

/** The first failing run among `count` seeds, or undefined. */
function firstFailure(count: number, mutate: (m: Message) => Message): RunResult | undefined {
  for (let seed = 1; seed <= count; seed++) {
    const r = runSimulation({ seed, mutate });
    if (!r.ok) return r;
  }
  return undefined;
}

const ackAll = (m: Message): Message => (m.type === 'appResp' && m.reject ? { ...m, reject: false, rejectHint: 0 } : m);

describe('random simulation', () => {
  it(`keeps every safety invariant and recovers after healing, over ${seeds} seeds`, () => {
    const results = runSeeds(1, seeds);
    const failures = results.filter((r) => !r.ok).map((r) => formatFailure(r));
    expect(failures, failures.join('\n\n')).toEqual([]);
    // The runs must have done real work, or "no violation" means nothing.
    const total = (f: (r: RunResult) => number): number => results.reduce((n, r) => n + f(r), 0);
    expect(total((r) => r.stats.writesApplied)).toBeGreaterThan(seeds * 100);
    expect(total((r) => r.stats.leaderTerms)).toBeGreaterThan(seeds * 2);
    expect(total((r) => r.stats.crashes)).toBeGreaterThan(seeds);
    expect(total((r) => r.stats.snapshotsSent)).toBeGreaterThan(seeds);
    expect(total((r) => r.stats.confChanges)).toBeGreaterThan(seeds / 2);
    expect(total((r) => r.stats.readsServed)).toBeGreaterThan(seeds * 5);
    expect(total((r) => r.stats.checks)).toBeGreaterThan(seeds * 1000);
  });

  it('is a pure function of its seed', () => {
    const a = runSimulation({ seed: 4242, trace: true });
    const b = runSimulation({ seed: 4242, trace: true });
    expect(b.stats).toEqual(a.stats);
    expect(b.trace).toEqual(a.trace);
    expect(runSimulation({ seed: 4243 }).stats).not.toEqual(a.stats);
  });
});

describe('random simulation catches planted bugs', () => {
  it('votes granted that Raft refused break election safety or leader completeness', () => {
    const grantAll = (m: Message): Message =>
      (m.type === 'voteResp' || m.type === 'preVoteResp') && m.reject ? { ...m, reject: false, term: m.term } : m;
    const failed = runSeeds(1, 40, grantAll).filter((r) => !r.ok);
    // The library's own assertions may trip first ('exception'); the checker must catch some.
    expect(failed.filter((r) => safetyProperties.includes(r.failure!.kind)).length).toBeGreaterThan(0);
  });

  it('appends acknowledged that the follower rejected lose committed entries', () => {
    const failed = runSeeds(1, 40, ackAll).filter((r) => !r.ok);
    expect(failed.some((r) => safetyProperties.includes(r.failure!.kind))).toBe(true);
  });

  it('lease reads with drifting clocks (outside the library\'s stated assumption) are caught as stale', () => {
    // config.ts: lease reads are safe only while clocks agree. Replicas that
    // tick at random rates, with paused clocks, break that.
    const overrides = { readOnlyOption: 'leaseBased', checkQuorum: true, tickRate: 0.6, pauseRate: 0.03, readRate: 0.2 } as const;
    let stale: RunResult | undefined;
    for (let seed = 1; seed <= 60 && !stale; seed++) {
      const r = runSimulation({ seed, overrides });
      if (!r.ok) stale = r;
    }
    expect(stale?.failure?.kind).toBe('linearizable read');
  });

  it('a leader that never sends a commit index stalls, and liveness says so', () => {
    const p = chooseParameters(7, { livenessSteps: 150 });
    let broken = false;
    const sim = new Simulation({
      seed: 7, voters: [1, 2, 3], config: raftConfig(p),
      mutate: (m) => (broken && (m.type === 'app' || m.type === 'heartbeat') ? { ...m, commit: 0 } : m),
    });
    for (let i = 0; i < 50; i++) sim.step();
    broken = true;
    heal(sim);
    expect(() => awaitLiveness(sim, p)).toThrow(LivenessFailure);
  });
});

describe('failure reports', () => {
  it('print the parameters, recent events and the line that reproduces the seed', () => {
    const failed = firstFailure(40, ackAll);
    expect(failed).toBeDefined();
    const report = formatFailure(failed!);
    expect(report).toContain(`FAIL seed ${failed!.seed}`);
    expect(report).toContain(`electionTicks=${failed!.parameters.electionTicks}`);
    expect(report).toContain(`reproduce with: npm run soak -- raft --seed=${failed!.seed}`);
    expect(formatFailure(failed!, { steps: 900, voters: 5 })).toContain(`--seed=${failed!.seed} --steps=900 --nodes=5`);
  });
});
