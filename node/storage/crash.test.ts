/**
 * Crash safety: a child process streams synced batches and is killed with
 * SIGKILL mid-stream; after reopening, every acknowledged batch must be fully
 * present and no batch may be half-applied.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { maxTimestamp } from '../hlc/index.ts';
import { Engine } from './engine.ts';
import { mvccScan } from './mvcc.ts';

const writer = fileURLToPath(new URL('./testdata/crash-writer.ts', import.meta.url));
const keysPerBatch = 20;

/** Runs the writer until it has acknowledged about `killAfterAcks` batches, then SIGKILLs it. */
function runAndKill(dir: string, killAfterAcks: number, extraDelayMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', writer, dir, String(keysPerBatch)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let acked = 0;
    let buffered = '';
    let killing = false;
    let stderr = '';
    const deadline = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    child.stdout.on('data', (d: Buffer) => {
      buffered += d.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        const match = /^ack (\d+)$/.exec(line);
        if (match) acked = Number(match[1]);
      }
      if (!killing && acked >= killAfterAcks) {
        killing = true;
        setTimeout(() => child.kill('SIGKILL'), extraDelayMs);
      }
    });
    child.on('exit', (code, signal) => {
      clearTimeout(deadline);
      if (signal !== 'SIGKILL') reject(new Error(`writer exited with ${code}: ${stderr}`));
      else resolve(acked);
    });
  });
}

describe('storage crash safety', () => {
  it('keeps every acknowledged batch and never half-applies one', async () => {
    const plans = [[5, 0], [30, 3], [80, 1], [15, 7]] as const;
    for (const [killAfter, delay] of plans) {
      const dir = mkdtempSync(join(tmpdir(), 'meridian-crash-'));
      try {
        const acked = await runAndKill(dir, killAfter, delay);
        expect(acked).toBeGreaterThanOrEqual(killAfter);
        const engine = await Engine.open(dir);
        try {
          const { rows } = await mvccScan(engine, { key: Buffer.from('batch/'), endKey: Buffer.from('batch0') }, maxTimestamp);
          const perBatch = new Map<number, number>();
          for (const row of rows) {
            const n = Number(row.key.toString().split('/')[1]);
            expect(row.value.toString()).toMatch(new RegExp(`^value-${n}-\\d+$`));
            perBatch.set(n, (perBatch.get(n) ?? 0) + 1);
          }
          for (let n = 1; n <= acked; n++) expect(perBatch.get(n), `acknowledged batch ${n}`).toBe(keysPerBatch);
          for (const [n, count] of perBatch) expect(count, `batch ${n} is all or nothing`).toBe(keysPerBatch);
          const highest = Math.max(0, ...perBatch.keys());
          // At most the batch in flight when the kill landed can be present unacknowledged.
          expect(highest).toBeLessThanOrEqual(acked + 1);
          expect(perBatch.size).toBe(highest);
        } finally {
          await engine.close();
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
  });
});
