import { describe, expect, it } from 'vitest';
import { SimCluster } from './sim/cluster.ts';
import { ProposalDroppedError } from './errors.ts';
import { decodeConfChange, encodeConfChange, ConfChangeError } from './confchange.ts';
import { RawNode } from './raw-node.ts';
import { MemoryStorage } from './memory-storage.ts';
import { SeededRng } from './sim/rng.ts';

function appliedOn(cluster: SimCluster, id: number): string[] {
  const node = cluster.nodes.get(id)!;
  return [...node.applied.entries()].sort((a, b) => a[0] - b[0]).map(([, v]) => v).filter((v) => v !== '' && !v.startsWith('conf:'));
}

function run(cluster: SimCluster, steps: number): void {
  for (let i = 0; i < steps; i++) cluster.step(true);
}

describe('election', () => {
  it('elects exactly one leader and replicates proposals to all', () => {
    const c = new SimCluster({ seed: 1, voters: [1, 2, 3] });
    const leader = c.electLeader();
    for (let i = 0; i < 20; i++) expect(c.propose(leader, `v${i}`)).toBe(true);
    c.stabilize();
    run(c, 3);
    for (const id of [1, 2, 3]) expect(appliedOn(c, id)).toEqual(Array.from({ length: 20 }, (_, i) => `v${i}`));
  });

  it('drops proposals without a leader', () => {
    const storage = new MemoryStorage({ voters: [1, 2, 3], votersOutgoing: [], learners: [], learnersNext: [], autoLeave: false });
    const node = new RawNode(new SimCluster({ seed: 1, voters: [1] }).config(1, 0), storage, new SeededRng(1));
    expect(() => node.propose(new Uint8Array([1]))).toThrow(ProposalDroppedError);
  });

  it('a single voter elects itself and commits alone', () => {
    const c = new SimCluster({ seed: 3, voters: [1] });
    const leader = c.electLeader();
    expect(leader).toBe(1);
    c.propose(1, 'solo');
    c.stabilize();
    expect(appliedOn(c, 1)).toEqual(['solo']);
  });
});

describe('partitions', () => {
  it('a partitioned leader steps down (CheckQuorum) and the majority elects a new one', () => {
    const c = new SimCluster({ seed: 7, voters: [1, 2, 3, 4, 5] });
    const old = c.electLeader();
    c.isolate(old);
    run(c, 60);
    expect(c.nodes.get(old)!.raw!.status().role).not.toBe('leader');
    const fresh = c.leader();
    expect(fresh).not.toBe(0);
    expect(fresh).not.toBe(old);
    expect(c.propose(fresh, 'after')).toBe(true);
    c.heal();
    run(c, 60);
    expect(appliedOn(c, old)).toContain('after');
  });

  it('with PreVote, a rejoining isolated follower does not disrupt the leader', () => {
    const c = new SimCluster({ seed: 11, voters: [1, 2, 3] });
    const leader = c.electLeader();
    const term = c.node(leader).status().term;
    const follower = [1, 2, 3].find((id) => id !== leader)!;
    c.isolate(follower);
    run(c, 100);
    c.heal();
    run(c, 30);
    expect(c.leader()).toBe(leader);
    expect(c.node(leader).status().term).toBe(term);
  });

  it('repairs divergent logs after a leader loses its uncommitted tail', () => {
    const c = new SimCluster({ seed: 5, voters: [1, 2, 3] });
    const old = c.electLeader();
    c.propose(old, 'committed');
    c.stabilize();
    c.isolate(old);
    for (let i = 0; i < 5; i++) c.propose(old, `lost${i}`);
    run(c, 60);
    const fresh = c.leader();
    expect(fresh).not.toBe(old);
    c.propose(fresh, 'winner');
    run(c, 10);
    c.heal();
    run(c, 60);
    for (const id of [1, 2, 3]) {
      const applied = appliedOn(c, id);
      expect(applied).toContain('winner');
      expect(applied.some((v) => v.startsWith('lost'))).toBe(false);
    }
  });
});

describe('snapshots', () => {
  it('catches up a follower whose entries were compacted away', () => {
    const c = new SimCluster({ seed: 9, voters: [1, 2, 3] });
    const leader = c.electLeader();
    const lagging = [1, 2, 3].find((id) => id !== leader)!;
    c.isolate(lagging);
    for (let i = 0; i < 30; i++) c.propose(leader, `e${i}`);
    run(c, 10);
    for (const id of [1, 2, 3]) if (id !== lagging) c.compact(id);
    c.heal();
    run(c, 60);
    expect(appliedOn(c, lagging)).toEqual(appliedOn(c, leader));
    expect(c.nodes.get(lagging)!.storage.firstIndex()).toBeGreaterThan(1);
  });
});

describe('chunked snapshots', () => {
  it('stream in acknowledged chunks and resume after an interruption', () => {
    const c = new SimCluster({ seed: 37, voters: [1, 2, 3], snapshotChunkBytes: 16 });
    const leader = c.electLeader();
    const lagging = [1, 2, 3].find((id) => id !== leader)!;
    c.isolate(lagging);
    for (let i = 0; i < 20; i++) c.propose(leader, `value-${i}`);
    run(c, 10);
    for (const id of [1, 2, 3]) if (id !== lagging) c.compact(id);
    c.heal();
    c.trace = [];
    // Let part of the stream through, then cut the link mid-stream.
    for (let i = 0; i < 40 && !c.trace.some((t) => / snap .*snapshotOffset|snapAck/.test(t) && t.includes('snapAck')); i++) c.step(true);
    const acksBeforeCut = c.trace.filter((t) => t.includes('snapAck')).length;
    expect(acksBeforeCut).toBeGreaterThan(0);
    c.isolate(lagging);
    run(c, 5);
    c.heal();
    run(c, 80);
    expect(appliedOn(c, lagging)).toEqual(appliedOn(c, leader));
    const chunks = c.trace.filter((t) => t.startsWith(`${leader}->${lagging} snap `));
    expect(chunks.length).toBeGreaterThan(5);
  });
});

describe('membership', () => {
  it('adds a learner, promotes it, and removes the leader through joint consensus', () => {
    const c = new SimCluster({ seed: 13, voters: [1, 2, 3] });
    const leader = c.electLeader();
    c.addNode(4);
    c.node(leader).proposeConfChange({ changes: [{ type: 'addLearner', replicaId: 4 }], transition: 'auto' });
    run(c, 20);
    expect(c.node(leader).status().config.learners).toEqual([4]);
    c.propose(leader, 'for-learner');
    run(c, 20);
    expect(appliedOn(c, 4)).toContain('for-learner');
    c.node(leader).proposeConfChange({ changes: [{ type: 'addVoter', replicaId: 4 }], transition: 'auto' });
    run(c, 20);
    expect(c.node(leader).status().config.voters).toEqual([1, 2, 3, 4]);
    // Replace the leader and another voter in one joint change; auto-leave follows.
    const others = [1, 2, 3].filter((id) => id !== leader);
    c.node(leader).proposeConfChange({
      changes: [{ type: 'removeReplica', replicaId: leader }, { type: 'removeReplica', replicaId: others[0]! }],
      transition: 'joint',
    });
    run(c, 80);
    const next = c.leader();
    expect(next).not.toBe(0);
    expect(next).not.toBe(leader);
    expect(c.node(next).status().config.voters).toEqual([others[1]!, 4].sort());
    expect(c.node(next).status().config.votersOutgoing).toEqual([]);
    expect(c.propose(next, 'after-change')).toBe(true);
    run(c, 20);
    expect(appliedOn(c, 4)).toContain('after-change');
  });

  it('rejects malformed conf changes', () => {
    expect(() => decodeConfChange(new Uint8Array([9, 9, 9]))).toThrow(ConfChangeError);
    const round = decodeConfChange(encodeConfChange({ changes: [{ type: 'addVoter', replicaId: 7 }], transition: 'jointExplicit' }));
    expect(round.changes).toEqual([{ type: 'addVoter', replicaId: 7 }]);
    expect(round.transition).toBe('jointExplicit');
  });
});

describe('leadership transfer', () => {
  it('hands leadership to a caught-up follower', () => {
    const c = new SimCluster({ seed: 17, voters: [1, 2, 3] });
    const leader = c.electLeader();
    const target = [1, 2, 3].find((id) => id !== leader)!;
    c.propose(leader, 'x');
    c.stabilize();
    c.node(leader).transferLeader(target);
    run(c, 10);
    expect(c.leader()).toBe(target);
  });
});

describe('read index', () => {
  it('serves linearizable reads on the leader and through followers', () => {
    const c = new SimCluster({ seed: 19, voters: [1, 2, 3] });
    const leader = c.electLeader();
    c.propose(leader, 'a');
    c.stabilize();
    run(c, 2);
    c.readIndex(leader, 'r1');
    const follower = [1, 2, 3].find((id) => id !== leader)!;
    c.readIndex(follower, 'r2');
    run(c, 10);
    const served = c.servedReads.map((r) => r.context).sort();
    expect(served).toEqual(['r1', 'r2']);
  });

  it('a deposed leader in a minority serves no reads', () => {
    const c = new SimCluster({ seed: 23, voters: [1, 2, 3] });
    const leader = c.electLeader();
    run(c, 2);
    c.isolate(leader);
    c.readIndex(leader, 'stale');
    run(c, 40);
    expect(c.servedReads.find((r) => r.context === 'stale')).toBeUndefined();
  });
});

describe('quiescence', () => {
  it('an idle group stops ticking and wakes on a proposal', () => {
    const c = new SimCluster({ seed: 29, voters: [1, 2, 3] });
    const leader = c.electLeader();
    c.propose(leader, 'x');
    c.stabilize();
    run(c, 3);
    expect(c.node(leader).status().canQuiesce).toBe(true);
    expect(c.node(leader).quiesce()).toBe(true);
    c.stabilize();
    const before = c.messagesSent;
    run(c, 50);
    expect(c.messagesSent).toBe(before);
    expect(c.leader()).toBe(leader);
    c.propose(leader, 'wake');
    run(c, 5);
    for (const id of [1, 2, 3]) expect(appliedOn(c, id)).toContain('wake');
  });
});

describe('bad input', () => {
  it('ignores messages from unknown peers, stale terms and malformed appends', () => {
    const c = new SimCluster({ seed: 31, voters: [1, 2, 3] });
    const leader = c.electLeader();
    const follower = [1, 2, 3].find((id) => id !== leader)!;
    const node = c.node(follower);
    const base = { index: 0, logTerm: 0, entries: [], commit: 0, reject: false, rejectHint: 0 };
    node.step({ ...base, type: 'appResp', from: 99, to: follower, term: 100 });
    node.step({ ...base, type: 'app', from: leader, to: follower, term: node.status().term, index: 1_000_000, commit: 2_000_000 });
    node.step({ ...base, type: 'app', from: leader, to: follower, term: node.status().term, index: 0, entries: [{ index: 5, term: 1, type: 'normal', data: new Uint8Array() }] });
    node.step({ ...base, type: 'hup', from: leader, to: follower, term: 0 });
    node.step({ ...base, type: 'app', from: -3, to: follower, term: 1 });
    expect(node.status().commit).toBeLessThanOrEqual(node.status().lastIndex);
    expect(node.status().malformedCount).toBeGreaterThan(0);
    c.propose(leader, 'still-works');
    run(c, 10);
    expect(appliedOn(c, follower)).toContain('still-works');
  });
});
