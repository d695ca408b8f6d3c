/**
 * The parameters of one simulation run, all drawn from its seed (TigerBeetle's
 * VOPR idea: the seed picks the cluster shape, the Raft options and the
 * fault mix, so a long soak explores combinations no one thought to write as
 * a test). A failing run prints them, and the seed alone replays it.
 */
import type { RaftConfig } from '../index.ts';
import { SeededRng } from './rng.ts';

export interface SimParameters {
  readonly seed: number;
  /** Initial voters (IDs 1..voters). */
  readonly voters: number;
  /** Initial learners (IDs after the voters). */
  readonly learners: number;
  /** Steps of the chaotic safety phase. */
  readonly steps: number;
  /** Steps allowed after healing for a leader to commit and every member to apply a final write. */
  readonly livenessSteps: number;

  readonly electionTicks: number;
  readonly heartbeatTicks: number;
  readonly preVote: boolean;
  readonly checkQuorum: boolean;
  readonly maxSizePerMsg: number;
  readonly maxInflightMsgs: number;
  readonly maxInflightBytes: number;
  readonly maxUncommittedEntriesSize: number;
  readonly maxCommittedSizePerReady: number;
  readonly readOnlyOption: 'safe' | 'leaseBased';

  readonly dropRate: number;
  readonly duplicateRate: number;
  readonly maxDelaySteps: number;
  readonly reorder: boolean;
  /** Probability that a live replica ticks in a step (below 1: clocks that run at different speeds). */
  readonly tickRate: number;
  /** Steps a Ready's write takes at most (0: synchronous disk). */
  readonly diskDelayMax: number;
  /**
   * A leader sends its appends, heartbeats and snapshots before writing its
   * own log (which RawNode allows: thesis §10.2.1), the rest after.
   */
  readonly leaderEarlySend: boolean;

  readonly partitionRate: number;
  readonly crashRate: number;
  readonly restartRate: number;
  readonly proposalRate: number;
  readonly membershipRate: number;
  readonly transferRate: number;
  readonly readRate: number;
  readonly compactionRate: number;
  readonly campaignRate: number;
  /** Probability per step of asking the leader to quiesce an idle group. */
  readonly quiesceRate: number;
  /** Probability per step of stopping a replica's clock for a while (a long GC or VM pause). */
  readonly pauseRate: number;
}

/** Overrides a caller may force (soak flags, focused tests). */
export type ParameterOverrides = Partial<Omit<SimParameters, 'seed'>>;

/** Draws a run's parameters from its seed, then applies overrides. */
export function chooseParameters(seed: number, overrides: ParameterOverrides = {}): SimParameters {
  const r = new SeededRng(seed ^ 0x5eed);
  const voters = r.pick([1, 3, 3, 3, 5, 5, 7]);
  const faulty = r.chance(0.85);
  const p: SimParameters = {
    seed,
    voters,
    learners: r.chance(0.2) ? 1 : 0,
    steps: 400,
    livenessSteps: 0,
    electionTicks: r.pick([4, 6, 10, 15]),
    heartbeatTicks: r.pick([1, 1, 2]),
    preVote: r.chance(0.75),
    checkQuorum: r.chance(0.8),
    maxSizePerMsg: 0,
    maxInflightMsgs: r.pick([1, 2, 4, 16, 256]),
    maxInflightBytes: 0,
    maxUncommittedEntriesSize: r.pick([0, 0, 0, 200, 2000]),
    maxCommittedSizePerReady: r.pick([0, 100, 64 * 1024]),
    readOnlyOption: 'safe',

    dropRate: faulty ? r.pick([0, 0.01, 0.05, 0.2]) : 0,
    duplicateRate: faulty ? r.pick([0, 0.02, 0.1]) : 0,
    maxDelaySteps: faulty ? r.pick([0, 1, 3, 8]) : 0,
    reorder: faulty && r.chance(0.5),
    tickRate: r.pick([1, 0.9, 0.6]),
    diskDelayMax: r.pick([0, 0, 1, 3]),
    leaderEarlySend: r.chance(0.3),

    partitionRate: faulty ? r.pick([0, 0.01, 0.04]) : 0,
    crashRate: faulty ? r.pick([0, 0.005, 0.02]) : 0,
    restartRate: r.pick([0.02, 0.1]),
    proposalRate: r.pick([0.2, 0.5, 0.9]),
    membershipRate: r.pick([0, 0.005, 0.02, 0.08]),
    transferRate: r.pick([0, 0.003, 0.02]),
    readRate: r.pick([0.01, 0.05, 0.2]),
    compactionRate: r.pick([0.005, 0.02, 0.1]),
    campaignRate: r.pick([0, 0.002, 0.01]),
    quiesceRate: r.pick([0, 0, 0.05, 0.3]),
    pauseRate: r.pick([0, 0, 0.01, 0.03]),
  };
  // Message sizes: 0 means one entry per append; a byte window must hold one full message.
  const maxSizePerMsg = r.pick([0, 64, 512, 64 * 1024]);
  const maxInflightBytes = r.chance(0.5) ? 0 : maxSizePerMsg + r.pick([0, 256, 4096]);
  // Lease reads are safe only while clocks agree, so only where every replica ticks every step.
  const lease = p.checkQuorum && p.tickRate === 1 && r.chance(0.4);
  // Raft needs a round trip well inside an election timeout (thesis §3.4:
  // broadcast time << election timeout). Each hop may wait out a slow write,
  // so after healing a round trip takes up to 2·(diskDelayMax + 1) steps;
  // with shorter timeouts elections never settle, which says nothing of Raft.
  const electionTicks = Math.max(p.electionTicks, 4 * (p.diskDelayMax + 1));
  // A stopped clock is drift too: no pauses where leases are in use.
  const q: SimParameters = {
    ...p, electionTicks, maxSizePerMsg, maxInflightBytes, readOnlyOption: lease ? 'leaseBased' : 'safe',
    pauseRate: lease ? 0 : p.pauseRate, ...overrides,
  };
  return q.livenessSteps > 0 ? q : { ...q, livenessSteps: 200 + 60 * q.electionTicks * Math.max(1, q.heartbeatTicks) };
}

/** The Raft configuration a run gives every replica (ID and applied index are filled in per start). */
export function raftConfig(p: SimParameters): RaftConfig {
  return {
    id: 0, applied: 0,
    electionTicks: p.electionTicks, heartbeatTicks: p.heartbeatTicks,
    maxSizePerMsg: p.maxSizePerMsg, maxInflightMsgs: p.maxInflightMsgs, maxInflightBytes: p.maxInflightBytes,
    maxUncommittedEntriesSize: p.maxUncommittedEntriesSize, maxCommittedSizePerReady: p.maxCommittedSizePerReady,
    checkQuorum: p.checkQuorum, preVote: p.preVote, readOnlyOption: p.readOnlyOption,
  };
}

/** A compact one-line rendering for failure reports. */
export function describeParameters(p: SimParameters): string {
  return Object.entries(p).map(([k, v]) => `${k}=${String(v)}`).join(' ');
}
