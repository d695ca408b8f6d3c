/**
 * One randomized simulation run, a pure function of its seed: a cluster under
 * message loss, delay, duplication and reordering, partitions that come and
 * go, crashes and restarts, membership changes, leadership transfers, reads,
 * compactions and a steady stream of proposals. The invariant checker runs
 * after every step (safety); then faults heal and the run must make progress
 * within a tick budget (liveness).
 */
import { SimCluster } from './cluster.ts';
import { SeededRng } from './rng.ts';
import type { ConfChange, ReplicaId } from '../types.ts';

export interface ChaosOptions {
  readonly seed: number;
  readonly nodes?: number;
  readonly steps?: number;
}

export interface ChaosResult {
  readonly seed: number;
  readonly ok: boolean;
  readonly error?: string;
  readonly parameters: Record<string, number | boolean>;
  readonly proposals: number;
  readonly committed: number;
  readonly elections: number;
}

export function runChaos(options: ChaosOptions): ChaosResult {
  const plan = new SeededRng(options.seed);
  const nodes = options.nodes ?? 3 + 2 * plan.intn(2);
  const steps = options.steps ?? 300;
  const parameters = {
    nodes,
    steps,
    dropRate: [0, 0.05, 0.2][plan.intn(3)]!,
    duplicateRate: [0, 0.05][plan.intn(2)]!,
    maxDelaySteps: [0, 2, 5][plan.intn(3)]!,
    crashes: plan.chance(0.7),
    partitions: plan.chance(0.7),
    membership: plan.chance(0.5),
    preVote: plan.chance(0.8),
  };
  const voters = Array.from({ length: nodes }, (_, i) => i + 1);
  const cluster = new SimCluster({ seed: options.seed, voters, preVote: parameters.preVote, checkQuorum: true });
  const rng = cluster.rng;
  cluster.faults = { dropRate: parameters.dropRate, duplicateRate: parameters.duplicateRate, maxDelaySteps: parameters.maxDelaySteps };
  let proposals = 0;
  let nextId = nodes + 1;
  let reads = 0;
  const result = (ok: boolean, error?: string): ChaosResult => ({
    seed: options.seed, ok, ...(error ? { error } : {}), parameters, proposals,
    committed: cluster.checker.highestCommitted(), elections: cluster.checker.leaders.size,
  });

  try {
    for (let step = 0; step < steps; step++) {
      const live = [...cluster.nodes.values()].filter((n) => n.raw).map((n) => n.id);
      const leader = cluster.leader();
      if (rng.chance(0.5) && live.length > 0) {
        if (cluster.propose(rng.pick(live), `p${proposals}`)) proposals++;
      }
      if (parameters.crashes && rng.chance(0.02) && live.length > 1) cluster.crash(rng.pick(live));
      if (parameters.crashes && rng.chance(0.05)) {
        const down = [...cluster.nodes.values()].filter((n) => !n.raw).map((n) => n.id);
        if (down.length > 0) cluster.restart(rng.pick(down));
      }
      if (parameters.partitions && rng.chance(0.03)) {
        cluster.heal();
        const ids = [...cluster.nodes.keys()];
        const kind = rng.intn(3);
        if (kind === 0) cluster.isolate(rng.pick(ids));
        else if (kind === 1) {
          const a = rng.pick(ids);
          const b = rng.pick(ids);
          if (a !== b) cluster.cut.add(`${a}->${b}`);
        } else {
          for (const id of ids) if (rng.chance(0.5)) cluster.isolate(id);
        }
      }
      if (parameters.partitions && rng.chance(0.05)) cluster.heal();
      if (leader && rng.chance(0.02)) {
        const target = rng.pick(live);
        if (target !== leader && cluster.nodes.get(leader)?.raw) cluster.node(leader).transferLeader(target);
      }
      if (leader && rng.chance(0.05)) cluster.readIndex(rng.pick(live), `r${options.seed}-${reads++}`);
      if (rng.chance(0.03) && live.length > 0) cluster.compact(rng.pick(live));
      if (parameters.membership && leader && cluster.nodes.get(leader)?.raw && rng.chance(0.02)) {
        proposeMembershipChange(cluster, leader, rng, () => nextId++);
      }
      cluster.step(rng.chance(0.5));
    }
    heal(cluster);
    checkLiveness(cluster);
    return result(true);
  } catch (error) {
    return result(false, (error as Error).message);
  }
}

function proposeMembershipChange(cluster: SimCluster, leader: ReplicaId, rng: SeededRng, newId: () => number): void {
  const config = cluster.node(leader).status().config;
  if (config.votersOutgoing.length > 0) return;
  let change: ConfChange;
  const roll = rng.intn(4);
  if (roll === 0 || config.voters.length <= 3) {
    const id = newId();
    cluster.addNode(id);
    change = { changes: [{ type: 'addLearner', replicaId: id }], transition: 'auto' };
  } else if (roll === 1 && config.learners.length > 0) {
    change = { changes: [{ type: 'addVoter', replicaId: rng.pick(config.learners) }], transition: 'auto' };
  } else if (roll === 2 && config.voters.length > 3) {
    change = { changes: [{ type: 'removeReplica', replicaId: rng.pick(config.voters) }], transition: 'auto' };
  } else {
    const promote = config.learners[0];
    const remove = rng.pick(config.voters);
    if (promote === undefined) return;
    change = {
      changes: [{ type: 'addVoter', replicaId: promote }, { type: 'removeReplica', replicaId: remove }],
      transition: 'joint',
    };
  }
  try {
    cluster.node(leader).proposeConfChange(change);
  } catch {
    // Dropped proposals are part of the game.
  }
}

function heal(cluster: SimCluster): void {
  cluster.heal();
  cluster.faults = { dropRate: 0, duplicateRate: 0, maxDelaySteps: 0 };
  for (const node of cluster.nodes.values()) if (!node.raw) cluster.restart(node.id);
}

/** After healing, a leader must emerge and a final proposal must be applied by every voter. */
function checkLiveness(cluster: SimCluster): void {
  const budget = 2000;
  let proposedAt = -Infinity;
  for (let tick = 0; tick < budget; tick++) {
    cluster.step(true);
    const leader = cluster.leader();
    if (!leader) continue;
    const status = cluster.node(leader).status();
    // A proposal can be lost with a deposed leader's log, so clients retry.
    if (tick - proposedAt >= 100 && cluster.propose(leader, 'liveness-marker')) proposedAt = tick;
    const voters = status.config.voters;
    const done = voters.every((id) => [...(cluster.nodes.get(id)?.applied.values() ?? [])].includes('liveness-marker'));
    if (done) return;
  }
  throw new Error(`liveness: no progress within ${budget} ticks after healing`);
}
