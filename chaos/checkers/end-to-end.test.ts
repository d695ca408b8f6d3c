/**
 * End to end: clients run concurrently (real timers, real monotonic clock)
 * against small in-memory systems, the recorder records what they saw, and
 * the checkers judge it. A correct system passes; one with a planted bug
 * (a lagging read replica; transactions that read a snapshot but never
 * check for conflicts) is caught.
 */
import { describe, expect, it } from 'vitest';
import type { HistoryValue } from '../history/event.ts';
import { HistoryRecorder } from '../history/recorder.ts';
import { rng, type Rng } from './generate.test-helper.ts';
import { checkLinearizable } from './linearizable.ts';
import { checkListAppend } from './list-append.ts';
import { casRegisterModel } from './models.ts';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

class Timeout extends Error {}

/** Runs `op`, but gives up waiting after `ms`: the operation itself carries on. */
async function withTimeout<T>(op: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Timeout('client timeout')), ms);
  });
  try {
    return await Promise.race([op, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** A register behind a network: requests and replies take a random while; reads may go to a lagging replica. */
class RegisterServer {
  #value: HistoryValue = null;
  #replica: HistoryValue = null;

  constructor(private readonly r: Rng, private readonly lagMs: number | null) {}

  async call(f: string, input: HistoryValue): Promise<HistoryValue> {
    await sleep(this.r() * 3);
    const result = this.#apply(f, input);
    await sleep(this.r() * 3);
    return result;
  }

  #apply(f: string, input: HistoryValue): HistoryValue {
    if (f === 'read') return this.lagMs === null ? this.#value : this.#replica;
    if (f === 'cas') {
      const [expected, next] = input as [HistoryValue, HistoryValue];
      if (this.#value !== expected) throw new Error('precondition failed');
      this.#set(next);
      return input;
    }
    this.#set(input);
    return input;
  }

  #set(value: HistoryValue): void {
    this.#value = value;
    if (this.lagMs === null) return;
    setTimeout(() => (this.#replica = value), this.lagMs);
  }
}

async function registerRun(lagMs: number | null, seed: number) {
  const r = rng(seed);
  const server = new RegisterServer(r, lagMs);
  const recorder = new HistoryRecorder();
  let unique = 0;
  const client = async (process: number) => {
    for (let i = 0; i < 60; i++) {
      const roll = r();
      const f = roll < 0.5 ? 'read' : roll < 0.8 ? 'write' : 'cas';
      const input: HistoryValue = f === 'read' ? null : f === 'write' ? ++unique : [unique, ++unique];
      await recorder.run(process, f, input, () => withTimeout(server.call(f, input), 4),
        (error) => (error instanceof Timeout ? 'info' : 'fail'));
    }
  };
  await Promise.all([0, 1, 2, 3, 4].map(client));
  await sleep(10);
  return recorder.events;
}

interface Db {
  run(micro: readonly HistoryValue[]): Promise<HistoryValue[]>;
}

/** Transactions on lists; `serializable` runs each atomically, otherwise each reads a snapshot and writes blindly. */
function listDb(r: Rng, serializable: boolean): Db {
  const lists = new Map<string, number[]>();
  let lock: Promise<void> = Promise.resolve();
  const execute = (micro: readonly HistoryValue[], view: Map<string, number[]>, pending: Array<[string, number]>) =>
    micro.map((m) => {
      const [f, key, value] = m as [string, string, number | null];
      const list = view.get(key) ?? [];
      if (f === 'r') return ['r', key, [...list]] as HistoryValue;
      view.set(key, [...list, value!]);
      pending.push([key, value!]);
      return m;
    });
  return {
    async run(micro) {
      if (serializable) {
        const previous = lock;
        let release!: () => void;
        lock = new Promise((resolve) => (release = resolve));
        await previous;
        try {
          await sleep(r() * 2);
          return execute(micro, lists, []);
        } finally {
          release();
        }
      }
      const snapshot = new Map([...lists].map(([k, l]) => [k, [...l]]));
      const pending: Array<[string, number]> = [];
      const out = execute(micro, snapshot, pending);
      await sleep(r() * 2);
      for (const [k, v] of pending) lists.set(k, [...(lists.get(k) ?? []), v]);
      return out;
    },
  };
}

async function listAppendRun(serializable: boolean, seed: number) {
  const r = rng(seed);
  const db = listDb(r, serializable);
  const recorder = new HistoryRecorder();
  let unique = 0;
  const client = async (process: number) => {
    for (let i = 0; i < 40; i++) {
      const micro: HistoryValue[] = [];
      for (let j = 0; j < 1 + Math.floor(r() * 3); j++) {
        const key = `k${Math.floor(r() * 3)}`;
        micro.push(r() < 0.5 ? ['r', key, null] : ['append', key, ++unique]);
      }
      await recorder.run(process, 'txn', micro, () => db.run(micro));
    }
  };
  await Promise.all([0, 1, 2, 3].map(client));
  return recorder.events;
}

describe('end to end', () => {
  it('a linearizable register server passes, timeouts and all', async () => {
    const events = await registerRun(null, 1);
    expect(events.some((e) => e.type === 'info')).toBe(true);
    const result = checkLinearizable(casRegisterModel, events);
    expect(result.anomalies).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it('a register server reading from a lagging replica is caught', async () => {
    const result = checkLinearizable(casRegisterModel, await registerRun(20, 2));
    expect(result.valid).toBe(false);
  });

  it('a serializable list store passes, also under realtime order', async () => {
    const result = checkListAppend(await listAppendRun(true, 3), { realtime: true, process: true });
    expect(result.anomalies).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it('a list store that never checks for conflicts is caught', async () => {
    const result = checkListAppend(await listAppendRun(false, 4));
    expect(result.valid).toBe(false);
    expect(result.anomalies.map((a) => a.kind).some((k) => ['lost-update', 'G-single', 'G2'].includes(k))).toBe(true);
  });
});
