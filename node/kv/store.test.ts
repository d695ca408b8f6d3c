import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Hlc, OffsetClock, SystemClock } from '../hlc/index.ts';
import { keyMax, keyMin } from '../keys/index.ts';
import { Engine, WriteIntentError } from '../storage/index.ts';
import type { RangeDescriptor } from './descriptor.ts';
import { DistSender } from './dist-sender.ts';
import { NotLeaseholderError } from './errors.ts';
import type { Lease } from './lease.ts';
import { LocalNetwork } from './local-transport.ts';
import type { KvResponse } from './request.ts';
import { clusterServices, rangeIdGeneratorInitialValue } from './services.ts';
import { Store, type StoreOptions } from './store.ts';

interface Node {
  id: number;
  dir: string;
  engine: Engine;
  store: Store;
  clock: OffsetClock;
  timer: NodeJS.Timeout;
}

const desc: RangeDescriptor = {
  rangeId: 1, startKey: keyMin, endKey: keyMax,
  replicas: [{ nodeId: 1, replicaId: 1 }, { nodeId: 2, replicaId: 2 }, { nodeId: 3, replicaId: 3 }], generation: 0,
};

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanup.splice(0)) await c();
});

const baseOptions: StoreOptions = { electionTicks: 10, logTruncationThreshold: 100, leaseDurationMicros: 1_500_000 };

async function startNode(network: LocalNetwork, id: number, dir: string, bootstrap: boolean, options: StoreOptions = {}, offsetMicros = 0): Promise<Node> {
  const engine = await Engine.open(dir, { cacheBytes: 4 << 20 });
  const clock = new OffsetClock(new SystemClock());
  clock.offsetMicros = offsetMicros;
  const store = new Store(engine, id, network.transport(id), new Hlc(clock), { ...baseOptions, ...options });
  if (bootstrap) await store.bootstrapRange(desc, [rangeIdGeneratorInitialValue(1)]);
  await store.start();
  store.setServices(clusterServices(new DistSender(network.dialer(id), { timeoutMs: 10_000 })));
  network.register(store);
  const timer = setInterval(() => store.tick(), 5);
  return { id, dir, engine, store, clock, timer };
}

async function stopNode(network: LocalNetwork, node: Node): Promise<void> {
  clearInterval(node.timer);
  network.unregister(node.id);
  await node.store.close();
  await node.engine.close();
}

async function cluster(options: StoreOptions = {}, offsets: number[] = [0, 0, 0]) {
  const network = new LocalNetwork();
  const nodes: Node[] = [];
  for (const id of [1, 2, 3]) {
    nodes.push(await startNode(network, id, mkdtempSync(join(tmpdir(), `meridian-kv-${id}-`)), true, options, offsets[id - 1]));
  }
  cleanup.push(async () => {
    for (const n of nodes) {
      if (network.stores.get(n.id) === n.store) await stopNode(network, n);
      rmSync(n.dir, { recursive: true, force: true });
    }
  });
  const db = new DistSender(network.dialer(), { timeoutMs: 15_000 });
  return { network, nodes, db };
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

const live = (nodes: Node[], network: LocalNetwork) => nodes.filter((n) => network.stores.get(n.id) === n.store);
const leaderOf = (nodes: Node[], network: LocalNetwork, rangeId = 1) =>
  live(nodes, network).find((n) => n.store.replicas.get(rangeId)?.isLeader());
const k = (s: string) => Buffer.from(s);
const one = async (db: DistSender, request: Parameters<DistSender['send']>[0][number], header = {}): Promise<KvResponse> => (await db.send([request], header))[0]!;

describe('replicated store', () => {
  it('replicates writes, serves linearizable reads, and fails over when the leaseholder stops', async () => {
    const { network, nodes, db } = await cluster();
    await one(db, { type: 'put', key: k('a'), value: k('1') });
    expect(await one(db, { type: 'get', key: k('a') })).toEqual({ type: 'get', value: k('1') });

    // Many concurrent writes, some to the same keys.
    await Promise.all(Array.from({ length: 200 }, (_, i) => one(db, { type: 'put', key: k(`key-${i % 50}`), value: k(`v${i}`) })));
    const counter = await Promise.all(Array.from({ length: 20 }, () => one(db, { type: 'increment', key: k('n'), delta: 1n })));
    expect(counter.map((c) => (c.type === 'increment' ? c.value : 0n)).sort((a, b) => Number(a - b))).toEqual(Array.from({ length: 20 }, (_, i) => BigInt(i + 1)));

    const removed = await one(db, { type: 'deleteRange', key: k('key-4'), endKey: k('key-5') });
    expect(removed.type === 'deleteRange' && removed.keys.map((x) => x.toString())).toEqual(['key-4', ...Array.from({ length: 10 }, (_, i) => `key-4${i}`)]);
    await Promise.all(Array.from({ length: 11 }, (_, i) => one(db, { type: 'put', key: k(i === 10 ? 'key-4' : `key-4${i}`), value: k('back') })));
    const lookup = await one(db, { type: 'rangeLookup', key: k('anything') });
    expect(lookup.type === 'rangeLookup' && lookup.descriptor?.rangeId).toBe(1);
    expect(lookup.type === 'rangeLookup' && lookup.descriptor?.replicas.map((r) => r.nodeId)).toEqual([1, 2, 3]);
    const holder = nodes.find((n) => n.store.replica(1).lease?.nodeId === n.id)!;
    const follower = nodes.find((n) => n !== holder)!;
    await expect(follower.store.execute(1, { type: 'get', key: k('a') })).rejects.toBeInstanceOf(NotLeaseholderError);
    await until('followers to apply', () => nodes.every((n) => n.store.replica(1).appliedIndex === holder.store.replica(1).appliedIndex));

    // Stop the leaseholder: the others elect a leader that takes the lease once it expires, with every acknowledged write.
    await stopNode(network, holder);
    const scan = await one(db, { type: 'scan', key: k('key-'), endKey: k('key.') });
    expect(scan.type === 'scan' && scan.rows.length).toBe(50);
    expect(await one(db, { type: 'get', key: k('n') })).toEqual({ type: 'get', value: Buffer.from([0, 0, 0, 0, 0, 0, 0, 20]) });
    await one(db, { type: 'put', key: k('after'), value: k('x') });
    const newHolder = nodes.find((n) => n !== holder && n.store.replica(1).lease?.nodeId === n.id)!;
    expect(newHolder.store.replica(1).lease!.sequence).toBeGreaterThan(1);

    // Restart the old leaseholder from its store: it catches up from the log.
    const restarted = await startNode(network, holder.id, holder.dir, false);
    nodes[nodes.indexOf(holder)] = restarted;
    await until('the restarted node to catch up', () => restarted.store.replica(1).appliedIndex >= newHolder.store.replica(1).appliedIndex);
    // The log was truncated on every replica (a replicated command), below what all of them had.
    await until('log truncation', () => nodes.every((n) => n.store.replica(1).storage.firstIndex() > 100));
    expect(restarted.store.replica(1).stats).toEqual(newHolder.store.replica(1).stats);
    expect(restarted.store.replica(1).lease).toEqual(newHolder.store.replica(1).lease);
  }, 60_000);

  it('quiesces an idle range and wakes it on the next write', async () => {
    const { network, nodes, db } = await cluster();
    await one(db, { type: 'put', key: k('q'), value: k('1') });
    await until('the range to quiesce', () => nodes.every((n) => n.store.replica(1).raw.quiesced));
    const before = network.delivered;
    await new Promise((r) => setTimeout(r, 200));
    // An active three-node group exchanges about four messages a tick (40 ticks here); a quiesced one none,
    // short of a rare wake-up when a starved timer delays node heartbeats.
    expect(network.delivered - before).toBeLessThan(20);
    await one(db, { type: 'put', key: k('q'), value: k('2') });
    expect(await one(db, { type: 'get', key: k('q') })).toEqual({ type: 'get', value: k('2') });
    expect(network.delivered).toBeGreaterThan(before);

    // A quiesced range whose leader's node dies wakes and elects a new leader.
    await until('the range to quiesce again', () => nodes.every((n) => n.store.replica(1).raw.quiesced));
    const old = leaderOf(nodes, network)!;
    await stopNode(network, old);
    expect(await one(db, { type: 'get', key: k('q') })).toEqual({ type: 'get', value: k('2') });
    await until('a new leader after the quiesced leader died', () => leaderOf(nodes, network), 15_000);
  }, 30_000);

  it('honours the transaction header: timestamps, intents and own reads', async () => {
    const { db } = await cluster();
    const now = Date.now() * 1000;
    const txn = { id: Buffer.alloc(16, 9), epoch: 0, writeTimestamp: { wallMicros: now, logical: 0 }, sequence: 1, priority: 1 };
    await one(db, { type: 'put', key: k('t'), value: k('provisional') }, { timestamp: txn.writeTimestamp, txn });
    expect(await one(db, { type: 'get', key: k('t') }, { timestamp: txn.writeTimestamp, txn })).toEqual({ type: 'get', value: k('provisional') });
    await expect(one(db, { type: 'get', key: k('t') })).rejects.toBeInstanceOf(WriteIntentError);
    // A read below the intent's timestamp does not see it.
    expect(await one(db, { type: 'get', key: k('t') }, { timestamp: { wallMicros: now - 1000, logical: 0 } })).toEqual({ type: 'get', value: null });
  }, 30_000);

  it('conditional puts fail with the actual value and leave nothing behind', async () => {
    const { db } = await cluster();
    await one(db, { type: 'cput', key: k('c'), value: k('first'), expected: null });
    await expect(one(db, { type: 'cput', key: k('c'), value: k('second'), expected: null })).rejects.toThrow(/unexpected value/);
    expect(await one(db, { type: 'get', key: k('c') })).toEqual({ type: 'get', value: k('first') });
  }, 30_000);
});

describe('leases', () => {
  it('never overlap in real time, with clocks offset up to the max offset, through transfers and isolation', async () => {
    const served: Array<{ node: number; sequence: number; at: number }> = [];
    const record = (node: number) => (_rangeId: number, lease: Lease) => served.push({ node, sequence: lease.sequence, at: performance.now() });
    // Node 2 runs 240 ms ahead and node 3 240 ms behind: 480 ms apart, inside the 500 ms max offset.
    const network = new LocalNetwork();
    const offsets = [0, 240_000, -240_000];
    const nodes: Node[] = [];
    for (const id of [1, 2, 3]) {
      nodes.push(await startNode(network, id, mkdtempSync(join(tmpdir(), `meridian-lease-${id}-`)), true, { onServe: record(id) }, offsets[id - 1]));
    }
    cleanup.push(async () => {
      for (const n of nodes) {
        if (network.stores.get(n.id) === n.store) await stopNode(network, n);
        rmSync(n.dir, { recursive: true, force: true });
      }
    });
    const db = new DistSender(network.dialer(), { timeoutMs: 15_000 });
    await one(db, { type: 'put', key: k('x'), value: k('0') });

    // Readers ask every node directly, all the time: only a valid holder may answer.
    let stop = false;
    const readers = nodes.map(async (n) => {
      while (!stop) {
        try {
          await n.store.execute(1, { type: 'get', key: k('x') });
        } catch {
          // Not the holder (or not any more).
        }
        await new Promise((r) => setImmediate(r));
      }
    });
    const holder = () => nodes.find((n) => n.store.replica(1).lease?.nodeId === n.id && network.stores.get(n.id) === n.store);
    for (let round = 0; round < 4; round++) {
      const current = await until('a leaseholder', holder);
      if (round % 2 === 0) {
        // Planned: transfer to the next node.
        const target = nodes[(nodes.indexOf(current) + 1) % 3]!;
        await current.store.transferLease(1, target.id);
      } else {
        // Unplanned: cut the holder off; it keeps serving its lease until stasis while the others wait for expiry.
        network.isolate(current.id);
        await until('another leaseholder', () => nodes.find((n) => n !== current && n.store.replica(1).lease?.nodeId === n.id), 15_000);
        await one(db, { type: 'put', key: k('x'), value: k(String(round)) });
        network.heal();
      }
      await one(db, { type: 'put', key: k('x'), value: k(`r${round}`) });
    }
    stop = true;
    await Promise.all(readers);

    // Per lease: its holders and the real-time window it was served in.
    const windows = new Map<number, { nodes: Set<number>; first: number; last: number }>();
    for (const s of served) {
      const w = windows.get(s.sequence) ?? { nodes: new Set<number>(), first: Infinity, last: -Infinity };
      w.nodes.add(s.node);
      w.first = Math.min(w.first, s.at);
      w.last = Math.max(w.last, s.at);
      windows.set(s.sequence, w);
    }
    const sequences = [...windows.keys()].sort((a, b) => a - b);
    expect(sequences.length).toBeGreaterThanOrEqual(4);
    for (let i = 0; i < sequences.length; i++) {
      const w = windows.get(sequences[i]!)!;
      // One holder per lease…
      expect(w.nodes.size).toBe(1);
      // …and every later lease starts serving only after this one stopped, in real time.
      for (const later of sequences.slice(i + 1)) expect(windows.get(later)!.first).toBeGreaterThan(w.last);
    }
  }, 90_000);
});

describe('splits', () => {
  it('splits by admin command; both sides serve, route, survive restarts and keep their data and stats', async () => {
    const { network, nodes, db } = await cluster();
    for (let i = 0; i < 100; i++) await one(db, { type: 'put', key: k(`user/${String(i).padStart(3, '0')}`), value: k(`v${i}`) });
    const split = await one(db, { type: 'adminSplit', key: k('user/050') });
    expect(split.type).toBe('adminSplit');
    if (split.type !== 'adminSplit') return;
    expect(split.left.rangeId).toBe(1);
    expect(split.right.rangeId).toBe(2);
    expect(split.right.startKey.toString()).toBe('user/050');
    await until('every store to host both ranges', () => nodes.every((n) => n.store.replicas.has(2)));
    // Both sides serve; a scan spans them; a stale cache is corrected by the stores themselves.
    const stale = new DistSender(network.dialer(), { timeoutMs: 15_000 });
    stale.cache.insert(desc);
    const scan = await one(stale, { type: 'scan', key: k('user/'), endKey: k('user0') });
    expect(scan.type === 'scan' && scan.rows.map((r) => r.value.toString())).toEqual(Array.from({ length: 100 }, (_, i) => `v${i}`));
    const reverse = await one(db, { type: 'scan', key: k('user/'), endKey: k('user0'), reverse: true, maxKeys: 60 });
    expect(reverse.type === 'scan' && reverse.rows.map((r) => r.value.toString())).toEqual(Array.from({ length: 60 }, (_, i) => `v${99 - i}`));
    expect(reverse.type === 'scan' && reverse.resume?.endKey.toString()).toBe('user/039\u0000');
    await one(db, { type: 'put', key: k('user/999'), value: k('right') });
    await one(db, { type: 'put', key: k('user/000'), value: k('left') });
    // Meta knows both ranges.
    const fresh = new DistSender(network.dialer(), { timeoutMs: 15_000 });
    expect((await fresh.descriptorFor(k('user/070'))).rangeId).toBe(2);
    expect((await fresh.descriptorFor(k('user/010'))).rangeId).toBe(1);
    // A second split of the right side, then the stats of all sides add up to what they hold.
    await one(db, { type: 'adminSplit', key: k('user/080') });
    await until('range 3 everywhere', () => nodes.every((n) => n.store.replicas.has(3)));
    const count = (rangeId: number) => nodes[0]!.store.replica(rangeId).stats.liveCount;
    await until('stats to settle', () => nodes.every((n) => [1, 2, 3].every((r) => n.store.replicas.get(r)?.appliedIndex === nodes[0]!.store.replicas.get(r)?.appliedIndex)));
    expect(count(2)).toBe(30);
    expect(count(3)).toBe(21);

    // Restart every node: all ranges come back with their data.
    for (const n of [...nodes]) {
      await stopNode(network, n);
      nodes[nodes.indexOf(n)] = await startNode(network, n.id, n.dir, false);
    }
    const after = await one(new DistSender(network.dialer(), { timeoutMs: 15_000 }), { type: 'scan', key: k('user/'), endKey: k('user0') });
    expect(after.type === 'scan' && after.rows.length).toBe(101);
  }, 90_000);

  it('splits a range that grows past the size limit, under a write load', async () => {
    const { nodes, db } = await cluster({ rangeMaxBytes: 64 << 10 });
    const value = Buffer.alloc(512, 7);
    for (let batch = 0; batch < 40; batch++) {
      await Promise.all(Array.from({ length: 10 }, (_, i) => one(db, { type: 'put', key: k(`load/${String(batch * 10 + i).padStart(5, '0')}`), value })));
    }
    await until('a size split', () => nodes[0]!.store.replicas.size >= 2, 20_000);
    const scan = await one(db, { type: 'scan', key: k('load/'), endKey: k('load0') });
    expect(scan.type === 'scan' && scan.rows.length).toBe(400);
  }, 60_000);
});
