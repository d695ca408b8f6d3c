/** Helpers for storage tests: a fresh engine in a temp directory. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine } from './engine.ts';

export async function withEngine<T>(fn: (engine: Engine, dir: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'meridian-storage-'));
  const engine = await Engine.open(dir, { cacheBytes: 8 * 1024 * 1024 });
  try {
    return await fn(engine, dir);
  } finally {
    await engine.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
