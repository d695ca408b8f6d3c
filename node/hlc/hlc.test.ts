import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ManualClock, OffsetClock } from './clock.ts';
import { ClockOffsetError } from './errors.ts';
import { Hlc } from './hlc.ts';
import { compareTimestamps, timestamp, type Timestamp } from './timestamp.ts';

const start = 1_700_000_000_000_000;

describe('Hlc.now', () => {
  it('follows the physical clock when it moves forward', () => {
    const clock = new ManualClock(start);
    const hlc = new Hlc(clock);
    expect(hlc.now()).toEqual({ wallMicros: start, logical: 0 });
    clock.advance(10);
    expect(hlc.now()).toEqual({ wallMicros: start + 10, logical: 0 });
  });

  it('ticks the logical counter while the physical clock stands still', () => {
    const clock = new ManualClock(start);
    const hlc = new Hlc(clock);
    hlc.now();
    expect(hlc.now()).toEqual({ wallMicros: start, logical: 1 });
    expect(hlc.now()).toEqual({ wallMicros: start, logical: 2 });
  });

  it('stays monotonic when the physical clock steps backwards', () => {
    const clock = new ManualClock(start);
    const hlc = new Hlc(clock);
    const before = hlc.now();
    clock.set(start - 5_000_000);
    const after = hlc.now();
    expect(compareTimestamps(after, before)).toBeGreaterThan(0);
    expect(after.wallMicros).toBe(start);
  });

  it('spills logical overflow into the wall time', () => {
    const clock = new ManualClock(start);
    const hlc = new Hlc(clock, { maxOffsetMicros: 1_000_000 });
    expect(hlc.update({ wallMicros: start, logical: 0xffff_ffff })).toEqual({ wallMicros: start + 1, logical: 0 });
    expect(hlc.now()).toEqual({ wallMicros: start + 1, logical: 1 });
  });
});

describe('Hlc.update', () => {
  it('adopts a remote timestamp ahead of local time but within the offset', () => {
    const clock = new ManualClock(start);
    const hlc = new Hlc(clock, { maxOffsetMicros: 500_000 });
    const t = hlc.update(timestamp(start + 100_000, 7));
    expect(t).toEqual({ wallMicros: start + 100_000, logical: 8 });
    expect(compareTimestamps(hlc.now(), t)).toBeGreaterThan(0);
  });

  it('keeps local time when the remote is behind', () => {
    const clock = new ManualClock(start);
    const hlc = new Hlc(clock);
    const t = hlc.update(timestamp(start - 1000, 3));
    expect(t).toEqual({ wallMicros: start, logical: 0 });
  });

  it('takes the larger logical part when wall times tie', () => {
    const clock = new ManualClock(start);
    const hlc = new Hlc(clock);
    hlc.now();
    hlc.now(); // start,1
    expect(hlc.update(timestamp(start, 9))).toEqual({ wallMicros: start, logical: 10 });
    expect(hlc.update(timestamp(start, 2))).toEqual({ wallMicros: start, logical: 11 });
  });

  it('rejects a remote timestamp further ahead than the max offset', () => {
    const clock = new ManualClock(start);
    const hlc = new Hlc(clock, { maxOffsetMicros: 500_000 });
    const before = hlc.now();
    expect(() => hlc.update(timestamp(start + 500_001))).toThrow(ClockOffsetError);
    expect(() => hlc.update(timestamp(start + 500_001))).toThrow(/ahead of the local clock.*max offset of 500000/);
    expect(hlc.peek()).toEqual(before);
    expect(() => hlc.update(timestamp(start + 500_000))).not.toThrow();
  });
});

describe('OffsetClock', () => {
  it('skews its base clock by an adjustable offset', () => {
    const base = new ManualClock(start);
    const skewed = new OffsetClock(base, 250);
    expect(skewed.nowMicros()).toBe(start + 250);
    skewed.offsetMicros = -1000;
    expect(skewed.nowMicros()).toBe(start - 1000);
  });
});

describe('Hlc property', () => {
  type Step =
    | { kind: 'tick'; node: number; micros: number }
    | { kind: 'now'; node: number }
    | { kind: 'send'; from: number; to: number };

  const nodes = 4;
  const maxOffset = 500_000;
  const step: fc.Arbitrary<Step> = fc.oneof(
    fc.record({ kind: fc.constant('tick' as const), node: fc.nat(nodes - 1), micros: fc.integer({ min: -2000, max: 5000 }) }),
    fc.record({ kind: fc.constant('now' as const), node: fc.nat(nodes - 1) }),
    fc.record({ kind: fc.constant('send' as const), from: fc.nat(nodes - 1), to: fc.nat(nodes - 1) }),
  );

  it('is strictly increasing per node and preserves send → receive order', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 200_000 }), { minLength: nodes, maxLength: nodes }), fc.array(step, { maxLength: 300 }), (skews, steps) => {
        const base = new ManualClock(start);
        const clocks = skews.map((skew) => new OffsetClock(base, skew));
        const hlcs = clocks.map((c) => new Hlc(c, { maxOffsetMicros: maxOffset }));
        const last: Timestamp[] = hlcs.map(() => ({ wallMicros: 0, logical: 0 }));
        const observe = (node: number, t: Timestamp) => {
          expect(compareTimestamps(t, last[node]!)).toBeGreaterThan(0);
          last[node] = t;
        };
        for (const s of steps) {
          if (s.kind === 'tick') base.set(Math.max(0, base.nowMicros() + s.micros));
          else if (s.kind === 'now') observe(s.node, hlcs[s.node]!.now());
          else {
            const sent = hlcs[s.from]!.now();
            observe(s.from, sent);
            const received = hlcs[s.to]!.update(sent);
            expect(compareTimestamps(received, sent)).toBeGreaterThan(0);
            observe(s.to, received);
          }
        }
      }),
      { numRuns: 200 },
    );
  });
});
