import { describe, expect, it } from 'vitest';
import { parseSoakArgs, soakRaft, type SoakIo } from './soak.ts';

function capture(): SoakIo & { errText: () => string; outText: () => string } {
  let err = '';
  let out = '';
  let clock = 0;
  return {
    now: () => (clock += 4000),
    err: (t) => void (err += t),
    out: (t) => void (out += t),
    errText: () => err,
    outText: () => out,
  };
}

describe('parseSoakArgs', () => {
  it('reads seed ranges, one seed, and overrides', () => {
    expect(parseSoakArgs(['--seeds', '100000'])).toEqual({ first: 1, count: 100000, overrides: {}, trace: false });
    expect(parseSoakArgs(['--seed=42', '--steps', '900', '--nodes', '5'])).toEqual({
      first: 42, count: 1, overrides: { steps: 900, voters: 5 }, trace: false,
    });
    expect(parseSoakArgs(['--start', '7', '--seeds', '3']).first).toBe(7);
    expect(() => parseSoakArgs(['--seeds', 'many'])).toThrow(/non-negative integer/);
    expect(() => parseSoakArgs(['--bogus'])).toThrow();
  });
});

describe('soakRaft', () => {
  it('runs the seeds it is given, reports progress and a one-line summary, and exits 0', () => {
    const io = capture();
    expect(soakRaft(['--seeds', '3', '--start', '5', '--steps', '60'], io)).toBe(0);
    const summary = JSON.parse(io.outText()) as { ok: boolean; seeds: number; first: number };
    expect(summary).toMatchObject({ ok: true, seeds: 3, first: 5 });
    expect(io.outText().trim().split('\n')).toHaveLength(1);
    expect(io.errText()).toContain('raft soak: ');
  });

  it('exits 2 on bad flags', () => {
    const io = capture();
    expect(soakRaft(['--seeds', '-1'], io)).toBe(2);
    expect(io.errText()).toContain('usage: npm run soak -- raft');
  });
});
