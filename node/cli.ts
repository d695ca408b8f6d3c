/**
 * The `meridian` command: one entry point for every way of running a node.
 * Commands are added here as the layers beneath them land.
 */
import { Command } from 'commander';
import { existsSync, readFileSync } from 'node:fs';

/** package.json sits one level up from the sources and two from dist/node. */
function readPackageJson(): { version: string } {
  for (const relative of ['../package.json', '../../package.json']) {
    const url = new URL(relative, import.meta.url);
    if (existsSync(url)) return JSON.parse(readFileSync(url, 'utf8')) as { version: string };
  }
  return { version: 'unknown' };
}

const packageJson = readPackageJson();

/** Builds the command tree; exported so tests can drive it without a process. */
export function buildCli(): Command {
  const program = new Command('meridian')
    .description('Meridian: a distributed, strongly consistent SQL database')
    .version(packageJson.version);

  program
    .command('demo')
    .description('run a demo cluster of 3 nodes in 3 simulated regions on this machine (Ctrl-C stops it)')
    .option('--nodes <n>', 'number of nodes', '3')
    .option('--base-port <port>', 'first node\'s port; the others follow', '26357')
    .action(async (opts: { nodes: string; basePort: string }) => {
      const { runDemo } = await import('./demo.ts');
      await runDemo({ nodes: Number(opts.nodes), basePort: Number(opts.basePort) });
    });

  program
    .command('start')
    .description('start a node (uninitialised until `meridian init`; restarts resume from the store)')
    .requiredOption('--store <dir>', 'directory of this node\'s store')
    .option('--listen-addr <host:port>', 'address for peers and clients', '127.0.0.1:26357')
    .option('--http-addr <host:port>', 'address for /health and /_status/vars', '127.0.0.1:8080')
    .option('--join <addresses>', 'comma-separated addresses of the cluster\'s nodes', '')
    .option('--locality <tiers>', 'e.g. region=us-east1,zone=us-east1-b', '')
    .option('--simulated-latency <pairs>', 'round trips between regions, e.g. us-east=eu-west:70ms,us-east=ap-south:120ms', '')
    .action(async (opts: { store: string; listenAddr: string; httpAddr: string; join: string; locality: string; simulatedLatency: string }) => {
      const { MeridianNode } = await import('./server.ts');
      const node = await MeridianNode.start({
        storeDir: opts.store, listenAddr: opts.listenAddr, httpAddr: opts.httpAddr, locality: opts.locality,
        join: opts.join.split(',').filter(Boolean), simulatedLatency: opts.simulatedLatency,
      });
      process.stdout.write(`meridian node listening on ${node.address} (http ${node.httpAddress})` +
        `${node.serving ? `, node ${node.nodeId}` : ', waiting for init'}\n`);
      const stop = () => {
        void node.stop().then(() => process.exit(0));
      };
      process.once('SIGTERM', stop);
      process.once('SIGINT', stop);
    });

  program
    .command('init')
    .description('initialise a new cluster whose nodes listen at --join (node i at the i-th address)')
    .requiredOption('--host <host:port>', 'a node to send the request to')
    .requiredOption('--join <addresses>', 'comma-separated addresses of every node, in node-ID order')
    .action(async (opts: { host: string; join: string }) => {
      const rpc = await import('./rpc/index.ts');
      const client = rpc.dial(opts.host);
      try {
        const request = rpc.encodeMessage(rpc.BootstrapRequestType, { clusterId: '', addresses: opts.join.split(',').filter(Boolean), forward: true });
        const response = rpc.decodeMessage<{ error: string }>(rpc.BootstrapResponseType, await rpc.unary(client, 'bootstrap', request, 30_000));
        if (response.error) throw new Error(response.error);
        process.stdout.write('cluster initialised\n');
      } catch (error) {
        process.stderr.write(`init failed: ${(error as Error).message}\n`);
        process.exitCode = 1;
      } finally {
        client.close();
      }
    });

  const nodeCommand = program.command('node').description('inspect nodes');
  nodeCommand
    .command('status')
    .description('a table of the nodes: address, locality, liveness, fencing, ranges, leaders')
    .requiredOption('--host <addresses>', 'comma-separated node addresses')
    .action(async (opts: { host: string }) => {
      const rpc = await import('./rpc/index.ts');
      const rows: string[] = ['node_id  address              locality             live  fenced  ranges  leading  applied'];
      for (const address of opts.host.split(',').filter(Boolean)) {
        const client = rpc.dial(address);
        try {
          const s = rpc.decodeMessage<{ nodeId: number; locality: string; address: string; fenced: boolean; ranges: Array<{ role: string; applied: number }> }>(
            rpc.StatusResponseType, await rpc.unary(client, 'status', Buffer.alloc(0), 5_000));
          const leading = s.ranges.filter((r) => r.role === 'leader').length;
          const applied = s.ranges.map((r) => r.applied).join(',');
          rows.push(`${String(s.nodeId).padEnd(8)} ${s.address.padEnd(20)} ${(s.locality || '-').padEnd(20)} ${'yes'.padEnd(5)} ${(s.fenced ? 'yes' : 'no').padEnd(7)} ${String(s.ranges.length).padEnd(7)} ${String(leading).padEnd(8)} ${applied}`);
        } catch (error) {
          rows.push(`?        ${address.padEnd(20)} ${'-'.padEnd(20)} no    -       -       -        unreachable: ${(error as Error).message.split('\n')[0]}`);
        } finally {
          client.close();
        }
      }
      process.stdout.write(`${rows.join('\n')}\n`);
    });

  return program;
}

await buildCli().parseAsync(process.argv);
