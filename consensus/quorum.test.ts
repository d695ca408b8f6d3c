import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jointCommitted, jointVoteResult, majorityCommitted, majorityVoteResult, quorumSize } from './quorum.ts';

/** Voters 1..n with an acknowledged index each (0 when missing). */
const ackedConfig = fc.array(fc.option(fc.nat(100), { nil: undefined }), { minLength: 0, maxLength: 9 });
const votesConfig = fc.array(fc.option(fc.boolean(), { nil: undefined }), { minLength: 0, maxLength: 9 });

function ids(n: number, from = 1): number[] {
  return Array.from({ length: n }, (_, i) => i + from);
}

/** The definition: the largest i such that a majority acknowledged at least i. */
function bruteCommitted(acked: readonly (number | undefined)[]): number {
  if (acked.length === 0) return Number.MAX_SAFE_INTEGER;
  const values = acked.map((a) => a ?? 0);
  let best = 0;
  for (const candidate of values) {
    const count = values.filter((v) => v >= candidate).length;
    if (count >= quorumSize(values.length)) best = Math.max(best, candidate);
  }
  return best;
}

describe('quorumSize', () => {
  it('quorumSize is a strict majority', () => {
    expect([1, 2, 3, 4, 5, 6, 7].map(quorumSize)).toEqual([1, 2, 2, 3, 3, 4, 4]);
  });
});

describe('majorityCommitted', () => {
  it('majorityCommitted of examples', () => {
    expect(majorityCommitted([1, 2, 3], (id) => [0, 5, 3, 1][id])).toBe(3);
    expect(majorityCommitted([1, 2, 3, 4], (id) => [0, 5, 3, 1, 9][id])).toBe(3);
    expect(majorityCommitted([1], () => 7)).toBe(7);
    expect(majorityCommitted([1, 2, 3], () => undefined)).toBe(0);
    expect(majorityCommitted([], () => 1)).toBe(Number.MAX_SAFE_INTEGER);
  });

  it('majorityCommitted matches the definition (property)', () => {
    fc.assert(fc.property(ackedConfig, (acked) => {
      const voters = ids(acked.length);
      expect(majorityCommitted(voters, (id) => acked[id - 1])).toBe(bruteCommitted(acked));
    }));
  });

  it('majorityCommitted never decreases when one acknowledgement grows (property)', () => {
    fc.assert(fc.property(ackedConfig, fc.nat(8), fc.nat(50), (acked, who, by) => {
      if (acked.length === 0) return;
      const voters = ids(acked.length);
      const before = majorityCommitted(voters, (id) => acked[id - 1]);
      const i = who % acked.length;
      const grown = acked.slice();
      grown[i] = (grown[i] ?? 0) + by;
      expect(majorityCommitted(voters, (id) => grown[id - 1])).toBeGreaterThanOrEqual(before);
    }));
  });
});

describe('jointCommitted', () => {
  it('jointCommitted is the smaller of both halves (property)', () => {
    fc.assert(fc.property(ackedConfig, fc.nat(9), fc.nat(9), (acked, inCount, outCount) => {
      // Overlapping halves drawn from the same voters.
      const all = ids(acked.length);
      const incoming = all.slice(0, Math.min(inCount, all.length));
      const outgoing = all.slice(Math.max(0, all.length - outCount));
      const lookup = (id: number) => acked[id - 1];
      const expected = Math.min(bruteCommitted(incoming.map(lookup)), bruteCommitted(outgoing.map(lookup)));
      const got = jointCommitted(incoming, outgoing, lookup);
      if (incoming.length === 0 && outgoing.length === 0) expect(got).toBe(Number.MAX_SAFE_INTEGER);
      else expect(got).toBe(expected);
    }));
  });

  it('jointCommitted with an empty outgoing half equals the majority', () => {
    expect(jointCommitted([1, 2, 3], [], (id) => id)).toBe(2);
    expect(jointCommitted([1, 2, 3], [3, 4, 5], (id) => id * 10)).toBe(20);
  });
});

describe('majorityVoteResult', () => {
  it('majorityVoteResult of examples', () => {
    expect(majorityVoteResult([], () => undefined)).toBe('won');
    expect(majorityVoteResult([1, 2, 3], (id) => (id === 1 ? true : undefined))).toBe('pending');
    expect(majorityVoteResult([1, 2, 3], (id) => id !== 3)).toBe('won');
    expect(majorityVoteResult([1, 2, 3], (id) => (id === 1 ? true : false))).toBe('lost');
    expect(majorityVoteResult([1, 2, 3, 4], (id) => (id <= 2 ? true : undefined))).toBe('pending');
    expect(majorityVoteResult([1, 2, 3, 4], (id) => id <= 2)).toBe('lost');
  });

  it('majorityVoteResult follows the counts (property)', () => {
    fc.assert(fc.property(votesConfig, (votes) => {
      const voters = ids(votes.length);
      const granted = votes.filter((v) => v === true).length;
      const missing = votes.filter((v) => v === undefined).length;
      const q = quorumSize(votes.length);
      const expected = votes.length === 0 || granted >= q ? 'won' : granted + missing >= q ? 'pending' : 'lost';
      expect(majorityVoteResult(voters, (id) => votes[id - 1])).toBe(expected);
    }));
  });
});

describe('jointVoteResult', () => {
  it('jointVoteResult wins only when both halves win and loses when either loses (property)', () => {
    fc.assert(fc.property(votesConfig, fc.nat(9), fc.nat(9), (votes, inCount, outCount) => {
      const all = ids(votes.length);
      const incoming = all.slice(0, Math.min(inCount, all.length));
      const outgoing = all.slice(Math.max(0, all.length - outCount));
      const lookup = (id: number) => votes[id - 1];
      const a = majorityVoteResult(incoming, lookup);
      const b = majorityVoteResult(outgoing, lookup);
      const got = jointVoteResult(incoming, outgoing, lookup);
      if (a === 'won' && b === 'won') expect(got).toBe('won');
      else if (a === 'lost' || b === 'lost') expect(got).toBe('lost');
      else expect(got).toBe('pending');
    }));
  });
});
