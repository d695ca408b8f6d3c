import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareTimestamps, nextTimestamp, timestamp } from '../hlc/index.ts';
import { TimestampCache } from './tscache.ts';

const key = (n: number): Buffer => Buffer.from([0x04, n]);
const id = (n: number): Buffer => Buffer.alloc(16, n);

describe('TimestampCache', () => {
  it('getMax reports the highest read over overlapping spans only', () => {
    const c = new TimestampCache(timestamp(10));
    c.add(key(1), key(5), timestamp(20), id(1));
    c.add(key(3), undefined, timestamp(30), id(2));
    expect(c.getMax(key(3)).timestamp).toEqual(timestamp(30));
    expect(c.getMax(key(4)).timestamp).toEqual(timestamp(20));
    expect(c.getMax(key(6)).timestamp).toEqual(timestamp(10));
    expect(c.getMax(key(0), key(9)).timestamp).toEqual(timestamp(30));
  });

  it('writeFloor ignores the writer\'s own reads', () => {
    const c = new TimestampCache(timestamp(0));
    c.add(key(1), undefined, timestamp(50), id(7));
    expect(c.writeFloor(key(1), undefined, timestamp(40), id(7))).toEqual(timestamp(40));
    expect(c.writeFloor(key(1), undefined, timestamp(40), id(8))).toEqual(nextTimestamp(timestamp(50)));
    expect(c.writeFloor(key(1), undefined, timestamp(60), id(8))).toEqual(timestamp(60));
  });

  it('stays bounded and never under-reports a read (property)', () => {
    fc.assert(fc.property(
      fc.array(fc.record({ lo: fc.integer({ min: 0, max: 50 }), len: fc.integer({ min: 0, max: 5 }), ts: fc.integer({ min: 1, max: 1000 }) }), { maxLength: 200 }),
      fc.integer({ min: 0, max: 55 }),
      (reads, probe) => {
        const c = new TimestampCache(timestamp(0), { entriesMax: 8 });
        for (const r of reads) c.add(key(r.lo), r.len === 0 ? undefined : key(r.lo + r.len), timestamp(r.ts), null);
        expect(c.size).toBeLessThanOrEqual(8);
        const truth = reads.filter((r) => probe >= r.lo && probe < r.lo + Math.max(1, r.len)).reduce((m, r) => Math.max(m, r.ts), 0);
        expect(compareTimestamps(c.getMax(key(probe)).timestamp, timestamp(truth))).toBeGreaterThanOrEqual(0);
      },
    ), { seed: 42, numRuns: 200 });
  });
});
