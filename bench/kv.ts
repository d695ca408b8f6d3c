/**
 * KV benchmark: a 3-node Meridian cluster and a 3-member etcd cluster on
 * loopback in the same run, driven by the same workload (256-byte values, 64
 * concurrent clients, puts for --seconds then reads for --seconds). Every
 * acknowledged write is synced to a majority in both systems. Prints one JSON
 * line with throughputs, p50/p99 latencies and the Meridian/etcd ratios.
 *
 *   npm run bench -- kv [--seconds 20] [--clients 64]
 *
 * etcd comes from Debian's etcd-server package, installed here if missing.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as grpc from '@grpc/grpc-js';
import * as hdr from 'hdr-histogram-js';
import protobuf from 'protobufjs';
import { KvClient } from '../node/client.ts';

/** The subset of etcd's v3 KV API the benchmark calls, over etcd's native gRPC. */
const etcdSchema = protobuf.parse(`
syntax = "proto3";
package etcdserverpb;
message ResponseHeader { uint64 cluster_id = 1; uint64 member_id = 2; int64 revision = 3; uint64 raft_term = 4; }
message KeyValue { bytes key = 1; int64 create_revision = 2; int64 mod_revision = 3; int64 version = 4; bytes value = 5; int64 lease = 6; }
message PutRequest { bytes key = 1; bytes value = 2; int64 lease = 3; bool prev_kv = 4; bool ignore_value = 5; bool ignore_lease = 6; }
message PutResponse { ResponseHeader header = 1; KeyValue prev_kv = 2; }
message RangeRequest { bytes key = 1; bytes range_end = 2; int64 limit = 3; int64 revision = 4; int32 sort_order = 5; int32 sort_target = 6; bool serializable = 7; }
message RangeResponse { ResponseHeader header = 1; repeated KeyValue kvs = 2; bool more = 3; int64 count = 4; }
`).root;
const PutRequest = etcdSchema.lookupType('etcdserverpb.PutRequest');
const RangeRequest = etcdSchema.lookupType('etcdserverpb.RangeRequest');
const RangeResponse = etcdSchema.lookupType('etcdserverpb.RangeResponse');
const rawBytes = { requestSerialize: (b: Buffer) => b, requestDeserialize: (b: Buffer) => b, responseSerialize: (b: Buffer) => b, responseDeserialize: (b: Buffer) => b };
const EtcdKv = grpc.makeGenericClientConstructor({
  put: { path: '/etcdserverpb.KV/Put', requestStream: false, responseStream: false, ...rawBytes },
  range: { path: '/etcdserverpb.KV/Range', requestStream: false, responseStream: false, ...rawBytes },
}, 'KV');
type EtcdClient = InstanceType<typeof EtcdKv> & Record<'put' | 'range', (req: Buffer, cb: (e: grpc.ServiceError | null, r?: Buffer) => void) => void>;

function etcdCall(client: EtcdClient, method: 'put' | 'range', request: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => client[method](request, (e, r) => (e ? reject(e) : resolve(r ?? Buffer.alloc(0)))));
}

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '20' }, clients: { type: 'string', default: '64' } } });
const seconds = Number(values.seconds);
const clients = Number(values.clients);
const log = (s: string) => process.stderr.write(`${s}\n`);
const bin = fileURLToPath(new URL('../node/meridian.mjs', import.meta.url));
const value = Buffer.alloc(256, 0x61);
const children: ChildProcess[] = [];
const root = mkdtempSync(join(tmpdir(), 'meridian-bench-kv-'));

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

function etcdBinary(): string {
  for (const p of ['/usr/bin/etcd', '/usr/local/bin/etcd']) if (existsSync(p)) return p;
  log('installing etcd-server…');
  spawnSync('apt-get', ['update', '-qq'], { stdio: 'ignore' });
  const r = spawnSync('apt-get', ['install', '-y', '-qq', 'etcd-server'], { stdio: 'ignore', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  if (r.status !== 0 || !existsSync('/usr/bin/etcd')) throw new Error('could not install etcd-server');
  return '/usr/bin/etcd';
}

function waitForOutput(child: ChildProcess, pattern: RegExp, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`${what} did not start: ${out.slice(-2000)}`)), 30_000);
    const onData = (d: Buffer) => {
      out += d.toString();
      if (pattern.test(out)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
  });
}

interface Phase { opsPerSec: number; p50Ms: number; p99Ms: number; errors: number }

async function drive(op: (worker: number, i: number) => Promise<void>): Promise<Phase> {
  const h = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: 3 });
  const end = performance.now() + seconds * 1000;
  let done = 0;
  let errors = 0;
  const started = performance.now();
  await Promise.all(Array.from({ length: clients }, async (_, worker) => {
    for (let i = 0; performance.now() < end; i++) {
      const t = performance.now();
      try {
        await op(worker, i);
        h.recordValue(Math.max(1, Math.round((performance.now() - t) * 1000)));
        done++;
      } catch {
        errors++;
      }
    }
  }));
  const elapsed = (performance.now() - started) / 1000;
  return { opsPerSec: Math.round(done / elapsed), p50Ms: h.getValueAtPercentile(50) / 1000, p99Ms: h.getValueAtPercentile(99) / 1000, errors };
}

async function meridian(): Promise<{ puts: Phase; gets: Phase }> {
  const addresses: string[] = [];
  for (let i = 0; i < 3; i++) {
    const address = `127.0.0.1:${await freePort()}`;
    addresses.push(address);
    const child = spawn(process.execPath, [bin, 'start', '--store', join(root, `meridian${i}`), '--listen-addr', address, '--http-addr', `127.0.0.1:${await freePort()}`], { stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    await waitForOutput(child, /listening/, `meridian node ${i + 1}`);
  }
  const init = spawnSync(process.execPath, [bin, 'init', '--host', addresses[0]!, '--join', addresses.join(',')], { encoding: 'utf8' });
  if (init.status !== 0) throw new Error(`init failed: ${init.stderr}`);
  const pool = Array.from({ length: 8 }, () => new KvClient(addresses));
  await pool[0]!.put(Buffer.from('warmup'), value);
  log('meridian: puts…');
  const puts = await drive((w, i) => pool[w % pool.length]!.put(Buffer.from(`key-${w}-${i}`), value));
  log('meridian: gets…');
  const gets = await drive((w, i) => pool[w % pool.length]!.get(Buffer.from(`key-${w}-${i % 100}`)).then(() => undefined));
  for (const c of pool) c.close();
  return { puts, gets };
}

async function etcd(): Promise<{ puts: Phase; gets: Phase }> {
  const binary = etcdBinary();
  const peers: string[] = [];
  const clientUrls: string[] = [];
  for (let i = 0; i < 3; i++) {
    peers.push(`http://127.0.0.1:${await freePort()}`);
    clientUrls.push(`http://127.0.0.1:${await freePort()}`);
  }
  const cluster = peers.map((p, i) => `e${i}=${p}`).join(',');
  for (let i = 0; i < 3; i++) {
    const child = spawn(binary, [
      '--name', `e${i}`, '--data-dir', join(root, `etcd${i}`), '--listen-peer-urls', peers[i]!, '--initial-advertise-peer-urls', peers[i]!,
      '--listen-client-urls', clientUrls[i]!, '--advertise-client-urls', clientUrls[i]!, '--initial-cluster', cluster,
      '--initial-cluster-state', 'new', '--initial-cluster-token', 'bench', '--log-level', 'error',
    ], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ETCD_UNSUPPORTED_ARCH: process.arch === 'x64' ? '' : process.arch } });
    children.push(child);
  }
  const channels = Array.from({ length: 8 }, (_, i) => new EtcdKv(clientUrls[i % 3]!.replace('http://', ''), grpc.credentials.createInsecure()) as EtcdClient);
  const put = (client: EtcdClient, key: string) =>
    etcdCall(client, 'put', Buffer.from(PutRequest.encode(PutRequest.create({ key: Buffer.from(key), value })).finish()));
  // Wait for the cluster to accept writes.
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      await put(channels[0]!, 'warmup');
      break;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  log('etcd: puts…');
  const puts = await drive((w, i) => put(channels[w % channels.length]!, `key-${w}-${i}`).then(() => undefined));
  log('etcd: gets…');
  // Linearizable reads (serializable: false, etcd's default).
  const gets = await drive(async (w, i) => {
    const response = await etcdCall(channels[w % channels.length]!, 'range', Buffer.from(RangeRequest.encode(RangeRequest.create({ key: Buffer.from(`key-${w}-${i % 100}`) })).finish()));
    RangeResponse.decode(response);
  });
  for (const c of channels) c.close();
  return { puts, gets };
}

try {
  const m = await meridian();
  const e = await etcd();
  const ratio = (a: number, b: number) => Number((a / b).toFixed(3));
  process.stdout.write(`${JSON.stringify({
    bench: 'kv', nodes: 3, clients, seconds, valueBytes: value.length,
    meridian: m, etcd: e,
    putThroughputRatio: ratio(m.puts.opsPerSec, e.puts.opsPerSec),
    getThroughputRatio: ratio(m.gets.opsPerSec, e.gets.opsPerSec),
    putP50Ratio: ratio(m.puts.p50Ms, e.puts.p50Ms),
    target: 'putThroughputRatio >= 1.5 and putP50Ratio <= 1',
  })}\n`);
} finally {
  for (const c of children) c.kill('SIGKILL');
  await new Promise((r) => setTimeout(r, 300));
  rmSync(root, { recursive: true, force: true });
}
