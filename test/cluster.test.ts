/**
 * A real three-process cluster on loopback: init, replicated writes through
 * the gRPC KV service, kill -9 of the leader, reads of every acknowledged
 * write from the survivors, restart from the store, node status, and bad
 * input (malformed requests, another cluster's Raft traffic).
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { KvClient } from '../node/client.ts';
import {
  decodeMessage, dial, encodeMessage, GrpcRaftTransport, BatchRequestType, BatchResponseType, unary,
} from '../node/rpc/index.ts';
import { bin, fault, startCluster, startNode, status, until, trackProcesses } from './cluster-helpers.ts';

const { procs, dirs } = trackProcesses();

describe('three-node cluster of real processes', () => {
  it('survives kill -9 of the leader with every acknowledged write readable', async () => {
    const addresses = await startCluster(3, procs, dirs);
    const again = spawnSync(process.execPath, [bin, 'init', '--host', addresses[1]!, '--join', addresses.join(',')], { encoding: 'utf8', timeout: 60_000 });
    expect(again.status).toBe(1);
    expect(again.stderr).toMatch(/already part of cluster/);

    const client = new KvClient(addresses);
    try {
      const keys = Array.from({ length: 300 }, (_, i) => Buffer.from(`key-${String(i).padStart(4, '0')}`));
      for (let i = 0; i < keys.length; i += 30) {
        await Promise.all(keys.slice(i, i + 30).map((k) => client.put(k, Buffer.concat([Buffer.from('value-'), k]))));
      }
      expect((await client.get(keys[7]!))?.toString()).toBe('value-key-0007');

      const statuses = await Promise.all(addresses.map(status));
      const leaderIndex = statuses.findIndex((s) => s.ranges[0]?.role === 'leader');
      expect(leaderIndex).toBeGreaterThanOrEqual(0);
      procs[leaderIndex]!.child.kill('SIGKILL');

      const rows = await until('reads after the leader died', async () => {
        const r = await client.scan(Buffer.from('key-'), Buffer.from('key.'));
        return r.length === 300 ? r : null;
      });
      expect(rows.map((r) => r.key.toString())).toEqual(keys.map((k) => k.toString()));
      await client.put(Buffer.from('after-failover'), Buffer.from('yes'));

      // Restart the killed node from its store; it rejoins and catches up.
      const killed = procs[leaderIndex]!;
      procs[leaderIndex] = await startNode(killed.dir, killed.address, killed.http);
      await until('the restarted node to catch up', async () => {
        const all = await Promise.all(addresses.map(status));
        const applied = all.map((s) => s.ranges[0]?.applied ?? 0);
        return applied.every((a) => a === applied[0] && a > 0);
      });
      const health = await fetch(`http://${procs[leaderIndex]!.http}/health`).then((r) => r.json()) as { serving: boolean };
      expect(health.serving).toBe(true);
      const vars = await fetch(`http://${procs[leaderIndex]!.http}/_status/vars`).then((r) => r.text());
      expect(vars).toMatch(/meridian_ranges 1/);
      expect(vars).toMatch(/meridian_kv_request_duration_seconds_bucket\{le="0\.5"\} \d+/);

      const table = spawnSync(process.execPath, [bin, 'node', 'status', '--host', addresses.join(',')], { encoding: 'utf8', timeout: 30_000 });
      expect(table.stdout.trim().split('\n')).toHaveLength(4);

      // Bad input: garbage instead of a KV request, and Raft traffic from another cluster.
      const raw = dial(addresses[0]!);
      const garbage = decodeMessage<{ errorKind: string }>(BatchResponseType, await unary(raw, 'batch', Buffer.from([0xff, 0xff, 0xff, 0x01]), 5_000));
      expect(garbage.errorKind).toBe('invalid');
      raw.close();
      const intruder = new GrpcRaftTransport(9, 'another-cluster', () => addresses[0]);
      intruder.send(1, [{ rangeId: 1, message: { type: 'vote', from: 9, to: 1, term: 99, index: 99, logTerm: 99, entries: [], commit: 0, reject: false, rejectHint: 0 } }]);
      const vars0 = procs[0]!.http;
      await until('the foreign batch to be rejected', async () => /meridian_raft_batches_rejected_total [1-9]/.test(await fetch(`http://${vars0}/_status/vars`).then((r) => r.text())));
      intruder.close();
      expect((await client.get(Buffer.from('after-failover')))?.toString()).toBe('yes');

      // Fault injection: cut the current leader off from both peers; the others elect a new leader.
      const before = await Promise.all(addresses.map(status));
      const cutIndex = before.findIndex((s) => s.ranges[0]?.role === 'leader');
      const cutNode = cutIndex + 1;
      for (const [i, address] of addresses.entries()) {
        if (i === cutIndex) continue;
        await fault(address, { action: 'drop', peer: cutNode });
        await fault(addresses[cutIndex]!, { action: 'drop', peer: i + 1 });
      }
      await until('a leader among the others', async () => {
        const all = await Promise.all(addresses.map(status));
        return all.some((s, i) => i !== cutIndex && s.ranges[0]?.role === 'leader');
      });
      // The cut-off leader may accept the write and then lose leadership: an
      // ambiguous result, which a put (idempotent) may retry.
      await until('a write during the partition', async () => {
        try {
          await client.put(Buffer.from('during-partition'), Buffer.from('ok'));
          return true;
        } catch (error) {
          if ((error as { kind?: string }).kind === 'ambiguous') return false;
          throw error;
        }
      });
      for (const address of addresses) await fault(address, { action: 'heal' });
      expect((await client.get(Buffer.from('during-partition')))?.toString()).toBe('ok');

      // A node whose clock is skewed past 80% of the max offset fences itself; the others keep serving.
      await fault(addresses[2]!, { action: 'clock-offset', clockOffsetMs: 450 });
      await until('node 3 to fence itself', async () => (await status(addresses[2]!) as { fenced?: boolean }).fenced === true);
      expect(((await status(addresses[0]!)) as { fenced?: boolean }).fenced).toBe(false);
      const skewed = dial(addresses[2]!);
      const refused = decodeMessage<{ errorKind: string; error: string }>(BatchResponseType,
        await unary(skewed, 'batch', encodeMessage(BatchRequestType, { rangeId: 1, requests: [{ type: 'get', key: Buffer.from('a') }] }), 5_000));
      skewed.close();
      expect(refused.error).toMatch(/clock offset/);
      expect((await client.get(Buffer.from('during-partition')))?.toString()).toBe('ok');
      await fault(addresses[2]!, { action: 'heal' });
      await until('node 3 to serve again', async () => (await status(addresses[2]!) as { fenced?: boolean }).fenced === false);
    } finally {
      client.close();
    }
  }, 120_000);
});
