/**
 * Long randomized runs kept out of the test suite: `npm run soak -- <target> [options]`.
 *
 *   npm run soak -- raft --seeds 100000 [--start 1] [--steps 400] [--nodes 5]
 *   npm run soak -- raft --seed=1234 [--trace]          (replay one seed)
 *
 * Each target is bounded (by its seed count) and stops by itself; it exits
 * non-zero on the first failure, printing the line that reproduces it.
 * Progress goes to stderr, the one-line JSON summary to stdout. A new target
 * is one more entry in `targets`.
 */
import { soakRaft } from '../consensus/sim/index.ts';

/** A soak target: runs with its own flags, returns the exit code. */
type Target = (argv: readonly string[]) => number;

const io = {
  now: () => performance.now(),
  err: (text: string) => void process.stderr.write(text),
  out: (text: string) => void process.stdout.write(text),
};

const targets: Record<string, Target> = {
  raft: (argv) => soakRaft(argv, io),
};

const [name, ...rest] = process.argv.slice(2);
const target = name === undefined ? undefined : targets[name];
if (!target) {
  process.stderr.write(`usage: npm run soak -- <${Object.keys(targets).join('|')}> [options]\n`);
  process.exitCode = 2;
} else {
  process.exitCode = target(rest);
}
