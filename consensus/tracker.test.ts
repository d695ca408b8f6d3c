import { describe, expect, it } from 'vitest';
import { ConfChangeError } from './errors.ts';
import { configFromConfState, confStateOf, memberIds, ProgressTracker, voterIds } from './tracker.ts';
import type { ConfState } from './types.ts';

function cs(fields: Partial<ConfState>): ConfState {
  return { voters: [], votersOutgoing: [], learners: [], learnersNext: [], autoLeave: false, ...fields };
}

describe('configFromConfState', () => {
  it('configFromConfState sorts and round-trips a valid configuration', () => {
    const c = configFromConfState(cs({ voters: [3, 1, 2], votersOutgoing: [1, 2, 4], learnersNext: [4], learners: [9], autoLeave: true }));
    expect(c.voters).toEqual([1, 2, 3]);
    expect(voterIds(c)).toEqual([1, 2, 3, 4]);
    expect(memberIds(c)).toEqual([1, 2, 3, 4, 9]);
    expect(configFromConfState(confStateOf(c))).toEqual(c);
  });

  it('configFromConfState refuses malformed configurations', () => {
    expect(() => configFromConfState(cs({ voters: [1, 1] }))).toThrow(ConfChangeError);
    expect(() => configFromConfState(cs({ voters: [0] }))).toThrow(ConfChangeError);
    expect(() => configFromConfState(cs({ voters: [1.5] }))).toThrow(ConfChangeError);
    expect(() => configFromConfState(cs({ voters: [1], learners: [1] }))).toThrow(/learner and a voter/);
    expect(() => configFromConfState(cs({ voters: [1], learnersNext: [2] }))).toThrow(ConfChangeError);
    expect(() => configFromConfState(cs({ voters: [1], autoLeave: true }))).toThrow(/joint/);
    expect(() => configFromConfState({ voters: 'x' } as unknown as ConfState)).toThrow(ConfChangeError);
  });
});

describe('ProgressTracker', () => {
  it('ProgressTracker keeps progress of members that stay and forgets removed ones', () => {
    const t = new ProgressTracker(4, 0);
    t.setConfig(configFromConfState(cs({ voters: [1, 2, 3] })), 5);
    t.progress.get(2)!.match = 4;
    t.setConfig(configFromConfState(cs({ voters: [1, 2], learners: [4] })), 7);
    expect([...t.progress.keys()]).toEqual([1, 2, 4]);
    expect(t.progress.get(2)!.match).toBe(4);
    expect(t.progress.get(4)!.isLearner).toBe(true);
    expect(t.progress.get(4)!.next).toBe(7);
  });

  it('ProgressTracker commits and counts votes by joint quorum, never by learners', () => {
    const t = new ProgressTracker(4, 0);
    t.setConfig(configFromConfState(cs({ voters: [1, 2, 3], votersOutgoing: [1, 4, 5], learners: [6] })), 1);
    for (const [id, m] of [[1, 9], [2, 9], [3, 1], [4, 1], [5, 1], [6, 9]] as const) t.progress.get(id)!.match = m;
    expect(t.committed()).toBe(1);
    t.progress.get(4)!.match = 9;
    expect(t.committed()).toBe(9);
    t.recordVote(1, true);
    t.recordVote(2, true);
    t.recordVote(6, true);
    expect(t.tallyVotes()).toBe('pending');
    t.recordVote(4, true);
    expect(t.tallyVotes()).toBe('won');
  });

  it('ProgressTracker.quorumHeartbeatTick is the quorum-th newest acknowledged send tick', () => {
    const t = new ProgressTracker(4, 0);
    t.setConfig(configFromConfState(cs({ voters: [1, 2, 3, 4, 5] })), 1);
    t.progress.get(2)!.heartbeatAckTick = 90;
    t.progress.get(3)!.heartbeatAckTick = 70;
    t.progress.get(4)!.heartbeatAckTick = 80;
    expect(t.quorumHeartbeatTick(1, 100)).toBe(80);
  });
});
