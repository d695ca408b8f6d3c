import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  applyConfChange, ConfChangeError, decodeConfChange, describeConfChange, encodeConfChange, enterJoint, leaveJoint, simpleChange,
} from './confchange.ts';
import { checkConfig, configFromConfState, confStateOf, emptyConfig, type TrackerConfig } from './tracker.ts';
import type { ConfChange, ConfChangeSingle } from './types.ts';

function config(voters: number[], learners: number[] = []): TrackerConfig {
  return configFromConfState({ voters, votersOutgoing: [], learners, learnersNext: [], autoLeave: false });
}

const v = (replicaId: number): ConfChangeSingle => ({ type: 'addVoter', replicaId });
const l = (replicaId: number): ConfChangeSingle => ({ type: 'addLearner', replicaId });
const r = (replicaId: number): ConfChangeSingle => ({ type: 'removeReplica', replicaId });

describe('simpleChange', () => {
  it('simpleChange adds and removes one voter at a time', () => {
    expect(simpleChange(config([1, 2, 3]), [v(4)]).voters).toEqual([1, 2, 3, 4]);
    expect(simpleChange(config([1, 2, 3]), [r(2)]).voters).toEqual([1, 3]);
    expect(() => simpleChange(config([1, 2, 3]), [v(4), v(5)])).toThrow(/more than one voter/);
    expect(() => simpleChange(config([1]), [r(1)])).toThrow(/removed all voters/);
  });

  it('simpleChange promotes a learner and adds learners freely', () => {
    const c = simpleChange(config([1, 2, 3], [4]), [v(4)]);
    expect(c.voters).toEqual([1, 2, 3, 4]);
    expect(c.learners).toEqual([]);
    expect(simpleChange(config([1]), [l(2), l(3), l(4)]).learners).toEqual([2, 3, 4]);
  });

  it('simpleChange demotes a voter to a learner directly', () => {
    const c = simpleChange(config([1, 2, 3]), [l(3)]);
    expect(c.voters).toEqual([1, 2]);
    expect(c.learners).toEqual([3]);
  });

  it('simpleChange is refused in a joint configuration', () => {
    expect(() => simpleChange(enterJoint(config([1, 2, 3]), true, [v(4)]), [v(5)])).toThrow(ConfChangeError);
  });

  it('simpleChange bootstraps an empty configuration with one voter', () => {
    expect(simpleChange(emptyConfig, [v(1)]).voters).toEqual([1]);
  });
});

describe('enterJoint and leaveJoint', () => {
  it('enterJoint keeps the old voters as the outgoing half', () => {
    const c = enterJoint(config([1, 2, 3]), true, [v(4), r(1)]);
    expect(c.voters).toEqual([2, 3, 4]);
    expect(c.votersOutgoing).toEqual([1, 2, 3]);
    expect(c.autoLeave).toBe(true);
    const left = leaveJoint(c);
    expect(confStateOf(left)).toEqual({ voters: [2, 3, 4], votersOutgoing: [], learners: [], learnersNext: [], autoLeave: false });
  });

  it('enterJoint demotes an outgoing voter through learnersNext', () => {
    const c = enterJoint(config([1, 2, 3]), false, [l(3), v(4)]);
    expect(c.learnersNext).toEqual([3]);
    expect(c.learners).toEqual([]);
    expect(c.votersOutgoing).toContain(3);
    const left = leaveJoint(c);
    expect(left.learners).toEqual([3]);
    expect(left.voters).toEqual([1, 2, 4]);
  });

  it('enterJoint is refused when joint already or with no voters', () => {
    expect(() => enterJoint(enterJoint(config([1, 2]), true, [v(3)]), true, [v(4)])).toThrow(/already joint/);
    expect(() => enterJoint(emptyConfig, true, [v(1)])).toThrow(/zero-voter/);
    expect(() => enterJoint(config([1, 2]), true, [r(1), r(2)])).toThrow(/removed all voters/);
  });

  it('leaveJoint is refused outside a joint configuration', () => {
    expect(() => leaveJoint(config([1, 2, 3]))).toThrow(/not joint/);
  });
});

describe('applyConfChange', () => {
  it('applyConfChange picks the transition from the change', () => {
    const base = config([1, 2, 3]);
    expect(applyConfChange(base, { changes: [v(4)], transition: 'auto' }).votersOutgoing).toEqual([]);
    expect(applyConfChange(base, { changes: [v(4)], transition: 'joint' }).votersOutgoing).toEqual([1, 2, 3]);
    const explicit = applyConfChange(base, { changes: [v(4), v(5)], transition: 'jointExplicit' });
    expect(explicit.autoLeave).toBe(false);
    expect(applyConfChange(explicit, { changes: [], transition: 'auto' }).voters).toEqual([1, 2, 3, 4, 5]);
  });

  it('applyConfChange rejects invalid replica IDs', () => {
    expect(() => applyConfChange(config([1]), { changes: [v(0)], transition: 'auto' })).toThrow(ConfChangeError);
    expect(() => applyConfChange(config([1]), { changes: [v(1.5)], transition: 'auto' })).toThrow(ConfChangeError);
  });

  const change = fc.record({
    type: fc.constantFrom('addVoter' as const, 'addLearner' as const, 'removeReplica' as const),
    replicaId: fc.integer({ min: 1, max: 6 }),
  });
  const confChange = fc.record({
    changes: fc.array(change, { maxLength: 4 }),
    transition: fc.constantFrom('auto' as const, 'joint' as const, 'jointExplicit' as const),
  });

  it('applyConfChange keeps every invariant or throws ConfChangeError (property)', () => {
    fc.assert(fc.property(fc.array(confChange, { maxLength: 20 }), (changes) => {
      let c = config([1, 2, 3]);
      for (const cc of changes) {
        let next: TrackerConfig;
        try {
          next = applyConfChange(c, cc);
        } catch (error) {
          expect(error).toBeInstanceOf(ConfChangeError);
          continue;
        }
        checkConfig(next);
        expect(next.voters.length).toBeGreaterThan(0);
        if (cc.changes.length === 1 && cc.transition === 'auto') {
          // A simple change moves at most one voter.
          const moved = next.voters.filter((id) => !c.voters.includes(id)).length + c.voters.filter((id) => !next.voters.includes(id)).length;
          expect(moved).toBeLessThanOrEqual(1);
        }
        c = next;
      }
    }));
  });
});

describe('encodeConfChange', () => {
  it('encodeConfChange round-trips (property)', () => {
    const cc = fc.record({
      changes: fc.array(fc.record({
        type: fc.constantFrom('addVoter' as const, 'addLearner' as const, 'removeReplica' as const),
        replicaId: fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
      }), { maxLength: 10 }),
      transition: fc.constantFrom('auto' as const, 'joint' as const, 'jointExplicit' as const),
      context: fc.uint8Array({ maxLength: 20 }),
    });
    fc.assert(fc.property(cc, (change: ConfChange) => {
      expect(decodeConfChange(encodeConfChange(change))).toEqual(change);
    }));
  });

  it('decodeConfChange throws only ConfChangeError on arbitrary bytes (property)', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 60 }), (bytes) => {
      try {
        decodeConfChange(bytes);
      } catch (error) {
        expect(error).toBeInstanceOf(ConfChangeError);
      }
    }));
  });

  it('decodeConfChange rejects truncated, unknown and invalid input', () => {
    const good = encodeConfChange({ changes: [v(4)], transition: 'auto' });
    expect(() => decodeConfChange(good.subarray(0, good.length - 1))).toThrow(/truncated/);
    expect(() => decodeConfChange(new Uint8Array([2, 0, 0, 0, 0, 0]))).toThrow(ConfChangeError);
    expect(() => decodeConfChange(new Uint8Array([1, 9, 0, 0, 0, 0]))).toThrow(/transition/);
    const badType = good.slice();
    badType[6] = 7;
    expect(() => decodeConfChange(badType)).toThrow(/entry/);
    const zero = encodeConfChange({ changes: [v(4)], transition: 'auto' });
    new DataView(zero.buffer).setFloat64(7, 0);
    expect(() => decodeConfChange(zero)).toThrow(/entry/);
    expect(() => encodeConfChange({ changes: [v(-1)], transition: 'auto' })).toThrow(ConfChangeError);
  });

  it('describeConfChange is compact', () => {
    expect(describeConfChange({ changes: [v(4), l(5), r(2)], transition: 'joint' })).toBe('v4 l5 r2 (joint)');
    expect(describeConfChange({ changes: [], transition: 'auto' })).toBe('leave joint');
  });
});
