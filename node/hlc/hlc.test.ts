import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AssertionError } from '../assert.ts';
import { ManualClock, OffsetClock, type PhysicalClock } from './clock.ts';
import { ClockOffsetError } from './errors.ts';
import { Hlc } from './hlc.ts';
import { hlcMaxOffsetMicrosDefault } from './limits.ts';
import { compareTimestamps, maxOf, timestamp, zeroTimestamp, type Timestamp } from './timestamp.ts';

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

  it('stays monotonic when the physical clock steps backwards, and catches up after', () => {
    const clock = new ManualClock(start);
    const hlc = new Hlc(clock);
    hlc.now();
    clock.set(start - 5_000_000);
    expect(hlc.now()).toEqual({ wallMicros: start, logical: 1 });
    expect(hlc.now()).toEqual({ wallMicros: start, logical: 2 });
    clock.set(start + 1);
    expect(hlc.now()).toEqual({ wallMicros: start + 1, logical: 0 });
  });

  it('spills logical overflow into the wall time', () => {
    const clock = new ManualClock(start);
    const hlc = new Hlc(clock, { maxOffsetMicros: 1_000_000 });
    expect(hlc.update({ wallMicros: start, logical: 0xffff_ffff })).toEqual({ wallMicros: start + 1, logical: 0 });
    expect(hlc.now()).toEqual({ wallMicros: start + 1, logical: 1 });
  });

  it('asserts the physical clock gives integer microseconds', () => {
    const broken: PhysicalClock = { nowMicros: () => 1.5 };
    expect(() => new Hlc(broken).now()).toThrow(AssertionError);
  });
});

describe('Hlc.update', () => {
  it('adopts a remote timestamp ahead of local time but within the offset', () => {
    const clock = new ManualClock(start);
    const hlc = new Hlc(clock, { maxOffsetMicros: 500_000 });
    const t = hlc.update(timestamp(start + 100_000, 7));
    expect(t).toEqual({ wallMicros: start + 100_000, logical: 8 });
    expect(hlc.now()).toEqual({ wallMicros: start + 100_000, logical: 9 });
  });

  it('keeps local time when the remote is behind', () => {
    const clock = new ManualClock(start);
    const hlc = new Hlc(clock);
    expect(hlc.update(timestamp(start - 1000, 3))).toEqual({ wallMicros: start, logical: 0 });
    expect(hlc.update(timestamp(start - 1000, 3))).toEqual({ wallMicros: start, logical: 1 });
  });

  it('takes the larger logical part when wall times tie', () => {
    const clock = new ManualClock(start);
    const hlc = new Hlc(clock);
    hlc.now();
    hlc.now(); // start,1
    expect(hlc.update(timestamp(start, 9))).toEqual({ wallMicros: start, logical: 10 });
    expect(hlc.update(timestamp(start, 2))).toEqual({ wallMicros: start, logical: 11 });
  });

  it('resets the logical part when the physical clock has passed both', () => {
    const clock = new ManualClock(start);
    const hlc = new Hlc(clock);
    hlc.update(timestamp(start, 40));
    clock.advance(5);
    expect(hlc.update(timestamp(start + 2, 9))).toEqual({ wallMicros: start + 5, logical: 0 });
  });

  it('rejects a remote timestamp further ahead than the max offset, leaving the clock untouched', () => {
    const clock = new ManualClock(start);
    const hlc = new Hlc(clock, { maxOffsetMicros: 500_000 });
    const before = hlc.now();
    const remote = timestamp(start + 500_001, 3);
    expect(() => hlc.update(remote)).toThrow(ClockOffsetError);
    expect(() => hlc.update(remote)).toThrow(
      'remote timestamp 1700000000.500001,3 is 500001 µs ahead of the local clock 1700000000.000000,0, ' +
        'more than the max offset of 500000 µs',
    );
    try {
      hlc.update(remote);
    } catch (error) {
      expect(error).toBeInstanceOf(ClockOffsetError);
      const e = error as ClockOffsetError;
      expect([e.remote, e.localPhysicalMicros, e.maxOffsetMicros, e.aheadMicros]).toEqual([remote, start, 500_000, 500_001]);
    }
    expect(hlc.peek()).toEqual(before);
    expect(hlc.update(timestamp(start + 500_000))).toEqual({ wallMicros: start + 500_000, logical: 1 });
  });

  it('measures the offset against the physical clock, not the HLC', () => {
    const clock = new ManualClock(start);
    const hlc = new Hlc(clock, { maxOffsetMicros: 1000 });
    hlc.update(timestamp(start + 1000));
    // The HLC is now at start+1000, but a remote at start+1500 is still 1500 µs ahead of physical time.
    expect(() => hlc.update(timestamp(start + 1500))).toThrow(ClockOffsetError);
  });
});

describe('Hlc configuration and inspection', () => {
  it('defaults the max offset to 500 ms and validates it', () => {
    expect(new Hlc(new ManualClock()).maxOffsetMicros).toBe(hlcMaxOffsetMicrosDefault);
    expect(hlcMaxOffsetMicrosDefault).toBe(500_000);
    expect(new Hlc(new ManualClock(), { maxOffsetMicros: 0 }).maxOffsetMicros).toBe(0);
    expect(() => new Hlc(new ManualClock(), { maxOffsetMicros: -1 })).toThrow(RangeError);
    expect(() => new Hlc(new ManualClock(), { maxOffsetMicros: 0.5 })).toThrow(RangeError);
  });

  it('peek and physicalNow do not tick', () => {
    const clock = new ManualClock(start);
    const hlc = new Hlc(clock);
    expect(hlc.peek()).toEqual(zeroTimestamp);
    const t = hlc.now();
    expect(hlc.peek()).toEqual(t);
    expect(hlc.peek()).toEqual(t);
    clock.advance(3);
    expect(hlc.physicalNow()).toBe(start + 3);
    expect(hlc.peek()).toEqual(t);
  });

  it('forward moves ahead without an offset check and never back', () => {
    const clock = new ManualClock(start);
    const hlc = new Hlc(clock, { maxOffsetMicros: 10 });
    hlc.forward(timestamp(start + 60_000_000, 2));
    expect(hlc.now()).toEqual({ wallMicros: start + 60_000_000, logical: 3 });
    hlc.forward(timestamp(start, 0));
    expect(hlc.peek()).toEqual({ wallMicros: start + 60_000_000, logical: 3 });
    expect(String(hlc)).toMatch(/maxOffset=10µs/);
  });
});

describe('Hlc property', () => {
  type Step =
    | { kind: 'tick'; micros: number }
    | { kind: 'now'; node: number }
    | { kind: 'send'; from: number; to: number }
    | { kind: 'deliver'; pick: number };

  const nodes = 4;
  const maxOffset = 500_000;
  const node = fc.nat(nodes - 1);
  const steps = (tickMin: number) => fc.array(fc.oneof(
    fc.record({ kind: fc.constant('tick' as const), micros: fc.integer({ min: tickMin, max: 5000 }) }),
    fc.record({ kind: fc.constant('now' as const), node }),
    fc.record({ kind: fc.constant('send' as const), from: node, to: node }),
    fc.record({ kind: fc.constant('deliver' as const), pick: fc.nat() }),
  ), { maxLength: 300 });
  const skews = fc.array(fc.integer({ min: 0, max: maxOffset }), { minLength: nodes, maxLength: nodes });

  /**
   * Runs one history: clocks share a base that ticks (maybe backwards), each
   * skewed within the max offset; messages are delivered in any order. Every
   * event's timestamp must exceed everything in its causal past (its node's
   * earlier events and the sends it has received) and never run ahead of the
   * highest physical reading seen.
   */
  function run(skewMicros: number[], history: Step[], allowOffsetErrors: boolean): void {
    const base = new ManualClock(start);
    const clocks = skewMicros.map((skew) => new OffsetClock(base, skew));
    const hlcs = clocks.map((c) => new Hlc(c, { maxOffsetMicros: maxOffset }));
    const causalPast: Timestamp[] = hlcs.map(() => zeroTimestamp);
    const inFlight: { to: number; sent: Timestamp }[] = [];
    let physicalHigh = 0;
    const observe = (n: number, t: Timestamp) => {
      expect(compareTimestamps(t, causalPast[n]!)).toBeGreaterThan(0);
      expect(t.wallMicros).toBeLessThanOrEqual(physicalHigh);
      causalPast[n] = t;
    };
    const read = (n: number) => {
      physicalHigh = Math.max(physicalHigh, clocks[n]!.nowMicros());
      return hlcs[n]!;
    };
    for (const s of history) {
      if (s.kind === 'tick') base.set(Math.max(0, base.nowMicros() + s.micros));
      else if (s.kind === 'now') observe(s.node, read(s.node).now());
      else if (s.kind === 'send') {
        const sent = read(s.from).now();
        observe(s.from, sent);
        inFlight.push({ to: s.to, sent });
      } else if (inFlight.length > 0) {
        const [message] = inFlight.splice(s.pick % inFlight.length, 1);
        const hlc = read(message!.to);
        const before = hlc.peek();
        let received: Timestamp;
        try {
          received = hlc.update(message!.sent);
        } catch (error) {
          expect(error).toBeInstanceOf(ClockOffsetError);
          expect(allowOffsetErrors).toBe(true);
          expect(message!.sent.wallMicros - hlc.physicalNow()).toBeGreaterThan(maxOffset);
          expect(hlc.peek()).toEqual(before);
          continue;
        }
        expect(compareTimestamps(received, message!.sent)).toBeGreaterThan(0);
        causalPast[message!.to] = maxOf(causalPast[message!.to]!, message!.sent);
        observe(message!.to, received);
      }
    }
  }

  it('is strictly increasing per node and preserves send → receive order', () => {
    fc.assert(fc.property(skews, steps(-2000), (s, h) => run(s, h, true)), { numRuns: 200 });
  });

  it('never rejects a message while clocks move forward within the max offset', () => {
    fc.assert(fc.property(skews, steps(0), (s, h) => run(s, h, false)), { numRuns: 200 });
  });
});
