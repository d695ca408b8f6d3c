/** `meridian demo` starts a cluster in simulated regions, serves, and stops cleanly. */
import { describe, expect, it, vi } from 'vitest';
import { runDemo } from '../node/demo.ts';
import { freePort } from './cluster-helpers.ts';

describe('meridian demo', () => {
  it('starts three nodes in three regions and stops by itself', async () => {
    const base = 20000 + ((await freePort()) % 20000);
    const writes: string[] = [];
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      writes.push(String(chunk));
      return true;
    });
    try {
      await runDemo({ nodes: 3, basePort: base, stopAfterMs: 1500 });
    } finally {
      spy.mockRestore();
    }
    const out = writes.join('');
    expect(out).toMatch(/3 nodes in 3 simulated regions/);
    expect(out).toMatch(/us-east[\s\S]*eu-west[\s\S]*ap-south/);
    expect(out).toMatch(/demo stopped/);
  }, 60_000);
});
