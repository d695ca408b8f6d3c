import { describe, expect, it } from 'vitest';
import { LatchManager } from './latches.ts';

const k = (s: string) => Buffer.from(s);

describe('LatchManager', () => {
  it('serialises overlapping spans and lets disjoint ones run together', async () => {
    const latches = new LatchManager();
    const order: string[] = [];
    const releaseA = await latches.acquire([{ key: k('a'), endKey: k('m') }]);
    const b = latches.acquire([k('c')]).then((release) => { order.push('b'); return release; });
    const c = latches.acquire([k('x')]).then((release) => { order.push('c'); return release; });
    const releaseC = await c;
    expect(order).toEqual(['c']);
    order.push('release a');
    releaseA();
    const releaseB = await b;
    expect(order).toEqual(['c', 'release a', 'b']);
    releaseB();
    releaseC();
    expect(latches.size).toBe(0);
  });

  it('point keys do not overlap their neighbours', async () => {
    const latches = new LatchManager();
    const r1 = await latches.acquire([k('a')]);
    const r2 = await latches.acquire([k('a\u0000')]);
    r1();
    r2();
    expect(latches.size).toBe(0);
  });

  it('reads share latches with reads but wait for writes, and writes wait for reads', async () => {
    const latches = new LatchManager();
    const order: string[] = [];
    const read1 = await latches.acquire([{ key: k('a'), read: true }]);
    const read2 = await latches.acquire([{ key: k('a'), endKey: k('c'), read: true }]);
    const write = latches.acquire([k('b')]).then((release) => { order.push('write'); return release; });
    const read3 = latches.acquire([{ key: k('b'), read: true }]).then((release) => { order.push('read3'); return release; });
    await new Promise((r) => setTimeout(r, 5));
    expect(order).toEqual([]);
    read1();
    read2();
    (await write)();
    (await read3)();
    expect(order).toEqual(['write', 'read3']);
    expect(latches.size).toBe(0);
  });
});
