/**
 * The Raft soak: many seeds of the simulation, one after another, stopping
 * at the first failure with the line that replays it. `test/soak.ts` is the
 * command line (`npm run soak -- raft …`); this module parses the target's
 * flags and runs it, with the clock and the output streams handed in so the
 * simulation package itself reads no clock.
 *
 *   --seeds N        how many seeds (default 1000), from --start (default 1)
 *   --seed=N         replay one seed (prints its statistics; --trace prints every event)
 *   --steps N        steps of the safety phase (default: the seed's choice)
 *   --nodes N        initial voters (default: the seed's choice)
 */
import { parseArgs } from 'node:util';
import type { ParameterOverrides } from './parameters.ts';
import { formatFailure, runSimulation, type RunResult } from './run.ts';

export interface SoakIo {
  /** Milliseconds from an arbitrary origin (only for rates and progress). */
  now(): number;
  /** Progress and failures. */
  err(text: string): void;
  /** The summary line. */
  out(text: string): void;
}

/** Seconds between progress lines. */
const progressEverySeconds = 10;

function positiveInt(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`--${name} must be a non-negative integer, got ${text}`);
  return n;
}

/** Parses the raft target's flags; throws on bad input. */
export function parseSoakArgs(argv: readonly string[]): { first: number; count: number; overrides: ParameterOverrides; trace: boolean } {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      seeds: { type: 'string' },
      seed: { type: 'string' },
      start: { type: 'string' },
      steps: { type: 'string' },
      nodes: { type: 'string' },
      trace: { type: 'boolean', default: false },
    },
    strict: true,
  });
  const single = values.seed !== undefined;
  const first = single ? positiveInt('seed', values.seed, 1) : positiveInt('start', values.start, 1);
  const count = single ? 1 : positiveInt('seeds', values.seeds, 1000);
  const overrides: ParameterOverrides = {
    ...(values.steps !== undefined ? { steps: positiveInt('steps', values.steps, 0) } : {}),
    ...(values.nodes !== undefined ? { voters: Math.max(1, positiveInt('nodes', values.nodes, 3)) } : {}),
  };
  return { first, count, overrides, trace: values.trace ?? false };
}

interface Totals {
  seeds: number;
  steps: number;
  writesApplied: number;
  leaderTerms: number;
  crashes: number;
  snapshotsSent: number;
  confChanges: number;
  readsServed: number;
  checks: number;
}

function add(t: Totals, r: RunResult): void {
  t.seeds++;
  t.steps += r.stats.steps;
  t.writesApplied += r.stats.writesApplied;
  t.leaderTerms += r.stats.leaderTerms;
  t.crashes += r.stats.crashes;
  t.snapshotsSent += r.stats.snapshotsSent;
  t.confChanges += r.stats.confChanges;
  t.readsServed += r.stats.readsServed;
  t.checks += r.stats.checks;
}

/** Runs the raft soak; returns the process exit code (0: every seed passed, 1: a failure, 2: bad flags). */
export function soakRaft(argv: readonly string[], io: SoakIo): number {
  let args: ReturnType<typeof parseSoakArgs>;
  try {
    args = parseSoakArgs(argv);
  } catch (error) {
    io.err(`${(error as Error).message}\nusage: npm run soak -- raft [--seeds N] [--start N] [--seed=N] [--steps N] [--nodes N] [--trace]\n`);
    return 2;
  }
  const { first, count, overrides, trace } = args;
  const totals: Totals = { seeds: 0, steps: 0, writesApplied: 0, leaderTerms: 0, crashes: 0, snapshotsSent: 0, confChanges: 0, readsServed: 0, checks: 0 };
  const started = io.now();
  let reported = started;
  for (let seed = first; seed < first + count; seed++) {
    const result = runSimulation({ seed, overrides, trace });
    add(totals, result);
    if (trace && result.trace) io.err(`${result.trace.join('\n')}\n`);
    if (!result.ok) {
      io.err(`\n${formatFailure(result, overrides)}\n`);
      io.out(`${JSON.stringify({ target: 'raft', ok: false, seed, failure: result.failure?.kind, ...totals })}\n`);
      return 1;
    }
    if (count === 1) io.err(`seed ${seed} ok: ${JSON.stringify(result.stats)}\n`);
    const now = io.now();
    if (now - reported >= progressEverySeconds * 1000) {
      reported = now;
      const rate = totals.seeds / ((now - started) / 1000);
      io.err(`raft soak: ${totals.seeds}/${count} seeds ok (last ${seed}), ${rate.toFixed(0)} seeds/s, ` +
        `${totals.checks} checks, ${totals.writesApplied} writes applied\n`);
    }
  }
  const seconds = (io.now() - started) / 1000;
  io.out(`${JSON.stringify({ target: 'raft', ok: true, first, ...totals, seconds: Number(seconds.toFixed(1)) })}\n`);
  return 0;
}
