/**
 * Storage benchmark: Meridian's MVCC layer against raw classic-level in the
 * same run, on the same machine and disk. Prints one JSON line on stdout
 * (progress on stderr).
 *
 *   npm run bench -- storage [--keys 1000000] [--seconds 3] [--rounds 3] [--cache-mib 256]
 *
 * Each operation runs for `seconds` per side with 16 operations in flight
 * (like a server with concurrent clients). The time is split into `rounds`
 * that alternate raw and MVCC, so a neighbour's load on this shared machine
 * hits both sides alike. Operations:
 *
 * - synced single puts: MVCC put + synced batch commit vs a synced db.put;
 * - synced batches of 100 puts (keys/s): mvccPutMany + synced commit vs a
 *   synced chained batch;
 * - point gets on `keys` keys (random, all present): mvccGet vs db.getSync,
 *   the same native call the MVCC layer makes (async db.get is reported too);
 * - scans of 1000 rows (rows/s): mvccScan vs a raw iterator with the same
 *   chunk size.
 *
 * The read data set is bulk-loaded with unsynced batches of 10,000 in both
 * stores (MVCC through mvccPutMany) and both are compacted before reading.
 * Both stores get the same LevelDB block cache (256 MiB by default, which
 * holds the 1M-key set in either format, so reads measure the layers rather
 * than the miss rate; with 64 MiB the MVCC format's extra 17 bytes per value
 * mean more misses, which costs it roughly another tenth on gets).
 * Engine.commit merges concurrent commits into one LevelDB write (group
 * commit); the raw side gets LevelDB's own grouping of concurrent writes.
 * Besides throughput, each side's CPU time per operation is reported: it is
 * steadier than throughput when other work shares the machine.
 */
import { ClassicLevel } from 'classic-level';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { timestamp } from '../node/hlc/index.ts';
import {
  Engine, emptyStats, engineWriteBufferBytesDefault, iteratorChunkBytes, mvccGet, mvccPut, mvccPutMany, mvccScan,
} from '../node/storage/index.ts';

const { values: args } = parseArgs({
  options: {
    keys: { type: 'string', default: '1000000' },
    seconds: { type: 'string', default: '3' },
    rounds: { type: 'string', default: '3' },
    'cache-mib': { type: 'string', default: '256' },
  },
});
const keyCount = Number(args.keys);
const rounds = Number(args.rounds);
const roundMs = (Number(args.seconds) * 1000) / rounds;
const cacheBytes = Number(args['cache-mib']) * 1024 * 1024;
const concurrency = 16;
const scanRows = 1000;
const log = (s: string) => process.stderr.write(`${s}\n`);

let seed = 42;
/** A seeded xorshift32, so runs are repeatable. */
function random(): number {
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  return (seed >>> 0) / 0x1_0000_0000;
}
const keyOf = (i: number) => Buffer.from(`user/${String(i).padStart(10, '0')}`);
const value = Buffer.alloc(100, 7);

interface Tally {
  units: number;
  ms: number;
  cpuMicros: number;
}

/** Runs `op` with `concurrency` in flight for `ms`; adds completed units, time and CPU into `tally`. */
async function timed(tally: Tally, ms: number, op: (worker: number, i: number) => Promise<number>): Promise<void> {
  const start = performance.now();
  const cpu = process.cpuUsage();
  const end = start + ms;
  let counter = 0;
  await Promise.all(Array.from({ length: concurrency }, async (_, worker) => {
    while (performance.now() < end) {
      // Not `tally.units += await op()`: that reads tally.units before the
      // await and loses the other workers' updates.
      const done = await op(worker, counter++);
      tally.units += done;
    }
  }));
  const used = process.cpuUsage(cpu);
  tally.ms += performance.now() - start;
  tally.cpuMicros += used.user + used.system;
}

const result: Record<string, number | string> = {
  bench: 'storage', keys: keyCount, concurrency, seconds: Number(args.seconds), rounds, cacheMiB: Number(args['cache-mib']),
};

/** Alternates raw and MVCC rounds of one operation and records both rates, CPU per unit and the ratio. */
async function compare(
  name: string, unit: string, raw: (worker: number, i: number) => Promise<number>, mvcc: (worker: number, i: number) => Promise<number>,
): Promise<void> {
  log(`${name}…`);
  const rawTally: Tally = { units: 0, ms: 0, cpuMicros: 0 };
  const mvccTally: Tally = { units: 0, ms: 0, cpuMicros: 0 };
  for (let round = 0; round < rounds; round++) {
    await timed(rawTally, roundMs, raw);
    await timed(mvccTally, roundMs, mvcc);
  }
  const rate = (t: Tally) => t.units / (t.ms / 1000);
  result[`raw${name}${unit}PerSec`] = Math.round(rate(rawTally));
  result[`mvcc${name}${unit}PerSec`] = Math.round(rate(mvccTally));
  result[`raw${name}CpuMicrosPer${unit}`] = Number((rawTally.cpuMicros / rawTally.units).toFixed(2));
  result[`mvcc${name}CpuMicrosPer${unit}`] = Number((mvccTally.cpuMicros / mvccTally.units).toFixed(2));
  result[`ratio${name}`] = Number((rate(mvccTally) / rate(rawTally)).toFixed(3));
}

const root = mkdtempSync(join(tmpdir(), 'meridian-bench-storage-'));
const engine = await Engine.open(join(root, 'mvcc'), { cacheBytes, writeBufferBytes: engineWriteBufferBytesDefault });
const raw = new ClassicLevel<Buffer, Buffer>(join(root, 'raw'), {
  keyEncoding: 'buffer', valueEncoding: 'buffer', cacheSize: cacheBytes, writeBufferSize: engineWriteBufferBytesDefault,
});
await raw.open();
const stats = emptyStats();
let wall = 1_000_000;

try {
  await compare('SyncedPuts', 'Put', async (w, i) => {
    await raw.put(Buffer.from(`single/${w}/${i}`), value, { sync: true });
    return 1;
  }, async (w, i) => {
    const batch = engine.newBatch();
    await mvccPut(batch, stats, Buffer.from(`single/${w}/${i}`), timestamp(++wall), value);
    await batch.commit({ sync: true });
    return 1;
  });

  await compare('SyncedBatch100', 'Key', async (w, i) => {
    const batch = raw.batch();
    for (let j = 0; j < 100; j++) batch.put(Buffer.from(`batch/${w}/${i}/${j}`), value);
    await batch.write({ sync: true });
    return 100;
  }, async (w, i) => {
    const batch = engine.newBatch();
    const items = [];
    for (let j = 0; j < 100; j++) items.push({ key: Buffer.from(`batch/${w}/${i}/${j}`), value });
    await mvccPutMany(batch, stats, timestamp(++wall), items);
    await batch.commit({ sync: true });
    return 100;
  });

  log(`loading ${keyCount} keys…`);
  const loadTs = timestamp(++wall);
  const rawLoadStart = performance.now();
  for (let i = 0; i < keyCount; i += 10_000) {
    const batch = raw.batch();
    for (let j = i; j < Math.min(keyCount, i + 10_000); j++) batch.put(keyOf(j), value);
    await batch.write();
  }
  result.rawLoadKeysPerSec = Math.round(keyCount / ((performance.now() - rawLoadStart) / 1000));
  const loadStart = performance.now();
  for (let i = 0; i < keyCount; i += 10_000) {
    const batch = engine.newBatch();
    const items = [];
    for (let j = i; j < Math.min(keyCount, i + 10_000); j++) items.push({ key: keyOf(j), value });
    await mvccPutMany(batch, stats, loadTs, items);
    await batch.commit({ sync: false });
  }
  result.mvccLoadKeysPerSec = Math.round(keyCount / ((performance.now() - loadStart) / 1000));
  result.ratioLoad = Number(((result.mvccLoadKeysPerSec as number) / (result.rawLoadKeysPerSec as number)).toFixed(3));
  log('compacting both stores…');
  await engine.db.compactRange(Buffer.alloc(0), Buffer.from([0xff, 0xff, 0xff]));
  await raw.compactRange(Buffer.alloc(0), Buffer.from([0xff, 0xff, 0xff]));

  const readTs = timestamp(++wall);
  await compare('Gets', 'Get', async () => {
    if (!raw.getSync(keyOf(Math.floor(random() * keyCount)))) throw new Error('missing key');
    return 1;
  }, async () => {
    const got = await mvccGet(engine, keyOf(Math.floor(random() * keyCount)), readTs);
    if (!got.value) throw new Error('missing key');
    return 1;
  });
  log('async gets (raw only)…');
  const asyncTally: Tally = { units: 0, ms: 0, cpuMicros: 0 };
  await timed(asyncTally, roundMs, async () => {
    if (!(await raw.get(keyOf(Math.floor(random() * keyCount))))) throw new Error('missing key');
    return 1;
  });
  result.rawAsyncGetsPerSec = Math.round(asyncTally.units / (asyncTally.ms / 1000));

  const start = () => Math.floor(random() * (keyCount - scanRows));
  await compare('Scan1000', 'Row', async () => {
    const s = start();
    const it = raw.iterator({ gte: keyOf(s), lt: keyOf(s + scanRows), highWaterMarkBytes: iteratorChunkBytes });
    try {
      const rows = await it.nextv(scanRows + 1);
      if (rows.length !== scanRows) throw new Error('short scan');
      return rows.length;
    } finally {
      await it.close();
    }
  }, async () => {
    const s = start();
    const { rows } = await mvccScan(engine, { key: keyOf(s), endKey: keyOf(s + scanRows) }, readTs);
    if (rows.length !== scanRows) throw new Error('short scan');
    return rows.length;
  });

  result.target = 'ratios of SyncedPuts, SyncedBatch100, Gets, Scan1000 >= 0.67 (MVCC costs at most 1.5x raw LevelDB)';
  process.stdout.write(`${JSON.stringify(result)}\n`);
} finally {
  await engine.close();
  await raw.close();
  rmSync(root, { recursive: true, force: true });
}
