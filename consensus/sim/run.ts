/**
 * One simulation run, a pure function of its seed: the seed picks the
 * parameters; a chaotic safety phase runs the workload and nemesis with the
 * invariant checker watching every step; then every fault heals (links
 * restored, message faults off, crashed replicas restarted) and the cluster
 * must elect a leader, commit a final write and apply it on every member of
 * the configuration within a step budget (liveness).
 */
import { noNetworkFaults } from './network.ts';
import { InvariantViolation } from './checker.ts';
import { chooseParameters, describeParameters, raftConfig, type ParameterOverrides, type SimParameters } from './parameters.ts';
import { Simulation } from './simulation.ts';
import { Workload } from './workload.ts';
import type { LogIndex, Message, ReplicaId } from '../index.ts';

export interface RunOptions {
  readonly seed: number;
  readonly overrides?: ParameterOverrides;
  /** Record every event and message (for replaying one seed). */
  readonly trace?: boolean;
  /** Rewrites every message sent (see SimulationOptions.mutate): tests plant bugs with it. */
  readonly mutate?: (m: Message) => Message;
}

export interface RunFailure {
  readonly phase: 'safety' | 'liveness';
  readonly step: number;
  /** The violated property, 'liveness', or 'exception' (the library threw). */
  readonly kind: string;
  readonly message: string;
  readonly stack?: string;
  /** The events leading up to the failure. */
  readonly events: readonly string[];
}

export interface RunStats {
  readonly steps: number;
  readonly writes: number;
  readonly writesApplied: number;
  readonly highestCommitted: LogIndex;
  readonly leaderTerms: number;
  readonly crashes: number;
  readonly restarts: number;
  readonly snapshotsSent: number;
  readonly confChanges: number;
  readonly readsServed: number;
  readonly messages: number;
  readonly messagesDropped: number;
  readonly checks: number;
  /** Steps the liveness phase needed. */
  readonly livenessSteps: number;
}

export interface RunResult {
  readonly seed: number;
  readonly ok: boolean;
  readonly parameters: SimParameters;
  readonly stats: RunStats;
  readonly failure?: RunFailure;
  /** Every event, when asked for. */
  readonly trace?: readonly string[];
}

/** Runs one seed to completion (or to its first failure). */
export function runSimulation(options: RunOptions): RunResult {
  const p = chooseParameters(options.seed, options.overrides);
  const voters = Array.from({ length: p.voters }, (_, i) => i + 1);
  const learners = Array.from({ length: p.learners }, (_, i) => p.voters + i + 1);
  let sim: Simulation | null = null;
  let phase: RunFailure['phase'] = 'safety';
  let livenessSteps = 0;
  let workload: Workload | null = null;
  let failure: RunFailure | undefined;
  try {
    sim = new Simulation({
      seed: p.seed, voters, learners, config: raftConfig(p), tickRate: p.tickRate, diskDelayMax: p.diskDelayMax,
      earlySend: p.leaderEarlySend,
      traceMessages: options.trace ?? false, ...(options.mutate ? { mutate: options.mutate } : {}),
    });
    if (options.trace) sim.fullTrace = [];
    sim.setFaults({ dropRate: p.dropRate, duplicateRate: p.duplicateRate, maxDelaySteps: p.maxDelaySteps, reorder: p.reorder });
    workload = new Workload(sim, p);
    for (let i = 0; i < p.steps; i++) {
      workload.step();
      sim.step();
    }
    phase = 'liveness';
    heal(sim);
    livenessSteps = awaitLiveness(sim, p);
  } catch (error) {
    const e = error as Error;
    const kind = error instanceof InvariantViolation ? error.property : phase === 'liveness' && e.name === 'LivenessFailure' ? 'liveness' : 'exception';
    failure = {
      phase, step: sim?.now ?? 0, kind, message: e.message,
      ...(kind === 'exception' && e.stack ? { stack: e.stack } : {}),
      events: sim ? sim.events.slice(-40) : [],
    };
  }
  return {
    seed: p.seed, ok: failure === undefined, parameters: p, stats: statsOf(sim, workload, livenessSteps),
    ...(failure ? { failure } : {}),
    ...(sim?.fullTrace ? { trace: sim.fullTrace } : {}),
  };
}

/** Ends every fault: links, message loss and delay, crashed replicas, scheduled crashes. */
export function heal(sim: Simulation): void {
  sim.network.heal();
  sim.setFaults(noNetworkFaults);
  for (const r of sim.replicas.values()) {
    r.crashAt = null;
    r.pausedUntil = 0;
  }
  sim.collectGarbage();
  for (const r of sim.down()) sim.restart(r.id);
  sim.event('healed: every link restored, every member up, removed replicas shut down');
}

/** The cluster did not make progress after every fault healed. */
export class LivenessFailure extends Error {
  override name = 'LivenessFailure';
}

/**
 * Steps (ticking every replica) until a leader has committed a final write
 * and every member of its configuration has applied it. The write is
 * proposed again when a leader change may have lost it. A backlog left by
 * the safety phase may take long to drain with tiny messages, so the budget
 * is for a stall: the run fails when `livenessSteps` pass without any
 * replica applying or replicating anything (or after ten times that in all). Returns the
 * steps used.
 */
export function awaitLiveness(sim: Simulation, p: SimParameters): number {
  const markers = new Set<string>();
  let proposedAt = -Infinity;
  const retryAfter = 4 * p.electionTicks + 10;
  let progress = progressOf(sim);
  let progressAt = 0;
  const limit = 10 * p.livenessSteps;
  for (let i = 1; i <= limit && i - progressAt <= p.livenessSteps; i++) {
    sim.step(true);
    sim.collectGarbage();
    const applied = progressOf(sim);
    if (applied > progress) {
      progress = applied;
      progressAt = i;
    }
    const leader = sim.leader();
    if (leader === 0) continue;
    const landed = firstLanded(sim, markers);
    if (landed === undefined) {
      if (sim.now - proposedAt >= retryAfter) {
        const marker = `final-${p.seed}-${markers.size}`;
        markers.add(marker);
        sim.propose(leader, marker);
        proposedAt = sim.now;
      }
      continue;
    }
    if (laggards(sim, leader, landed).length === 0) return i;
  }
  const leader = sim.leader();
  const landed = firstLanded(sim, markers);
  const why = leader === 0 ? 'no leader'
    : landed === undefined ? `leader ${leader} never committed the final write`
      : `replicas ${laggards(sim, leader, landed).join(', ')} did not apply the final write at ${landed}`;
  const stalled = `no progress for ${p.livenessSteps} steps`;
  throw new LivenessFailure(`${sim.now - p.steps > limit ? `not done in ${limit} steps` : stalled} after healing: ${why}`);
}

/** Grows while any replica applies or replicates anything. */
function progressOf(sim: Simulation): number {
  let sum = 0;
  for (const r of sim.replicas.values()) sum += r.disk.machine.applied + r.disk.lastIndex();
  return sum;
}

function firstLanded(sim: Simulation, markers: ReadonlySet<string>): LogIndex | undefined {
  let best: LogIndex | undefined;
  for (const m of markers) {
    const at = sim.landed.get(m);
    if (at !== undefined && (best === undefined || at < best)) best = at;
  }
  return best;
}

/** Members of the leader's configuration that are down or have not applied `index`. */
function laggards(sim: Simulation, leader: ReplicaId, index: LogIndex): ReplicaId[] {
  const c = sim.replica(leader).raw!.status().config;
  const members = new Set([...c.voters, ...c.votersOutgoing, ...c.learners, ...c.learnersNext]);
  return [...members].filter((id) => {
    const r = sim.replicas.get(id);
    return !r?.live || r.disk.machine.applied < index;
  });
}

function statsOf(sim: Simulation | null, workload: Workload | null, livenessSteps: number): RunStats {
  let writesApplied = 0;
  if (sim) for (const key of sim.landed.keys()) if (key.startsWith('w')) writesApplied++;
  return {
    steps: sim?.now ?? 0,
    writes: workload?.writes ?? 0,
    writesApplied,
    highestCommitted: sim?.checker.highestCommitted ?? 0,
    leaderTerms: sim?.checker.leaders.size ?? 0,
    crashes: sim?.stats.crashes ?? 0,
    restarts: sim?.stats.restarts ?? 0,
    snapshotsSent: sim?.stats.snapshotsSent ?? 0,
    confChanges: sim?.stats.confChanges ?? 0,
    readsServed: sim?.checker.readsServed ?? 0,
    messages: sim?.network.stats.sent ?? 0,
    messagesDropped: sim?.network.stats.dropped ?? 0,
    checks: sim?.checker.checks ?? 0,
    livenessSteps,
  };
}

/** Soak flags whose names differ from the parameter they set. */
const flagNames: Record<string, string> = { voters: 'nodes' };

/** The command line that replays a run (flags only for what the caller overrode). */
export function reproduceCommand(seed: number, overrides: ParameterOverrides = {}): string {
  const flags = Object.entries(overrides)
    .filter(([, v]) => v !== false)
    .map(([k, v]) => (v === true ? ` --${flagNames[k] ?? k}` : ` --${flagNames[k] ?? k}=${String(v)}`)).join('');
  return `npm run soak -- raft --seed=${seed}${flags}`;
}

/** A multi-line failure report: what broke, the parameters, recent events, and how to replay it. */
export function formatFailure(result: RunResult, overrides: ParameterOverrides = {}): string {
  const f = result.failure;
  if (!f) return `seed ${result.seed}: ok`;
  const lines = [
    `FAIL seed ${result.seed} (${f.phase} phase, step ${f.step}) ${f.kind}: ${f.message}`,
    `  parameters: ${describeParameters(result.parameters)}`,
    ...(f.stack ? [`  stack: ${f.stack.split('\n').slice(1, 6).map((s) => s.trim()).join(' | ')}`] : []),
    '  recent events:',
    ...f.events.map((e) => `    ${e}`),
    `  reproduce with: ${reproduceCommand(result.seed, overrides)}`,
  ];
  return lines.join('\n');
}
