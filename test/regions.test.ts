/**
 * Simulated regions: three processes in three regions with a simulated round
 * trip between each pair; a replicated write pays at least one round trip to
 * the nearest follower.
 */
import { describe, expect, it } from 'vitest';
import { KvClient } from '../node/client.ts';
import { parseSimulatedLatency, regionOf } from '../node/server.ts';
import { startCluster, until, trackProcesses } from './cluster-helpers.ts';

const { procs, dirs } = trackProcesses();

describe('simulated regions', () => {
  it('parses localities and latency specs', () => {
    expect(regionOf('region=eu-west,zone=b')).toBe('eu-west');
    expect(regionOf('zone=b')).toBe('');
    expect([...parseSimulatedLatency('us-east=eu-west:70ms, ap-south=us-east:120ms')]).toEqual([['eu-west|us-east', 70], ['ap-south|us-east', 120]]);
    expect(() => parseSimulatedLatency('us-east=eu-west')).toThrow(/bad simulated latency/);
  });

  it('slows replication between regions by the simulated round trip', async () => {
    const regions = ['us-east', 'eu-west', 'ap-south'];
    const latency = 'us-east=eu-west:80ms,us-east=ap-south:120ms,eu-west=ap-south:160ms';
    const addresses = await startCluster(3, procs, dirs, (i) => ['--locality', `region=${regions[i]}`, '--simulated-latency', latency]);
    const client = new KvClient(addresses);
    try {
      await client.put(Buffer.from('warm'), Buffer.from('x'));
      // Localities are learned from the peers' status; wait until writes feel the distance.
      const elapsed = await until('writes to pay the simulated round trip', async () => {
        const started = performance.now();
        await client.put(Buffer.from('k'), Buffer.from('v'));
        const ms = performance.now() - started;
        return ms >= 70 ? ms : null;
      });
      expect(elapsed).toBeGreaterThanOrEqual(70);
      expect((await client.get(Buffer.from('k')))?.toString()).toBe('v');
    } finally {
      client.close();
    }
  }, 60_000);
});
