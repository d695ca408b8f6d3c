/** Helpers for tests that run real Meridian processes on loopback. */
import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { afterAll } from 'vitest';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import {
  decodeMessage, dial, encodeMessage, FaultRequestType, StatusResponseType, unary,
} from '../node/rpc/index.ts';

export const bin = fileURLToPath(new URL('../node/meridian.mjs', import.meta.url));

export async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export interface Proc { child: ChildProcess; address: string; http: string; dir: string }

export function startNode(dir: string, address: string, http: string, extraArgs: readonly string[] = []): Promise<Proc> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, 'start', '--store', dir, '--listen-addr', address, '--http-addr', http, ...extraArgs], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const timer = setTimeout(() => reject(new Error(`node did not start: ${out}`)), 20_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('listening')) {
        clearTimeout(timer);
        resolve({ child, address, http, dir });
      }
    });
    child.stderr!.on('data', (d: Buffer) => { out += d.toString(); });
    child.on('exit', (code) => reject(new Error(`node exited with ${code}: ${out}`)));
  });
}


export async function status(address: string) {
  const client = dial(address);
  try {
    return decodeMessage<{ nodeId: number; ranges: Array<{ role: string; applied: number; leaderNode: number }> }>(
      StatusResponseType, await unary(client, 'status', Buffer.alloc(0), 3_000));
  } finally {
    client.close();
  }
}

export async function until<T>(what: string, fn: () => Promise<T | undefined | null | false>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch {
      // not yet
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}


/** Sends a fault-injection request to a node. */
export async function fault(address: string, request: Record<string, unknown>): Promise<void> {
  const client = dial(address);
  try {
    await unary(client, 'fault', encodeMessage(FaultRequestType, request), 5_000);
  } finally {
    client.close();
  }
}

/** Starts `count` nodes in fresh store directories and initialises them as one cluster. */
export async function startCluster(
  count: number, procs: Proc[], dirs: string[], argsFor: (index: number) => readonly string[] = () => [],
): Promise<string[]> {
  const { mkdtempSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const { spawnSync } = await import('node:child_process');
  const addresses: string[] = [];
  for (let i = 0; i < count; i++) {
    const dir = mkdtempSync(join(tmpdir(), `meridian-node${i + 1}-`));
    dirs.push(dir);
    const address = `127.0.0.1:${await freePort()}`;
    addresses.push(address);
    procs.push(await startNode(dir, address, `127.0.0.1:${await freePort()}`, argsFor(i)));
  }
  const init = spawnSync(process.execPath, [bin, 'init', '--host', addresses[0]!, '--join', addresses.join(',')], { encoding: 'utf8', timeout: 60_000 });
  if (!(init.stdout + init.stderr).includes('cluster initialised')) throw new Error(`init failed: ${init.stdout}${init.stderr}`);
  return addresses;
}

/** Processes and store directories a test file starts; all killed and removed after the file's tests. */
export function trackProcesses(): { procs: Proc[]; dirs: string[] } {
  const tracked = { procs: [] as Proc[], dirs: [] as string[] };
  afterAll(() => {
    for (const p of tracked.procs) p.child.kill('SIGKILL');
    for (const d of tracked.dirs) rmSync(d, { recursive: true, force: true });
  });
  return tracked;
}
