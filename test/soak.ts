/**
 * Long randomized runs kept out of the suite: `npm run soak -- <target> [options]`.
 *
 *   npm run soak -- raft --seeds 100000 [--start 1] [--steps 300] [--nodes 5]
 *   npm run soak -- raft --seed=1234          (replay one seed)
 *
 * Bounded by the number of seeds; exits non-zero on the first failure with
 * the line that reproduces it.
 */
import { parseArgs } from 'node:util';
import { runChaos } from '../consensus/sim/chaos.ts';

type Target = (args: string[]) => number;

function soakRaft(argv: string[]): number {
  const { values } = parseArgs({
    args: argv,
    options: {
      seeds: { type: 'string', default: '1000' },
      seed: { type: 'string' },
      start: { type: 'string', default: '1' },
      steps: { type: 'string' },
      nodes: { type: 'string' },
    },
  });
  const first = values.seed !== undefined ? Number(values.seed) : Number(values.start);
  const count = values.seed !== undefined ? 1 : Number(values.seeds);
  const steps = values.steps !== undefined ? Number(values.steps) : undefined;
  const nodes = values.nodes !== undefined ? Number(values.nodes) : undefined;
  const started = performance.now();
  let committed = 0;
  for (let seed = first; seed < first + count; seed++) {
    const result = runChaos({ seed, ...(steps ? { steps } : {}), ...(nodes ? { nodes } : {}) });
    committed += result.committed;
    if (!result.ok) {
      process.stderr.write(`\nFAIL seed ${seed} ${JSON.stringify(result.parameters)}\n  ${result.error}\n`);
      process.stderr.write(`  reproduce with: npm run soak -- raft --seed=${seed}\n`);
      return 1;
    }
    if ((seed - first + 1) % 1000 === 0) process.stderr.write(`  ${seed - first + 1}/${count} seeds ok\n`);
  }
  const seconds = (performance.now() - started) / 1000;
  process.stdout.write(`${JSON.stringify({ target: 'raft', seeds: count, first, committedEntries: committed, seconds: Number(seconds.toFixed(1)) })}\n`);
  return 0;
}

const targets: Record<string, Target> = { raft: soakRaft };
const [name, ...rest] = process.argv.slice(2);
const target = name ? targets[name] : undefined;
if (!target) {
  process.stderr.write(`usage: npm run soak -- <${Object.keys(targets).join('|')}> [options]\n`);
  process.exit(2);
}
process.exitCode = target(rest);
