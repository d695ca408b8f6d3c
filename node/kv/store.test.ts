import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Hlc, SystemClock } from '../hlc/index.ts';
import { keyMax, keyMin } from '../keys/index.ts';
import { Engine, WriteIntentError } from '../storage/index.ts';
import { NotLeaderError } from './errors.ts';
import { LocalNetwork } from './local-transport.ts';
import type { RangeDescriptor } from './replica.ts';
import { Store } from './store.ts';

interface Node {
  id: number;
  dir: string;
  engine: Engine;
  store: Store;
  timer: NodeJS.Timeout;
}

const desc: RangeDescriptor = {
  rangeId: 1, startKey: keyMin, endKey: keyMax,
  replicas: [{ nodeId: 1, replicaId: 1 }, { nodeId: 2, replicaId: 2 }, { nodeId: 3, replicaId: 3 }],
};

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanup.splice(0)) await c();
});

async function startNode(network: LocalNetwork, id: number, dir: string, bootstrap: boolean): Promise<Node> {
  const engine = await Engine.open(dir, { cacheBytes: 4 << 20 });
  const store = new Store(engine, id, network.transport(id), new Hlc(new SystemClock()), { electionTicks: 10, logTruncationThreshold: 100 });
  if (bootstrap) await store.bootstrapRange(desc);
  await store.start();
  network.register(store);
  const timer = setInterval(() => store.tick(), 5);
  return { id, dir, engine, store, timer };
}

async function stopNode(network: LocalNetwork, node: Node): Promise<void> {
  clearInterval(node.timer);
  network.unregister(node.id);
  await node.store.close();
  await node.engine.close();
}

async function cluster(): Promise<{ network: LocalNetwork; nodes: Node[] }> {
  const network = new LocalNetwork();
  const nodes: Node[] = [];
  for (const id of [1, 2, 3]) nodes.push(await startNode(network, id, mkdtempSync(join(tmpdir(), `meridian-kv-${id}-`)), true));
  cleanup.push(async () => {
    for (const n of nodes) {
      if (network.stores.get(n.id) === n.store) await stopNode(network, n);
      rmSync(n.dir, { recursive: true, force: true });
    }
  });
  return { network, nodes };
}

async function until<T>(what: string, fn: () => T | undefined | null | false, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

const leaderOf = (nodes: Node[], network: LocalNetwork) =>
  nodes.find((n) => network.stores.get(n.id) === n.store && n.store.replica(1).isLeader());
const k = (s: string) => Buffer.from(s);

describe('replicated store', () => {
  it('replicates writes, serves linearizable reads, and fails over when the leader stops', async () => {
    const { network, nodes } = await cluster();
    let leader = await until('a leader', () => leaderOf(nodes, network));
    await leader.store.execute(1, { type: 'put', key: k('a'), value: k('1') });
    expect(await leader.store.execute(1, { type: 'get', key: k('a') })).toEqual({ type: 'get', value: k('1') });

    // Many concurrent writes, some to the same keys.
    await Promise.all(Array.from({ length: 200 }, (_, i) =>
      leader.store.execute(1, { type: 'put', key: k(`key-${i % 50}`), value: k(`v${i}`) })));
    const counter = await Promise.all(Array.from({ length: 20 }, () => leader.store.execute(1, { type: 'increment', key: k('n'), delta: 1n })));
    expect(counter.map((c) => (c.type === 'increment' ? c.value : 0n)).sort((a, b) => Number(a - b))).toEqual(Array.from({ length: 20 }, (_, i) => BigInt(i + 1)));

    const removed = await leader.store.execute(1, { type: 'deleteRange', key: k('key-4'), endKey: k('key-5') });
    expect(removed.type === 'deleteRange' && removed.keys.map((x) => x.toString())).toEqual(['key-4', ...Array.from({ length: 10 }, (_, i) => `key-4${i}`)]);
    await Promise.all(Array.from({ length: 11 }, (_, i) => leader.store.execute(1, { type: 'put', key: k(i === 10 ? 'key-4' : `key-4${i}`), value: k('back') })));
    const lookup = await leader.store.execute(1, { type: 'rangeLookup', key: k('anything') });
    expect(lookup.type === 'rangeLookup' && lookup.descriptor?.rangeId).toBe(1);
    expect(lookup.type === 'rangeLookup' && lookup.descriptor?.replicas.map((r) => r.nodeId)).toEqual([1, 2, 3]);
    const follower = nodes.find((n) => n !== leader)!;
    await expect(follower.store.execute(1, { type: 'get', key: k('a') })).rejects.toBeInstanceOf(NotLeaderError);
    await until('followers to apply', () => nodes.every((n) => n.store.replica(1).appliedIndex === leader.store.replica(1).appliedIndex));

    // Stop the leader: the others elect a new one that has every acknowledged write.
    const old = leader;
    await stopNode(network, old);
    leader = await until('a new leader', () => leaderOf(nodes, network), 15_000);
    expect(leader).not.toBe(old);
    const scan = await leader.store.execute(1, { type: 'scan', key: k('key-'), endKey: k('key.') });
    expect(scan.type === 'scan' && scan.rows.length).toBe(50);
    expect(await leader.store.execute(1, { type: 'get', key: k('n') })).toEqual({ type: 'get', value: Buffer.from([0, 0, 0, 0, 0, 0, 0, 20]) });
    await leader.store.execute(1, { type: 'put', key: k('after'), value: k('x') });

    // Restart the old leader from its store: it catches up from the log.
    const restarted = await startNode(network, old.id, old.dir, false);
    nodes[nodes.indexOf(old)] = restarted;
    await until('the restarted node to catch up', () => restarted.store.replica(1).appliedIndex >= leader.store.replica(1).appliedIndex);
    // The log was truncated on every replica (a replicated command), below what all of them had.
    await until('log truncation', () => nodes.every((n) => n.store.replica(1).storage.firstIndex() > 100));
    expect(restarted.store.replica(1).stats).toEqual(leader.store.replica(1).stats);
  }, 60_000);

  it('quiesces an idle range and wakes it on the next write', async () => {
    const { network, nodes } = await cluster();
    const leader = await until('a leader', () => leaderOf(nodes, network));
    await leader.store.execute(1, { type: 'put', key: k('q'), value: k('1') });
    await until('the range to quiesce', () => nodes.every((n) => n.store.replica(1).raw.quiesced));
    const before = network.delivered;
    await new Promise((r) => setTimeout(r, 200));
    // An active three-node group exchanges about four messages a tick (40 ticks here); a quiesced one none,
    // short of a rare wake-up when a starved timer delays node heartbeats.
    expect(network.delivered - before).toBeLessThan(20);
    await leader.store.execute(1, { type: 'put', key: k('q'), value: k('2') });
    expect(await leader.store.execute(1, { type: 'get', key: k('q') })).toEqual({ type: 'get', value: k('2') });
    expect(network.delivered).toBeGreaterThan(before);

    // A quiesced range whose leader's node dies wakes and elects a new leader.
    await until('the range to quiesce again', () => nodes.every((n) => n.store.replica(1).raw.quiesced));
    const old = leaderOf(nodes, network)!;
    clearInterval(old.timer);
    network.unregister(old.id);
    await old.store.close();
    const fresh = await until('a new leader after the quiesced leader died', () => leaderOf(nodes.filter((n) => n !== old), network), 15_000);
    expect(await fresh.store.execute(1, { type: 'get', key: k('q') })).toEqual({ type: 'get', value: k('2') });
    await old.engine.close();
  }, 30_000);

  it('honours the transaction header: timestamps, intents and own reads', async () => {
    const { network, nodes } = await cluster();
    const leader = await until('a leader', () => leaderOf(nodes, network));
    const now = Date.now() * 1000;
    const txn = { id: Buffer.alloc(16, 9), epoch: 0, writeTimestamp: { wallMicros: now, logical: 0 }, sequence: 1, priority: 1 };
    await leader.store.execute(1, { type: 'put', key: k('t'), value: k('provisional') }, { timestamp: txn.writeTimestamp, txn });
    expect(await leader.store.execute(1, { type: 'get', key: k('t') }, { timestamp: txn.writeTimestamp, txn })).toEqual({ type: 'get', value: k('provisional') });
    await expect(leader.store.execute(1, { type: 'get', key: k('t') })).rejects.toBeInstanceOf(WriteIntentError);
    // A read below the intent's timestamp does not see it.
    expect(await leader.store.execute(1, { type: 'get', key: k('t') }, { timestamp: { wallMicros: now - 1000, logical: 0 } })).toEqual({ type: 'get', value: null });
  }, 30_000);

  it('conditional puts fail with the actual value and leave nothing behind', async () => {
    const { network, nodes } = await cluster();
    const leader = await until('a leader', () => leaderOf(nodes, network));
    await leader.store.execute(1, { type: 'cput', key: k('c'), value: k('first'), expected: null });
    await expect(leader.store.execute(1, { type: 'cput', key: k('c'), value: k('second'), expected: null })).rejects.toThrow(/unexpected value/);
    expect(await leader.store.execute(1, { type: 'get', key: k('c') })).toEqual({ type: 'get', value: k('first') });
  }, 30_000);
});
