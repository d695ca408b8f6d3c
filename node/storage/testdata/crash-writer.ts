/**
 * Child process for the crash-safety test: writes a stream of synced units to
 * the store at argv[2] and prints "ack <n>" only after unit n's synced write
 * has returned. Each unit is two batches committed as one group
 * (Engine.commitBatches), `keysPerUnit` MVCC keys tagged with the unit
 * number, so the test also proves a group commit is all-or-nothing. The
 * parent kills this process with SIGKILL at a random moment and checks the store.
 */
import { timestamp } from '../../hlc/index.ts';
import { Engine, emptyStats, mvccPut } from '../index.ts';

const dir = process.argv[2];
const keysPerUnit = Number(process.argv[3] ?? 20);
const unitsMax = Number(process.argv[4] ?? 100_000);
if (!dir) throw new Error('usage: crash-writer <dir> [keysPerUnit] [unitsMax]');

const engine = await Engine.open(dir);
const stats = emptyStats();
process.stdout.write('ready\n');
for (let n = 1; n <= unitsMax; n++) {
  const halves = [engine.newBatch(), engine.newBatch()];
  for (let i = 0; i < keysPerUnit; i++) {
    const key = Buffer.from(`unit/${String(n).padStart(8, '0')}/${String(i).padStart(4, '0')}`);
    await mvccPut(halves[i % 2]!, stats, key, timestamp(n), Buffer.from(`value-${n}-${i}`));
  }
  await engine.commitBatches(halves, { sync: true });
  process.stdout.write(`ack ${n}\n`);
}
await engine.close();
