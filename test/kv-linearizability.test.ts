/**
 * Single-key operations on a replicated range are linearizable while the
 * leader is partitioned away, stopped and restarted: concurrent clients run
 * reads, writes and compare-and-sets against three in-process stores, the
 * history is recorded, and the chaos harness's linearizability checker
 * judges it (an operation whose outcome is unknown counts as indeterminate).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkLinearizable, HistoryRecorder, kvModel, type HistoryValue } from '../chaos/index.ts';
import { Hlc, SystemClock } from '../node/hlc/index.ts';
import { keyMax, keyMin } from '../node/keys/index.ts';
import {
  AmbiguousResultError, LocalNetwork, NotLeaseholderError, Store, UnavailableError, type KvRequest, type RangeDescriptor,
} from '../node/kv/index.ts';
import { ConditionFailedError, Engine } from '../node/storage/index.ts';

const desc: RangeDescriptor = {
  rangeId: 1, startKey: keyMin, endKey: keyMax,
  replicas: [1, 2, 3].map((id) => ({ nodeId: id, replicaId: id })), generation: 0,
};

interface Node { id: number; dir: string; engine: Engine; store: Store; timer: NodeJS.Timeout; paused: boolean }

async function open(network: LocalNetwork, id: number, dir: string, bootstrap: boolean): Promise<Node> {
  const engine = await Engine.open(dir, { cacheBytes: 4 << 20 });
  const store = new Store(engine, id, network.transport(id), new Hlc(new SystemClock()), { electionTicks: 10, leaseDurationMicros: 1_500_000 });
  if (bootstrap) await store.bootstrapRange(desc);
  await store.start();
  network.register(store);
  const node: Node = { id, dir, engine, store, paused: false, timer: setInterval(() => {
    if (!node.paused) store.tick();
  }, 5) };
  return node;
}

async function close(network: LocalNetwork, node: Node): Promise<void> {
  clearInterval(node.timer);
  network.unregister(node.id);
  await node.store.close();
  await node.engine.close();
}

class NotDone extends Error {}

describe('KV linearizability under faults', () => {
  it('single-key reads, writes and CAS form a linearizable history', async () => {
    const network = new LocalNetwork();
    const nodes: Node[] = [];
    for (const id of [1, 2, 3]) nodes.push(await open(network, id, mkdtempSync(join(tmpdir(), `meridian-lin-${id}-`)), true));
    const recorder = new HistoryRecorder();
    const keys = ['x', 'y', 'z'];
    const live = () => nodes.filter((n) => network.stores.get(n.id) === n.store);

    let rotation = 0;
    /** Runs a request on whichever store holds the lease; NotLeaseholder (nothing happened) is retried elsewhere. */
    async function execute(request: KvRequest) {
      for (let attempt = 0; attempt < 200; attempt++) {
        // Every store is a target: only a valid leaseholder may serve, and a
        // deposed leader that still thinks it leads is a fair target too.
        const candidates = live();
        const leader = candidates[(rotation++ + attempt) % Math.max(1, candidates.length)];
        if (leader) {
          try {
            // A client gives up after a while; the request may still take effect (indeterminate).
            let timer: NodeJS.Timeout | undefined;
            const timeout = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error('client timeout')), 150); });
            try {
              return await Promise.race([leader.store.execute(1, request), timeout]);
            } finally {
              clearTimeout(timer);
            }
          } catch (error) {
            if (!(error instanceof NotLeaseholderError || error instanceof UnavailableError)) throw error;
          }
        }
        await new Promise((r) => setTimeout(r, 5));
      }
      throw new NotDone('no leader');
    }

    const stopAt = Date.now() + 6_000;
    let ops = 0;
    const client = async (process: number) => {
      let n = 0;
      while (Date.now() < stopAt && n < 600) {
        n++;
        // Pace the clients so operations span the whole fault schedule.
        await new Promise((r) => setTimeout(r, 8));
        ops++;
        const key = keys[(process + n) % keys.length]!;
        const roll = (process * 31 + n * 7) % 10;
        const value = `${process}-${n}`;
        // Outcomes: ok; fail when it certainly did not happen; info when unknown.
        const classify = (error: unknown) => (error instanceof ConditionFailedError || error instanceof NotDone ? 'fail' : 'info');
        if (roll < 4) {
          await recorder.run(process, 'read', [key, null], async () => {
            const r = await execute({ type: 'get', key: Buffer.from(key) });
            return [key, r.type === 'get' && r.value ? r.value.toString() : null] as HistoryValue;
          }, (e) => (e instanceof NotDone ? 'fail' : 'info'));
        } else if (roll < 7) {
          await recorder.run(process, 'write', [key, value], async () => {
            await execute({ type: 'put', key: Buffer.from(key), value: Buffer.from(value) });
            return [key, value] as HistoryValue;
          }, classify);
        } else {
          const expected = `${(process + 1) % 5}-${Math.max(1, n - 3)}`;
          await recorder.run(process, 'cas', [key, [expected, value]], async () => {
            await execute({ type: 'cput', key: Buffer.from(key), value: Buffer.from(value), expected: Buffer.from(expected) });
            return [key, [expected, value]] as HistoryValue;
          }, classify);
        }
      }
    };

    const nemesis = async () => {
      let step = 0;
      while (Date.now() < stopAt - 1000) {
        await new Promise((r) => setTimeout(r, 400));
        const leader = live().find((n) => n.store.replica(1).isLeader());
        if (!leader) continue;
        if (step++ % 2 === 0) {
          // Isolate the leader and freeze its clock (a process pause): it keeps
          // believing it leads while the others elect a new leader and write.
          leader.paused = true;
          network.isolate(leader.id);
          await new Promise((r) => setTimeout(r, 600));
          network.heal();
          leader.paused = false;
        } else {
          const index = nodes.indexOf(leader);
          await close(network, leader);
          await new Promise((r) => setTimeout(r, 200));
          nodes[index] = await open(network, leader.id, leader.dir, false);
        }
      }
    };

    try {
      await Promise.all([client(1), client(2), client(3), client(4), client(5), nemesis()]);
      const result = checkLinearizable(kvModel, recorder.events, { stepBudget: 20_000_000 });
      expect(result.anomalies).toEqual([]);
      expect(result.valid).toBe(true);
      const okOps = recorder.events.filter((e) => e.type === 'ok').length;
      expect(okOps).toBeGreaterThan(50);
      void AmbiguousResultError;
    } finally {
      for (const n of nodes) {
        if (network.stores.get(n.id) === n.store) await close(network, n);
        rmSync(n.dir, { recursive: true, force: true });
      }
    }
  }, 60_000);
});
