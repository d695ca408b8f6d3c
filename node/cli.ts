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
    .description('run a demo cluster of 3 nodes in 3 simulated regions on this machine')
    .option('--nodes <n>', 'number of nodes', '3')
    .action(() => {
      process.stderr.write(
        'meridian demo: this build has no SQL layer yet, so there is no cluster to serve;\n' +
          'the demo starts once the KV cluster and SQL layers are built.\n',
      );
      process.exitCode = 1;
    });

  return program;
}

await buildCli().parseAsync(process.argv);
