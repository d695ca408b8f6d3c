/**
 * Storage benchmark: Meridian's MVCC layer against raw classic-level in the
 * same run, on the same machine and disk. Prints one JSON line.
 *
 *   npm run bench -- storage [--keys 1000000] [--seconds 3]
 *
 * Each phase runs for a fixed time with a fixed number of operations in
 * flight (16, like a server with concurrent clients). The 1M-key data set for
 * reads is bulk-loaded with unsynced batches of 10,000 in both stores (the
 * MVCC store through MVCC puts), then both are compacted before the read
 * phases. Raw writes use classic-level's chained batch, its fastest path.
 */
import { ClassicLevel } from 'classic-level';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { timestamp } from '../node/hlc/index.ts';
import { Engine, emptyStats, mvccGet, mvccPut, mvccPutMany, mvccScan } from '../node/storage/index.ts';

const { values: args } = parseArgs({
  options: { keys: { type: 'string', default: '1000000' }, seconds: { type: 'string', default: '3' } },
});
const keyCount = Number(args.keys);
const phaseMs = Number(args.seconds) * 1000;
const concurrency = 16;
const log = (s: string) => process.stderr.write(`${s}\n`);

let seed = 42;
/** A seeded xorshift32, so both stores see the same key sequence. */
function random(): number {
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  return (seed >>> 0) / 0x1_0000_0000;
}
const keyOf = (i: number) => Buffer.from(`user/${String(i).padStart(10, '0')}`);
const value = Buffer.alloc(100, 7);

/** Runs `op` with `concurrency` in flight for `phaseMs`; returns completed operations per second. */
async function timed(op: (worker: number, i: number) => Promise<number>): Promise<number> {
  const end = performance.now() + phaseMs;
  const start = performance.now();
  let units = 0;
  let counter = 0;
  await Promise.all(Array.from({ length: concurrency }, async (_, worker) => {
    while (performance.now() < end) {
      const done = await op(worker, counter++);
      units += done;
    }
  }));
  return units / ((performance.now() - start) / 1000);
}

const root = mkdtempSync(join(tmpdir(), 'meridian-bench-storage-'));
const engine = await Engine.open(join(root, 'mvcc'));
const raw = new ClassicLevel<Buffer, Buffer>(join(root, 'raw'), { keyEncoding: 'buffer', valueEncoding: 'buffer', cacheSize: 64 * 1024 * 1024, writeBufferSize: 16 * 1024 * 1024 });
await raw.open();
const stats = emptyStats();
let wall = 1_000_000;
const result: Record<string, number | string> = { bench: 'storage', keys: keyCount, concurrency, phaseSeconds: phaseMs / 1000 };

try {
  log('synced single puts…');
  result.mvccSyncedPutsPerSec = await timed(async (w, i) => {
    const batch = engine.newBatch();
    await mvccPut(batch, stats, Buffer.from(`single/${w}/${i}`), timestamp(++wall), value);
    await batch.commit({ sync: true });
    return 1;
  });
  result.rawSyncedPutsPerSec = await timed(async (w, i) => {
    await raw.put(Buffer.from(`single/${w}/${i}`), value, { sync: true });
    return 1;
  });

  log('synced batches of 100…');
  result.mvccSyncedBatchKeysPerSec = await timed(async (w, i) => {
    const batch = engine.newBatch();
    const items = [];
    for (let j = 0; j < 100; j++) items.push({ key: Buffer.from(`batch/${w}/${i}/${j}`), value });
    await mvccPutMany(batch, stats, timestamp(++wall), items);
    await batch.commit({ sync: true });
    return 100;
  });
  result.rawSyncedBatchKeysPerSec = await timed(async (w, i) => {
    const batch = raw.batch();
    for (let j = 0; j < 100; j++) batch.put(Buffer.from(`batch/${w}/${i}/${j}`), value);
    await batch.write({ sync: true });
    return 100;
  });

  log(`loading ${keyCount} keys…`);
  const loadTs = timestamp(++wall);
  const loadStart = performance.now();
  for (let i = 0; i < keyCount; i += 10_000) {
    const batch = engine.newBatch();
    for (let j = i; j < Math.min(keyCount, i + 10_000); j++) await mvccPut(batch, stats, keyOf(j), loadTs, value);
    await batch.commit({ sync: false });
  }
  result.mvccLoadKeysPerSec = keyCount / ((performance.now() - loadStart) / 1000);
  const rawLoadStart = performance.now();
  for (let i = 0; i < keyCount; i += 10_000) {
    const batch = raw.batch();
    for (let j = i; j < Math.min(keyCount, i + 10_000); j++) batch.put(keyOf(j), value);
    await batch.write();
  }
  result.rawLoadKeysPerSec = keyCount / ((performance.now() - rawLoadStart) / 1000);
  log('compacting both stores…');
  await engine.db.compactRange(Buffer.alloc(0), Buffer.from([0xff, 0xff, 0xff]));
  await raw.compactRange(Buffer.alloc(0), Buffer.from([0xff, 0xff, 0xff]));

  log('point gets…');
  const readTs = timestamp(++wall);
  result.mvccGetsPerSec = await timed(async () => {
    const got = await mvccGet(engine, keyOf(Math.floor(random() * keyCount)), readTs);
    if (!got.value) throw new Error('missing key');
    return 1;
  });
  result.rawGetsPerSec = await timed(async () => {
    const got = await raw.get(keyOf(Math.floor(random() * keyCount)));
    if (!got) throw new Error('missing key');
    return 1;
  });

  log('scans of 1000 rows…');
  const span = (start: number) => ({ key: keyOf(start), endKey: keyOf(start + 1000) });
  result.mvccScanRowsPerSec = await timed(async () => {
    const start = Math.floor(random() * (keyCount - 1000));
    return (await mvccScan(engine, span(start), readTs)).rows.length;
  });
  result.rawScanRowsPerSec = await timed(async () => {
    const start = Math.floor(random() * (keyCount - 1000));
    const it = raw.iterator({ gte: keyOf(start), lt: keyOf(start + 1000) });
    const rows = await it.all();
    return rows.length;
  });

  const ratio = (a: string, b: string) => Number(((result[a] as number) / (result[b] as number)).toFixed(3));
  result.ratioSyncedPuts = ratio('mvccSyncedPutsPerSec', 'rawSyncedPutsPerSec');
  result.ratioSyncedBatchKeys = ratio('mvccSyncedBatchKeysPerSec', 'rawSyncedBatchKeysPerSec');
  result.ratioGets = ratio('mvccGetsPerSec', 'rawGetsPerSec');
  result.ratioScanRows = ratio('mvccScanRowsPerSec', 'rawScanRowsPerSec');
  result.ratioLoadKeys = ratio('mvccLoadKeysPerSec', 'rawLoadKeysPerSec');
  for (const [k, v] of Object.entries(result)) if (typeof v === 'number' && !k.startsWith('ratio')) result[k] = Math.round(v);
  result.target = 'each ratio >= 0.67 (MVCC costs at most 1.5x raw LevelDB)';
  process.stdout.write(`${JSON.stringify(result)}\n`);
} finally {
  await engine.close();
  await raw.close();
  rmSync(root, { recursive: true, force: true });
}
