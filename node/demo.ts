/**
 * `meridian demo`: a cluster of nodes in simulated regions inside one
 * process, in temporary stores, initialised and serving until Ctrl-C. The SQL
 * endpoint (postgres://…) joins it when the SQL layer lands; until then the
 * demo serves the KV API over gRPC.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KvClient } from './client.ts';
import { BootstrapRequestType, BootstrapResponseType, decodeMessage, dial, encodeMessage, unary } from './rpc/index.ts';
import { MeridianNode } from './server.ts';

const regions = ['us-east', 'eu-west', 'ap-south', 'us-west', 'eu-north', 'ap-east', 'sa-east'];

export interface DemoOptions {
  readonly nodes: number;
  readonly basePort: number;
  /** Stop by itself after this many milliseconds (tests); otherwise on SIGINT/SIGTERM. */
  readonly stopAfterMs?: number;
}

/** Round trips between the demo's regions: 60 ms plus 20 ms per step apart in the list. */
function latencySpec(count: number): string {
  const pairs: string[] = [];
  for (let i = 0; i < count; i++) for (let j = i + 1; j < count; j++) pairs.push(`${regions[i]}=${regions[j]}:${40 + 20 * (j - i)}ms`);
  return pairs.join(',');
}

export async function runDemo(options: DemoOptions): Promise<void> {
  const count = Math.max(1, Math.min(options.nodes, regions.length));
  const root = mkdtempSync(join(tmpdir(), 'meridian-demo-'));
  const addresses = Array.from({ length: count }, (_, i) => `127.0.0.1:${options.basePort + i}`);
  const nodes: MeridianNode[] = [];
  const stop = async () => {
    for (const node of nodes) await node.stop().catch(() => undefined);
    rmSync(root, { recursive: true, force: true });
  };
  try {
    for (let i = 0; i < count; i++) {
      nodes.push(await MeridianNode.start({
        storeDir: join(root, `node${i + 1}`), listenAddr: addresses[i]!, httpAddr: `127.0.0.1:${options.basePort + 100 + i}`,
        locality: `region=${regions[i]}`, simulatedLatency: latencySpec(count), join: addresses,
      }));
    }
    const client = dial(addresses[0]!);
    const response = decodeMessage<{ error: string }>(BootstrapResponseType, await unary(client, 'bootstrap',
      encodeMessage(BootstrapRequestType, { clusterId: '', addresses, forward: true }), 30_000));
    client.close();
    if (response.error) throw new Error(response.error);
    const kv = new KvClient(addresses);
    await kv.put(Buffer.from('demo/hello'), Buffer.from('world'));
    kv.close();
  } catch (error) {
    await stop();
    throw error;
  }
  const lines = [
    `Meridian demo: ${count} nodes in ${count} simulated regions`,
    ...nodes.map((n, i) => `  node ${i + 1}  ${regions[i]!.padEnd(9)} rpc ${n.address}  http http://${n.httpAddress}/health`),
    `  KV API (gRPC): ${addresses.join(',')}`,
    '  SQL: this build has no SQL layer yet, so there is no postgres:// endpoint.',
    `  meridian node status --host=${addresses.join(',')}`,
    'Press Ctrl-C to stop.',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  await new Promise<void>((resolve) => {
    const done = () => resolve();
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
    if (options.stopAfterMs !== undefined) setTimeout(done, options.stopAfterMs);
  });
  await stop();
  process.stdout.write('demo stopped\n');
}
