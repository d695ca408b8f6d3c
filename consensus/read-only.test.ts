import { describe, expect, it } from 'vitest';
import { readIndexPendingMax } from './limits.ts';
import { ReadOnly } from './read-only.ts';

const ctx = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('ReadOnly', () => {
  it('ReadOnly releases a request and every one queued before it', () => {
    const ro = new ReadOnly();
    expect(ro.add(5, 0, ctx('a'))).toBe(true);
    expect(ro.add(6, 2, ctx('b'))).toBe(true);
    expect(ro.add(7, 0, ctx('c'))).toBe(true);
    expect([...ro.recvAck(2, ctx('b'))!]).toEqual([2]);
    const released = ro.advance(ctx('b'));
    expect(released.map((r) => [r.index, r.from])).toEqual([[5, 0], [6, 2]]);
    expect(ro.size).toBe(1);
    expect(new TextDecoder().decode(ro.lastPendingContext())).toBe('c');
  });

  it('ReadOnly refuses a duplicate context and a full queue', () => {
    const ro = new ReadOnly();
    expect(ro.add(1, 0, ctx('a'))).toBe(true);
    expect(ro.add(2, 0, ctx('a'))).toBe(false);
    for (let i = 1; i < readIndexPendingMax; i++) ro.add(1, 0, ctx(`r${i}`));
    expect(ro.add(1, 0, ctx('one too many'))).toBe(false);
  });

  it('ReadOnly ignores acknowledgements of unknown contexts', () => {
    const ro = new ReadOnly();
    expect(ro.recvAck(2, ctx('x'))).toBeUndefined();
    expect(ro.advance(ctx('x'))).toEqual([]);
    ro.add(1, 0, ctx('x'));
    ro.reset();
    expect(ro.size).toBe(0);
  });
});
