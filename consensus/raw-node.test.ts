import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ProposalDroppedError } from './errors.ts';
import { InteractionEnv, TestRng } from './interaction-env.ts';
import { MemoryStorage } from './memory-storage.ts';
import { RawNode, type RaftConfig } from './raw-node.ts';
import type { Entry, Message, Ready } from './types.ts';

const encoder = new TextEncoder();

/** Runs command lines; returns the printed output of all of them. */
function run(env: InteractionEnv, ...lines: string[]): string {
  return lines.map((l) => env.run(l)).join('\n');
}

function cluster(args = 'voters=(1,2,3)', n = 3): InteractionEnv {
  const env = new InteractionEnv();
  env.run(`add-nodes ${n} ${args}`);
  return env;
}

function elected(args = 'voters=(1,2,3) checkquorum=true prevote=true', n = 3): InteractionEnv {
  const env = cluster(args, n);
  run(env, 'campaign 1', 'stabilize');
  expect(env.node(1).role).toBe('leader');
  return env;
}

function appliedTexts(env: InteractionEnv, id: number): string[] {
  return env.nodes.get(id)!.applied.map((a) => a.text);
}

function config(id: number, overrides: Partial<RaftConfig> = {}): RaftConfig {
  return {
    id, electionTicks: 10, heartbeatTicks: 1, applied: 0, maxSizePerMsg: 1 << 20, maxInflightMsgs: 256, maxInflightBytes: 0,
    maxUncommittedEntriesSize: 0, maxCommittedSizePerReady: 0, checkQuorum: true, preVote: true, readOnlyOption: 'safe',
    ...overrides,
  };
}

describe('RawNode election', () => {
  it('RawNode elects one leader and applies proposals everywhere, in order, once', () => {
    const env = elected();
    for (let i = 0; i < 20; i++) env.run(`propose 1 v${i}`);
    env.run('stabilize');
    const expected = Array.from({ length: 20 }, (_, i) => `v${i}`);
    for (const id of [1, 2, 3]) expect(appliedTexts(env, id)).toEqual(expected);
    expect([1, 2, 3].filter((id) => env.node(id).role === 'leader')).toEqual([1]);
  });

  it('RawNode drops proposals when no leader is known', () => {
    const env = cluster('voters=(1,2,3) prevote=true');
    expect(() => env.node(2).propose(encoder.encode('x'))).toThrow(ProposalDroppedError);
    env.run('campaign 1');
    env.run('process-ready 1');
    expect(env.node(1).role).toBe('preCandidate');
    expect(() => env.node(1).propose(encoder.encode('x'))).toThrow(/no leader/);
  });

  it('RawNode as a single voter elects itself and commits alone', () => {
    const env = cluster('voters=(1)', 1);
    run(env, 'campaign 1', 'propose 1 solo', 'stabilize');
    expect(env.node(1).role).toBe('leader');
    expect(appliedTexts(env, 1)).toEqual(['solo']);
  });

  it('RawNode campaigns on its own after a randomized election timeout', () => {
    const env = cluster('voters=(1,2,3) prevote=true checkquorum=true');
    for (let i = 0; i < 25 && !env.nodes.get(1)!.raw!.hasReady(); i++) env.node(1).tick();
    env.run('stabilize');
    expect(env.node(1).role).toBe('leader');
  });
});

describe('RawNode partitions', () => {
  it('RawNode leader steps down without a quorum (CheckQuorum); the majority elects another', () => {
    const env = elected();
    env.run('isolate 1');
    for (let i = 0; i < 3; i++) env.run('tick-all 10');
    expect(env.node(1).role).toBe('follower');
    const leader = [2, 3].find((id) => env.node(id).role === 'leader');
    expect(leader).toBeDefined();
    run(env, `propose ${leader} after`, 'stabilize', 'heal', 'tick-all 5');
    expect(appliedTexts(env, 1)).toContain('after');
  });

  it('RawNode with PreVote: a rejoining follower does not disrupt the leader', () => {
    const env = elected();
    const term = env.node(1).term;
    env.run('isolate 3');
    for (let i = 0; i < 5; i++) env.run('tick-all 10');
    expect(env.node(3).term).toBe(term);
    run(env, 'heal', 'tick-all 10');
    expect(env.node(1).role).toBe('leader');
    expect(env.node(1).term).toBe(term);
  });

  it('RawNode without PreVote: a rejoining follower forces a new term', () => {
    const env = elected('voters=(1,2,3) checkquorum=false prevote=false');
    const term = env.node(1).term;
    env.run('isolate 3');
    for (let i = 0; i < 5; i++) env.run('tick-all 10');
    expect(env.node(3).term).toBeGreaterThan(term);
    run(env, 'heal', 'tick-all 30');
    expect(env.node(1).term).toBeGreaterThan(term);
  });
});

describe('RawNode log repair', () => {
  it('RawNode repairs a divergent follower, skipping whole terms', () => {
    const env = elected();
    run(env, 'propose 1 a', 'stabilize', 'isolate 1');
    // The isolated leader appends a tail nobody else gets.
    for (let i = 0; i < 30; i++) env.run(`propose 1 lost${i}`);
    env.run('stabilize 1');
    for (let i = 0; i < 3; i++) env.run('tick-all 10');
    const leader = [2, 3].find((id) => env.node(id).role === 'leader')!;
    for (let i = 0; i < 5; i++) env.run(`propose ${leader} kept${i}`);
    run(env, 'stabilize', 'heal');
    const out = env.run('tick-all 3');
    expect(appliedTexts(env, 1)).toEqual(['a', 'kept0', 'kept1', 'kept2', 'kept3', 'kept4']);
    // Fast backtracking: one rejection covers the whole lost term.
    expect(out.split('\n').filter((l) => l.includes('appResp') && l.includes('rejected')).length).toBeLessThanOrEqual(2);
  });
});

describe('RawNode apply', () => {
  function solo(overrides: Partial<RaftConfig> = {}, storage = new MemoryStorage({
    voters: [1], votersOutgoing: [], learners: [], learnersNext: [], autoLeave: false,
  })): { node: RawNode; storage: MemoryStorage; applied: Entry[]; cycle: () => void } {
    const node = new RawNode(config(1, overrides), storage, new TestRng(1));
    const applied: Entry[] = [];
    const cycle = (): void => {
      while (node.hasReady()) {
        const rd = node.ready();
        storage.append(rd.entries);
        if (rd.hardState) storage.setHardState(rd.hardState);
        applied.push(...rd.committedEntries);
        node.advance(rd);
      }
    };
    return { node, storage, applied, cycle };
  }

  it('RawNode never hands out an entry at or below config.applied after a restart', () => {
    const a = solo();
    a.node.campaign();
    for (let i = 0; i < 5; i++) a.node.propose(encoder.encode(`e${i}`));
    a.cycle();
    expect(a.applied.map((e) => e.index)).toEqual([1, 2, 3, 4, 5, 6]);
    const b = solo({ applied: 4 }, a.storage);
    b.cycle();
    b.node.campaign();
    b.cycle();
    expect(b.applied.map((e) => e.index)).toEqual([5, 6, 7]);
  });

  it('RawNode restarts with a commit index lost below the applied index', () => {
    const a = solo();
    a.node.campaign();
    a.node.propose(encoder.encode('x'));
    a.cycle();
    a.storage.setHardState({ ...a.storage.hardState, commit: 0 });
    const b = solo({ applied: 2 }, a.storage);
    expect(b.node.status().commit).toBe(2);
    b.cycle();
    expect(b.applied).toEqual([]);
  });

  it('RawNode hands committed entries out once even if ready() is called twice', () => {
    const a = solo();
    a.node.campaign();
    a.node.propose(encoder.encode('x'));
    const first: Ready = a.node.ready();
    const second: Ready = a.node.ready();
    const indexes = [...first.committedEntries, ...second.committedEntries].map((e) => e.index);
    expect(new Set(indexes).size).toBe(indexes.length);
  });

  it('RawNode limits committed entries per Ready', () => {
    const a = solo({ maxCommittedSizePerReady: 100, maxSizePerMsg: 100 });
    a.node.campaign();
    a.cycle();
    for (let i = 0; i < 10; i++) a.node.propose(new Uint8Array(40));
    let readys = 0;
    while (a.node.hasReady()) {
      const rd = a.node.ready();
      a.storage.append(rd.entries);
      a.applied.push(...rd.committedEntries);
      if (rd.committedEntries.length > 0) readys++;
      a.node.advance(rd);
    }
    expect(a.applied.length).toBe(11);
    expect(readys).toBeGreaterThan(3);
  });

  it('RawNode drops proposals beyond the uncommitted budget and accepts them after commit', () => {
    const env = elected('voters=(1,2,3) max-uncommitted=100');
    env.run('isolate 1');
    expect(env.run('propose 1 aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa')).toBe('ok');
    expect(env.run('propose 1 bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb')).toMatch(/uncommitted limit/);
    run(env, 'stabilize', 'heal', 'tick-all 2');
    expect(env.run('propose 1 cccccccccccccccccccccccccccccccccccccccc')).toBe('ok');
  });
});

describe('RawNode bad input', () => {
  function stepped(env: InteractionEnv, id: number, m: Partial<Message>): number {
    const before = env.node(id).status().errors.malformed;
    env.node(id).step({
      type: 'app', from: 1, to: id, term: env.node(id).term, index: 0, logTerm: 0, entries: [], commit: 0, reject: false,
      rejectHint: 0, ...m,
    } as Message);
    return env.node(id).status().errors.malformed - before;
  }

  it('RawNode refuses malformed messages without changing state', () => {
    const env = elected();
    const before = env.node(2).status();
    expect(stepped(env, 2, { type: 'hup' })).toBe(1);
    expect(stepped(env, 2, { type: 'bogus' as Message['type'] })).toBe(1);
    expect(stepped(env, 2, { term: -1 })).toBe(1);
    expect(stepped(env, 2, { index: Number.NaN })).toBe(1);
    expect(stepped(env, 2, { from: 0 })).toBe(1);
    expect(stepped(env, 2, { to: 9 })).toBe(1);
    expect(stepped(env, 2, { from: 2 })).toBe(1);
    expect(stepped(env, 2, { entries: 'x' as unknown as Entry[] })).toBe(1);
    expect(stepped(env, 2, { entries: [{ index: 1, term: 1, type: 'weird' as 'normal', data: new Uint8Array() }] })).toBe(1);
    expect(stepped(env, 2, { type: 'snap' })).toBe(1);
    expect(stepped(env, 2, { type: 'vote', term: 0 })).toBe(1);
    const after = env.node(2).status();
    expect(after.term).toBe(before.term);
    expect(after.commit).toBe(before.commit);
    expect(after.lastIndex).toBe(before.lastIndex);
  });

  it('RawNode refuses appends whose entries do not follow on', () => {
    const env = elected();
    const last = env.node(2).status().lastIndex;
    const term = env.node(2).term;
    const entry = (index: number, t: number): Entry => ({ index, term: t, type: 'normal', data: new Uint8Array() });
    expect(stepped(env, 2, { index: last, logTerm: term, entries: [entry(last + 2, term)] })).toBe(1);
    expect(stepped(env, 2, { index: last, logTerm: term, entries: [entry(last + 1, term + 5)] })).toBe(1);
    expect(stepped(env, 2, { index: last, logTerm: term, entries: [entry(last + 1, term), entry(last + 2, term - 1)] })).toBe(1);
    expect(env.node(2).status().lastIndex).toBe(last);
  });

  it('RawNode rejects an append beyond its log with a hint, and clamps the commit index', () => {
    const env = elected();
    const term = env.node(2).term;
    const last = env.node(2).status().lastIndex;
    env.node(2).step({
      type: 'app', from: 1, to: 2, term, index: last + 50, logTerm: term, entries: [], commit: last + 60, reject: false, rejectHint: 0,
    });
    const out = env.run('process-ready 2');
    expect(out).toContain(`2->1 appResp term=${term} index=${last + 50} hint=${last}/${term} rejected`);
    expect(env.node(2).status().commit).toBe(last);
    env.node(2).step({
      type: 'app', from: 1, to: 2, term, index: last, logTerm: term,
      entries: [{ index: last + 1, term, type: 'normal', data: new Uint8Array() }], commit: last + 60, reject: false, rejectHint: 0,
    });
    expect(env.node(2).status().commit).toBe(last + 1);
  });

  it('RawNode refuses a heartbeat commit index beyond its log', () => {
    const env = elected();
    const last = env.node(2).status().lastIndex;
    expect(stepped(env, 2, { type: 'heartbeat', commit: last + 10 })).toBe(1);
    expect(env.node(2).status().commit).toBe(last);
  });

  it('RawNode ignores answers from unknown replicas and stale terms', () => {
    const env = elected();
    const st = env.node(1).status();
    env.node(1).step({ type: 'appResp', from: 9, to: 1, term: st.term, index: 100, logTerm: 0, entries: [], commit: 0, reject: false, rejectHint: 0 });
    env.node(1).step({ type: 'voteResp', from: 9, to: 1, term: st.term + 1, index: 0, logTerm: 0, entries: [], commit: 0, reject: false, rejectHint: 0 });
    env.node(2).step({ type: 'app', from: 3, to: 2, term: st.term - 1, index: 0, logTerm: 0, entries: [], commit: 0, reject: false, rejectHint: 0 });
    expect(env.node(1).role).toBe('leader');
    expect(env.node(1).term).toBe(st.term);
    expect(env.node(2).leader).toBe(1);
  });

  it('RawNode leader refuses an acknowledgement beyond its log', () => {
    const env = elected();
    expect(stepped(env, 1, { type: 'appResp', from: 2, index: 1000 })).toBe(1);
    expect(env.node(1).status().progress.get(2)!.match).toBeLessThan(1000);
  });

  it('RawNode turns an undecodable conf change proposal into an empty entry and counts it', () => {
    const env = elected();
    env.node(1).step({
      type: 'prop', from: 2, to: 1, term: 0, index: 0, logTerm: 0, commit: 0, reject: false, rejectHint: 0,
      entries: [{ index: 0, term: 0, type: 'confChange', data: new Uint8Array([9, 9, 9]) }],
    });
    env.run('stabilize');
    expect(env.node(1).status().errors.confChangesRejected).toBe(1);
    expect(env.node(1).status().config.voters).toEqual([1, 2, 3]);
    expect(env.run('raft-log 2')).not.toContain('conf');
  });

  it('RawNode refuses to apply a committed conf change entry that does not decode', () => {
    const env = elected();
    const before = env.node(2).status().config;
    expect(env.node(2).applyConfChange(new Uint8Array([1, 2, 3]))).toEqual(before);
    expect(env.node(2).status().errors.confChangesRejected).toBe(1);
  });

  it('RawNode refuses a snapshot with a malformed configuration', () => {
    const env = elected();
    const term = env.node(2).term;
    const before = env.node(2).status();
    env.node(2).step({
      type: 'snap', from: 1, to: 2, term, index: 0, logTerm: 0, entries: [], commit: 0, reject: false, rejectHint: 0,
      snapshot: { metadata: { index: 50, term, confState: { voters: [2, 2, -1], votersOutgoing: [], learners: [2], learnersNext: [], autoLeave: false } }, data: new Uint8Array() },
    });
    expect(env.node(2).status().errors.malformed).toBe(1);
    expect(env.node(2).status().lastIndex).toBe(before.lastIndex);
  });
});

describe('RawNode lease reads', () => {
  it('RawNode in lease mode refuses votes for an election timeout after a restart', () => {
    const env = elected('voters=(1,2,3) checkquorum=true prevote=true lease=true');
    run(env, 'propose 1 a', 'stabilize', 'crash 2', 'restart 2');
    const term = env.node(3).term;
    // Node 3 campaigns at once: node 2 just restarted and may have
    // acknowledged a heartbeat it no longer remembers, so it stays silent.
    env.node(2).step({ type: 'preVote', from: 3, to: 2, term: term + 1, index: 100, logTerm: term, entries: [], commit: 0, reject: false, rejectHint: 0 });
    expect(env.run('process-ready 2')).toBe('ok');
    for (let i = 0; i < 10; i++) env.node(2).tick();
    env.run('process-ready 2');
    env.node(2).step({ type: 'preVote', from: 3, to: 2, term: term + 1, index: 100, logTerm: term, entries: [], commit: 0, reject: false, rejectHint: 0 });
    expect(env.run('process-ready 2')).toContain('2->3 preVoteResp');
  });

  it('RawNode stays sticky to a leader it heard from even while campaigning itself', () => {
    const env = elected('voters=(1,2,3) checkquorum=true prevote=true lease=true');
    env.node(2).campaign();
    env.run('process-ready 2');
    expect(env.node(2).role).toBe('preCandidate');
    const term = env.node(3).term;
    env.node(2).step({ type: 'preVote', from: 3, to: 2, term: term + 1, index: 100, logTerm: term, entries: [], commit: 0, reject: false, rejectHint: 0 });
    expect(env.run('process-ready 2')).toBe('ok');
  });

  it('RawNode lease lapses after electionTicks - 1 ticks without a quorum', () => {
    const env = elected('voters=(1,2,3) checkquorum=true prevote=true lease=true election=10');
    run(env, 'read-index 1 r', 'stabilize', 'isolate 1');
    expect(env.node(1).status().leaseValid).toBe(true);
    for (let i = 0; i < 8; i++) env.node(1).tick();
    expect(env.node(1).status().leaseValid).toBe(true);
    env.node(1).tick();
    expect(env.node(1).status().leaseValid).toBe(false);
  });

  it('RawNode lease is void after waking from quiescence until heartbeats return', () => {
    const env = elected('voters=(1,2,3) checkquorum=true prevote=true lease=true');
    run(env, 'read-index 1 r', 'stabilize');
    expect(env.run('quiesce 1')).toBe('quiesced');
    env.run('stabilize');
    env.node(1).wake();
    expect(env.node(1).status().leaseValid).toBe(false);
    run(env, 'tick-heartbeat 1', 'stabilize');
    expect(env.node(1).status().leaseValid).toBe(true);
  });
});

describe('RawNode quiescence', () => {
  it('RawNode reports canQuiesce only when idle, and a quiesced group ignores ticks', () => {
    const env = elected();
    expect(env.node(1).canQuiesce).toBe(true);
    expect(env.node(2).canQuiesce).toBe(false);
    env.run('propose 1 x');
    expect(env.node(1).canQuiesce).toBe(false);
    env.run('stabilize');
    env.run('read-index 1 r');
    expect(env.node(1).canQuiesce).toBe(false);
    env.run('stabilize');
    expect(env.node(1).quiesce()).toBe(true);
    env.run('stabilize');
    for (const id of [1, 2, 3]) expect(env.node(id).quiesced).toBe(true);
    for (let i = 0; i < 100; i++) for (const id of [1, 2, 3]) env.node(id).tick();
    for (const id of [1, 2, 3]) expect(env.nodes.get(id)!.raw!.hasReady()).toBe(false);
    env.node(3).readIndex(encoder.encode('wake'));
    expect(env.node(3).quiesced).toBe(false);
    env.run('stabilize');
    expect(env.node(1).quiesced).toBe(false);
  });

  it('RawNode follower that is behind does not quiesce', () => {
    const env = elected();
    run(env, 'isolate 3', 'propose 1 x', 'stabilize', 'heal');
    expect(env.node(1).canQuiesce).toBe(false);
    expect(env.node(1).quiesce()).toBe(false);
  });
});

describe('RawNode membership', () => {
  it('RawNode learners neither vote in the tally nor count toward commitment', () => {
    const env = elected('voters=(1) learners=(2,3) checkquorum=true prevote=true', 3);
    run(env, 'isolate 2', 'isolate 3', 'propose 1 alone', 'stabilize');
    // The single voter commits alone; learners do not hold it back.
    expect(appliedTexts(env, 1)).toEqual(['alone']);
    expect(env.node(2).status().config.learners).toEqual([2, 3]);
    env.run('heal');
    for (let i = 0; i < 50; i++) env.node(2).tick();
    expect(env.node(2).role).toBe('follower');
  });

  it('RawNode in a joint configuration needs both majorities to commit', () => {
    const env = cluster('voters=(1,2,3) index=1 prevote=true checkquorum=true', 3);
    run(env, 'add-nodes 2', 'campaign 1', 'stabilize');
    run(env, 'propose-conf-change 1 transition=explicit v4 v5 r2 r3', 'stabilize');
    expect(env.node(1).status().config.votersOutgoing).toEqual([1, 2, 3]);
    // The outgoing majority {1,2,3} is cut to 1: nothing commits.
    run(env, 'isolate 2', 'isolate 3', 'propose 1 blocked', 'stabilize');
    expect(appliedTexts(env, 1)).not.toContain('blocked');
    run(env, 'heal', 'tick-heartbeat 1', 'stabilize');
    expect(appliedTexts(env, 1)).toContain('blocked');
  });

  it('RawNode refuses to propose a second conf change while one is pending', () => {
    const env = elected();
    run(env, 'propose-conf-change 1 l4', 'propose-conf-change 1 l5');
    env.run('stabilize');
    expect(env.node(1).status().config.learners).toEqual([4]);
    expect(env.node(1).status().errors.confChangesRejected).toBe(1);
  });

  it('RawNode proposeConfChange throws ConfChangeError for a malformed change', () => {
    const env = elected();
    expect(() => env.node(1).proposeConfChange({ changes: [{ type: 'addVoter', replicaId: -3 }], transition: 'auto' })).toThrow(/invalid replica/);
    expect(() => env.node(1).proposeConfChange({ changes: [{ type: 'promote' as 'addVoter', replicaId: 3 }], transition: 'auto' })).toThrow(/unknown change type/);
  });
});

describe('RawNode snapshots', () => {
  it('RawNode follower restores a snapshot, then applies entries after it exactly once', () => {
    const env = elected('voters=(1,2,3) index=1 prevote=true checkquorum=true');
    env.run('isolate 3');
    for (let i = 0; i < 5; i++) env.run(`propose 1 s${i}`);
    env.run('stabilize');
    env.run(`compact 1 ${env.node(1).status().applied}`);
    run(env, 'heal', 'propose 1 after', 'tick-heartbeat 1', 'stabilize');
    expect(appliedTexts(env, 3)).toEqual(['s0', 's1', 's2', 's3', 's4', 'after']);
    expect(env.node(3).status().applied).toBe(env.node(1).status().applied);
  });
});

describe('RawNode lease safety', () => {
  it('RawNode never holds a lease while another replica leads, with clocks in step (property)', () => {
    // Each round every replica ticks once, in a random order, with messages
    // delivered (or lost) between the ticks: clocks run at one rate but are
    // not aligned.
    const round = fc.record({ order: fc.constantFrom([1, 2, 3], [1, 3, 2], [2, 1, 3], [2, 3, 1], [3, 1, 2], [3, 2, 1]), drop: fc.array(fc.boolean(), { minLength: 3, maxLength: 3 }) });
    fc.assert(fc.property(fc.array(round, { minLength: 40, maxLength: 40 }), fc.integer({ min: 0, max: 25 }), (rounds, cutAt) => {
      const env = elected('voters=(1,2,3) checkquorum=true prevote=true lease=true election=6');
      const check = (): void => {
        if (env.node(1).status().leaseValid) expect([2, 3].filter((id) => env.node(id).role === 'leader')).toEqual([]);
      };
      rounds.forEach((r, t) => {
        if (t === cutAt) env.run('isolate 1');
        r.order.forEach((id, i) => {
          env.node(id).tick();
          for (const other of [1, 2, 3]) env.processReady(other);
          if (r.drop[i]) env.queue = env.queue.slice(1);
          env.deliver([]);
          for (const other of [1, 2, 3]) env.processReady(other);
          env.deliver([]);
          check();
        });
      });
    }), { numRuns: 80 });
  });
});
