/**
 * Child process for the crash-safety test: writes a stream of synced MVCC
 * batches to the store at argv[2] and prints "ack <n>" only after batch n's
 * synced write has returned. The parent kills it with SIGKILL at a random
 * moment and checks the store.
 */
import { timestamp } from '../../hlc/index.ts';
import { Engine, emptyStats, mvccPut } from '../index.ts';

const dir = process.argv[2];
const keysPerBatch = Number(process.argv[3] ?? 20);
const batchesMax = Number(process.argv[4] ?? 100_000);
if (!dir) throw new Error('usage: crash-writer <dir> [keysPerBatch] [batchesMax]');

const engine = await Engine.open(dir);
const stats = emptyStats();
process.stdout.write('ready\n');
for (let n = 1; n <= batchesMax; n++) {
  const batch = engine.newBatch();
  for (let i = 0; i < keysPerBatch; i++) {
    const key = Buffer.from(`batch/${String(n).padStart(8, '0')}/${String(i).padStart(4, '0')}`);
    await mvccPut(batch, stats, key, timestamp(n), Buffer.from(`value-${n}-${i}`));
  }
  await batch.commit({ sync: true });
  process.stdout.write(`ack ${n}\n`);
}
await engine.close();
