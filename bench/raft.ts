/**
 * Raft throughput and commit latency through a 3-replica in-memory cluster
 * (`npm run bench -- raft`). The leader takes proposals in batches, many per
 * Ready cycle; every replica follows the Ready contract over MemoryStorage
 * (persist, send, apply, advance); messages travel in per-round batches with
 * no artificial delay. Rounds pipeline: new proposals go in while earlier
 * ones are still replicating, up to a window.
 *
 * Prints one JSON line on stdout (progress on stderr): committed entries per
 * second, messages per committed entry, and p50/p99 commit latency in wall
 * time, from propose() to the entry being applied on the leader.
 *
 *   npm run bench -- raft [--seconds 5] [--batch 512] [--window 8192] [--size 128]
 */
import * as hdr from 'hdr-histogram-js';
import { parseArgs } from 'node:util';
import { MemoryStorage, RawNode } from '../consensus/index.ts';
import type { ConfState, Entry, Message, RaftConfig, ReplicaId } from '../consensus/index.ts';
import { SeededRng } from '../consensus/sim/index.ts';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '5' },
    warmup: { type: 'string', default: '1' },
    batch: { type: 'string', default: '512' },
    window: { type: 'string', default: '8192' },
    size: { type: 'string', default: '128' },
  },
});
const seconds = Number(values.seconds);
const warmupSeconds = Number(values.warmup);
/** Proposals the leader takes per round. */
const batch = Number(values.batch);
/** Proposals in flight (proposed, not yet applied on the leader) at most. */
const window = Number(values.window);
const payload = new Uint8Array(Number(values.size)).fill(7);
const ids: ReplicaId[] = [1, 2, 3];

interface Replica {
  readonly raw: RawNode;
  readonly storage: MemoryStorage;
}

function startCluster(): Map<ReplicaId, Replica> {
  const confState: ConfState = { voters: ids, votersOutgoing: [], learners: [], learnersNext: [], autoLeave: false };
  const replicas = new Map<ReplicaId, Replica>();
  for (const id of ids) {
    const storage = new MemoryStorage(confState);
    const config: RaftConfig = {
      id, electionTicks: 10, heartbeatTicks: 1, applied: 0,
      maxSizePerMsg: 1024 * 1024, maxInflightMsgs: 256, maxInflightBytes: 0,
      maxUncommittedEntriesSize: 0, maxCommittedSizePerReady: 64 * 1024 * 1024,
      checkQuorum: true, preVote: true, readOnlyOption: 'safe',
    };
    replicas.set(id, { raw: new RawNode(config, storage, new SeededRng(id)), storage });
  }
  return replicas;
}

const replicas = startCluster();
const leaderId: ReplicaId = 1;
const leader = replicas.get(leaderId)!.raw;

/** Counters for the measured interval. */
const counts = { messages: 0, committed: 0, readies: 0 };
/** Wall time of each proposal not yet applied on the leader, oldest first (a ring). */
let proposedAt = new Float64Array(1 << 16);
let head = 0;
let tail = 0;
const latency = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: 3 });
let measuring = false;

function pending(): number {
  return tail - head;
}

function recordProposal(now: number): void {
  if (tail - head === proposedAt.length) {
    const grown = new Float64Array(proposedAt.length * 2);
    for (let i = head; i < tail; i++) grown[i - head] = proposedAt[i % proposedAt.length]!;
    tail -= head;
    head = 0;
    proposedAt = grown;
  }
  proposedAt[tail % proposedAt.length] = now;
  tail++;
}

/**
 * The leader applied these entries: each client proposal (a non-empty entry,
 * in proposal order) completes now. Proposals of one round share a start
 * time, so runs of them are recorded with one histogram call.
 */
function applied(entries: readonly Entry[]): void {
  const now = performance.now();
  let runStart = -1;
  let runLength = 0;
  const flush = (): void => {
    if (runLength > 0 && measuring) latency.recordValueWithCount(Math.max(1, Math.round((now - runStart) * 1000)), runLength);
    runLength = 0;
  };
  for (const e of entries) {
    if (e.data.length === 0 || pending() === 0) continue;
    const started = proposedAt[head % proposedAt.length]!;
    head++;
    if (measuring) counts.committed++;
    if (started !== runStart) {
      flush();
      runStart = started;
    }
    runLength++;
  }
  flush();
}

/**
 * One round: every replica with work takes its Ready, persists it, queues its
 * messages, applies and advances; then the round's messages are delivered.
 * Returns whether anything happened.
 */
function round(): boolean {
  let outbox: Message[] = [];
  let busy = false;
  for (const [id, { raw, storage }] of replicas) {
    if (!raw.hasReady()) continue;
    busy = true;
    const rd = raw.ready();
    counts.readies++;
    if (rd.snapshot) storage.applySnapshot(rd.snapshot);
    if (rd.entries.length > 0) storage.append(rd.entries);
    if (rd.hardState) storage.setHardState(rd.hardState);
    for (const m of rd.messages) outbox.push(m);
    if (id === leaderId && rd.committedEntries.length > 0) applied(rd.committedEntries);
    raw.advance(rd);
  }
  if (measuring) counts.messages += outbox.length;
  const deliver = outbox;
  outbox = [];
  for (const m of deliver) replicas.get(m.to)!.raw.step(m);
  return busy || deliver.length > 0;
}

/** Keeps memory bounded: each replica drops log entries well behind what it applied. */
function compact(): void {
  for (const { raw, storage } of replicas.values()) {
    const applied = raw.status().applied;
    if (applied > storage.firstIndex() + 50_000) storage.compact(applied - 10_000);
  }
}

/** Proposes and pumps until the wall clock passes `until`. */
function drive(until: number): void {
  let rounds = 0;
  while (true) {
    if ((rounds & 63) === 0 && performance.now() >= until) return;
    if (pending() + batch <= window) {
      const now = performance.now();
      for (let i = 0; i < batch; i++) {
        leader.propose(payload);
        recordProposal(now);
      }
    }
    round();
    rounds++;
    if ((rounds & 1023) === 0) compact();
  }
}

// Elect replica 1.
leader.campaign();
for (let i = 0; i < 100 && leader.role !== 'leader'; i++) round();
for (let i = 0; i < 20; i++) round();
if (leader.role !== 'leader') throw new Error('replica 1 did not become leader');

process.stderr.write(`raft bench: 3 replicas, ${payload.length}-byte entries, ${batch} proposals per round, window ${window}\n`);
drive(performance.now() + warmupSeconds * 1000);
measuring = true;
const started = performance.now();
const reportEvery = 1000;
for (let t = started; t < started + seconds * 1000; t += reportEvery) {
  drive(Math.min(t + reportEvery, started + seconds * 1000));
  const elapsed = (performance.now() - started) / 1000;
  process.stderr.write(`  ${elapsed.toFixed(1)}s: ${Math.round(counts.committed / elapsed)} entries/s\n`);
}
const elapsed = (performance.now() - started) / 1000;
measuring = false;

process.stdout.write(`${JSON.stringify({
  bench: 'raft',
  replicas: ids.length,
  entryBytes: payload.length,
  proposalsPerRound: batch,
  window,
  seconds: Number(elapsed.toFixed(2)),
  committedEntries: counts.committed,
  committedEntriesPerSec: Math.round(counts.committed / elapsed),
  messagesPerCommittedEntry: Number((counts.messages / Math.max(1, counts.committed)).toFixed(4)),
  readiesPerCommittedEntry: Number((counts.readies / Math.max(1, counts.committed)).toFixed(4)),
  commitLatencyP50Micros: latency.getValueAtPercentile(50),
  commitLatencyP99Micros: latency.getValueAtPercentile(99),
  commitLatencyMaxMicros: latency.maxValue,
  target: 'committedEntriesPerSec >= 100000 on one core',
})}\n`);
