/**
 * Scenarios behind bugs the simulator found in the Raft library, kept as
 * scripted regressions (the random runs reach them only rarely). Each
 * failed before its fix.
 */
import { describe, expect, it } from 'vitest';
import { chooseParameters, raftConfig } from './parameters.ts';
import { Simulation } from './simulation.ts';

interface Setup {
  readonly earlySend?: boolean;
  readonly diskDelayMin?: number;
  readonly heartbeatTicks?: number;
}

function cluster(voters: number[], learners: number[], setup: Setup = {}): Simulation {
  const config = {
    ...raftConfig(chooseParameters(1)), electionTicks: 10, heartbeatTicks: setup.heartbeatTicks ?? 1, checkQuorum: true, preVote: true,
  };
  return new Simulation({
    seed: 1, voters, learners, config, earlySend: setup.earlySend ?? false, diskDelayMin: setup.diskDelayMin ?? 0,
  });
}

function stepUntil(sim: Simulation, done: () => boolean, steps: number): boolean {
  for (let i = 0; i < steps; i++) {
    if (done()) return true;
    sim.step();
  }
  return done();
}

/** Elects replica 1 and lets the group settle. */
function electOne(sim: Simulation): void {
  sim.campaign(1);
  expect(stepUntil(sim, () => sim.leader() === 1, 50)).toBe(true);
  for (let i = 0; i < 5; i++) sim.step();
}

describe('a leader that removes or demotes itself', () => {
  // Before the fix, the leader applied its own demotion and stepped down at
  // once. The remaining voters learned that the change committed only from
  // the leader's next append; with that one message lost they still counted
  // the old leader as a voter and needed its vote, which it refused (its log
  // was longer: it had appended after the change), and it could not
  // campaign itself. No leader ever again, with every replica up and every
  // link healthy. Found by the random runs (seed 856 of the first version).
  for (const [voters, change] of [
    [[1, 2], 'addLearner'],
    [[1, 2], 'removeReplica'],
    [[1, 2, 3], 'addLearner'],
    [[1, 2, 3], 'removeReplica'],
  ] as const) {
    it(`leaves a leader behind when the commit of ${change}(leader) is lost (voters ${voters.join(',')})`, () => {
      const sim = cluster([...voters], []);
      electOne(sim);
      expect(sim.proposeConfChange(1, { changes: [{ type: change, replicaId: 1 }], transition: 'auto' })).toBe(true);
      sim.processAll();
      sim.step(); // the followers receive and acknowledge the change
      for (const id of voters) sim.network.cut(1, id); // the append carrying its commit will be lost
      expect(sim.propose(1, 'after the change')).toBe(true);
      sim.step(); // 1 commits and applies the change (or the no-op it became)
      for (let i = 0; i < 3; i++) sim.step();
      sim.network.heal();
      expect(stepUntil(sim, () => sim.leader() !== 0, 400)).toBe(true);
      // And it serves writes.
      expect(stepUntil(sim, () => {
        if (sim.landed.has('live')) return true;
        if (sim.now % 50 === 0) sim.propose(sim.leader(), 'live');
        return false;
      }, 400)).toBe(true);
    });
  }
});

describe('a leader that is a quorum on its own', () => {
  // raw-node.ts lets a leader send appends before writing its own entries
  // (thesis §10.2.1). Before the fix the leader counted its own entries
  // toward the quorum as it appended them, so a single voter committed at
  // once and its early appends told the learners so; crashing before its
  // write completed, it lost an entry the learners held as committed, and
  // committed another at that index after restarting. Found by the random
  // runs (seed 1003 of the first version).
  it('keeps an entry it told a learner was committed, across a crash before its write', () => {
    const sim = cluster([1], [2], { earlySend: true, diskDelayMin: 1, heartbeatTicks: 4 });
    electOne(sim);
    for (let i = 0; i < 10; i++) sim.step();
    // Between two writes (every Ready's write takes a step here).
    expect(stepUntil(sim, () => !sim.replica(1).writing, 10)).toBe(true);
    expect(sim.propose(1, 'acknowledged')).toBe(true);
    sim.processAll(); // the Ready is taken and its append leaves; the write is in progress
    expect(sim.replica(1).writing).toBe(true);
    sim.crash(1);
    sim.restart(1);
    for (let i = 0; i < 60; i++) sim.step(); // the checker throws if a committed entry changes
    expect(sim.checker.highestCommitted).toBeGreaterThan(2);
  });
});

describe('a lone voter after a restart that lost its commit index', () => {
  // The commit index is written without a sync; a crash can lose it. A
  // leader that was its group's only voter answered ReadIndex at once with
  // its commit index, skipping the wait for an entry of its own term to
  // commit (thesis §6.4 step 1). After a restart that lost the commit index
  // the answer was older than entries a learner had already applied (and
  // could have served): a stale read. Found by the random runs (seeds 488
  // and 1415 of the second version).
  it('serves a read at or after every committed index', () => {
    const config = { ...raftConfig(chooseParameters(1)), electionTicks: 10, heartbeatTicks: 5, checkQuorum: true, preVote: true };
    const sim = new Simulation({ seed: 1, voters: [1], learners: [2], config, diskDelayMin: 1, loseUnsynced: 'always' });
    electOne(sim);
    for (let i = 0; i < 10; i++) sim.step();
    expect(stepUntil(sim, () => !sim.replica(1).writing, 10)).toBe(true);
    expect(sim.propose(1, 'x')).toBe(true);
    sim.processAll(); // Ready A (the entry) is being written
    sim.step(); // A done, its append to 2 sent; Ready B (commit index, entry to apply) is being written
    expect(sim.replica(1).writing).toBe(true);
    sim.replica(1).crashAt = 'afterSend';
    sim.step(); // B: commit index written (unsynced), its append with the commit index sent, crash
    expect(sim.replica(1).live).toBe(false);
    expect(stepUntil(sim, () => sim.landed.has('x'), 10)).toBe(true); // the learner applied x
    const xIndex = sim.landed.get('x')!;
    sim.restart(1);
    expect(sim.replica(1).disk.hardState.commit).toBeLessThan(xIndex);
    sim.campaign(1);
    sim.readIndex(1);
    for (let i = 0; i < 10; i++) sim.step(); // the checker throws on a stale read
    expect(sim.checker.readsServed).toBe(1);
  });
});
