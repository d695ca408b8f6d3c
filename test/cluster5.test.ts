/**
 * A five-node cluster of real processes keeps serving with two nodes killed
 * (a minority), and every acknowledged write survives.
 */
import { describe, expect, it } from 'vitest';
import { KvClient } from '../node/client.ts';
import { startCluster, status, until, trackProcesses } from './cluster-helpers.ts';

const { procs, dirs } = trackProcesses();

describe('five-node cluster of real processes', () => {
  it('tolerates losing two nodes, the leader among them', async () => {
    const addresses = await startCluster(5, procs, dirs);
    const client = new KvClient(addresses);
    try {
      const keys = Array.from({ length: 100 }, (_, i) => Buffer.from(`five-${String(i).padStart(3, '0')}`));
      await Promise.all(keys.map((k) => client.put(k, k)));
      const statuses = await Promise.all(addresses.map(status));
      const leader = statuses.findIndex((s) => s.ranges[0]?.role === 'leader');
      const victims = [leader, (leader + 1) % 5];
      for (const v of victims) procs[v]!.child.kill('SIGKILL');
      const rows = await until('reads with two nodes down', async () => {
        const r = await client.scan(Buffer.from('five-'), Buffer.from('five.'));
        return r.length === 100 ? r : null;
      }, 30_000);
      expect(rows.map((r) => r.value.toString())).toEqual(keys.map((k) => k.toString()));
      await client.put(Buffer.from('five-after'), Buffer.from('ok'));
      const desc = await client.rangeLookup(Buffer.from('five-after'));
      expect(desc?.replicas.map((r) => r.nodeId)).toEqual([1, 2, 3, 4, 5]);
      expect((await client.get(Buffer.from('five-after')))?.toString()).toBe('ok');
    } finally {
      client.close();
    }
  }, 120_000);
});
