/** Helpers for node/txn tests: one engine, a manual clock, a seeded random source, a manual ticker. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Hlc, ManualClock } from '../hlc/index.ts';
import { Engine } from '../storage/index.ts';
import { TxnDb } from './db.ts';
import { LocalTxnSender } from './local-sender.ts';
import { ManualTicker } from './ticker.ts';

/** Mulberry32: a small seeded uint32 generator. */
export function seededRng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

export interface Env {
  readonly engine: Engine;
  readonly clock: ManualClock;
  readonly hlc: Hlc;
  readonly sender: LocalTxnSender;
  readonly db: TxnDb;
  readonly ticker: ManualTicker;
}

export const maxOffsetMicros = 250_000;

export async function withEnv<T>(fn: (env: Env) => Promise<T>, options: { seed?: number; pipelining?: boolean } = {}): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'meridian-txn-'));
  const engine = await Engine.open(dir, { cacheBytes: 4 * 1024 * 1024 });
  const clock = new ManualClock(1_700_000_000_000_000);
  const hlc = new Hlc(clock, { maxOffsetMicros });
  const sender = new LocalTxnSender(engine, { clock: hlc, sleep: () => new Promise((r) => setTimeout(r, 1)) });
  const ticker = new ManualTicker();
  const db = new TxnDb({
    sender, clock: hlc, rng: seededRng(options.seed ?? 1), ticker, ...(options.pipelining === false ? { pipelining: false } : {}),
  });
  try {
    return await fn({ engine, clock, hlc, sender, db, ticker });
  } finally {
    await db.quiesce();
    await engine.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export const k = (s: string): Buffer => Buffer.from(`\x04k/${s}`);
export const v = (s: string): Buffer => Buffer.from(s);
export const str = (b: Uint8Array | null): string | null => (b === null ? null : Buffer.from(b).toString());
