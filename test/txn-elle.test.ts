/**
 * node/txn's transactions checked by the Elle-style list-append checker:
 * seeded concurrent transactions of reads and appends over a few keys, on
 * the in-process sender, must show no anomaly (serializable, and each
 * process sees its own earlier transactions).
 */
import { describe, expect, it } from 'vitest';
import { checkListAppend, type HistoryEvent, type HistoryValue } from '../chaos/index.ts';
import { TxnDb, LocalTxnSender, ManualTicker } from '../node/txn/index.ts';
import { Hlc, ManualClock } from '../node/hlc/index.ts';
import { Engine } from '../node/storage/index.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

const keyOf = (n: number): Buffer => Buffer.from(`\x04elle/${n}`);

describe('list-append under node/txn', () => {
  for (const seed of [11, 12]) {
    it(`shows no anomaly (seed ${seed})`, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'meridian-elle-'));
      const engine = await Engine.open(dir, { cacheBytes: 4 * 1024 * 1024 });
      try {
        const clock = new ManualClock();
        const hlc = new Hlc(clock, { maxOffsetMicros: 250_000 });
        const sender = new LocalTxnSender(engine, { clock: hlc, sleep: () => new Promise((r) => setTimeout(r, 1)) });
        const db = new TxnDb({ sender, clock: hlc, rng: rng(seed), ticker: new ManualTicker() });
        const plan = rng(seed * 31);
        const history: HistoryEvent[] = [];
        let time = 0;
        let nextElem = 1;
        const record = (e: Omit<HistoryEvent, 'time' | 'index'>): void => { history.push({ ...e, time: ++time, index: history.length }); };
        await Promise.all(Array.from({ length: 5 }, async (_, process) => {
          for (let n = 0; n < 6; n++) {
            const ops = Array.from({ length: 1 + (plan() % 3) }, () => ({ key: plan() % 3, append: plan() % 2 === 0 ? nextElem++ : null }));
            record({ type: 'invoke', process, f: 'txn', value: ops.map((o) => (o.append === null ? ['r', o.key, null] : ['append', o.key, o.append])) });
            try {
              const done = await db.run(async (t) => {
                const out: HistoryValue[] = [];
                for (const o of ops) {
                  const raw = await t.get(keyOf(o.key));
                  const list = raw === null ? [] : (JSON.parse(Buffer.from(raw).toString()) as number[]);
                  if (o.append === null) { out.push(['r', o.key, list]); continue; }
                  await t.put(keyOf(o.key), Buffer.from(JSON.stringify([...list, o.append])));
                  out.push(['append', o.key, o.append]);
                }
                clock.advance(1 + (plan() % 10));
                return out;
              });
              record({ type: 'ok', process, f: 'txn', value: done });
            } catch (error) {
              record({ type: 'fail', process, f: 'txn', value: null, error: String(error) });
            }
          }
        }));
        await db.quiesce();
        const result = checkListAppend(history, { process: true });
        expect(result.anomalies).toEqual([]);
        expect(result.valid).toBe(true);
      } finally {
        await engine.close();
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});
