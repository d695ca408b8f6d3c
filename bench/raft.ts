/**
 * Raft throughput through a 3-node in-memory cluster: proposals are batched
 * (many per Ready cycle), messages delivered in batches, storage in memory.
 * Prints one JSON line: committed entries/s, messages per committed entry,
 * p50/p99 commit latency (proposal → applied on the leader) in wall time.
 *
 *   npm run bench -- raft [--seconds 5] [--batch 256] [--size 128]
 */
import * as hdr from 'hdr-histogram-js';
import { parseArgs } from 'node:util';
import { MemoryStorage, RawNode, type Message, type RaftConfig } from '../consensus/index.ts';
import { SeededRng } from '../consensus/sim/rng.ts';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '5' },
    batch: { type: 'string', default: '256' },
    size: { type: 'string', default: '128' },
  },
});
const seconds = Number(values.seconds);
const batch = Number(values.batch);
const payload = new Uint8Array(Number(values.size)).fill(7);
const ids = [1, 2, 3];
const confState = { voters: ids, votersOutgoing: [], learners: [], learnersNext: [], autoLeave: false };

const nodes = new Map<number, { raw: RawNode; storage: MemoryStorage }>();
for (const id of ids) {
  const storage = new MemoryStorage(confState);
  const config: RaftConfig = {
    id, electionTicks: 10, heartbeatTicks: 1, applied: 0, maxSizePerMsg: 1024 * 1024, maxInflightMsgs: 256,
    maxInflightBytes: 0, maxUncommittedEntriesSize: 0, maxCommittedSizePerReady: 64 * 1024 * 1024,
    checkQuorum: true, preVote: true, readOnlyOption: 'safe',
  };
  nodes.set(id, { raw: new RawNode(config, storage, new SeededRng(id)), storage });
}

let messages = 0;
let appliedOnLeader = 0;
const proposedAt: number[] = [];
let leaderAppliedBase = -1;
const latency = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: 3 });

/** Runs Ready cycles until no node has work; returns whether anything happened. */
function pump(leader: number): void {
  let inbox: Message[] = [];
  for (let round = 0; round < 1000; round++) {
    let busy = false;
    for (const [id, node] of nodes) {
      if (!node.raw.hasReady()) continue;
      busy = true;
      const rd = node.raw.ready();
      if (rd.entries.length > 0) node.storage.append(rd.entries);
      if (rd.hardState) node.storage.setHardState(rd.hardState);
      messages += rd.messages.length;
      for (const m of rd.messages) inbox.push(m);
      if (id === leader) {
        const now = performance.now();
        for (const e of rd.committedEntries) {
          if (e.data.length === 0) continue;
          if (leaderAppliedBase < 0) leaderAppliedBase = e.index - appliedOnLeader;
          const started = proposedAt[appliedOnLeader];
          if (started !== undefined) latency.recordValue(Math.max(1, Math.round((now - started) * 1000)));
          appliedOnLeader++;
        }
      }
      node.raw.advance(rd);
    }
    const deliver = inbox;
    inbox = [];
    for (const m of deliver) nodes.get(m.to)?.raw.step(m);
    if (!busy && deliver.length === 0) return;
  }
}

// Elect node 1.
nodes.get(1)!.raw.campaign();
pump(1);
for (let i = 0; i < 5; i++) {
  for (const node of nodes.values()) node.raw.tick();
  pump(1);
}
if (nodes.get(1)!.raw.status().role !== 'leader') throw new Error('node 1 did not become leader');
messages = 0;

const leader = nodes.get(1)!.raw;
const start = performance.now();
const end = start + seconds * 1000;
let proposed = 0;
let cycles = 0;
while (performance.now() < end) {
  const now = performance.now();
  for (let i = 0; i < batch; i++) {
    leader.propose(payload);
    proposedAt.push(now);
    proposed++;
  }
  pump(1);
  cycles++;
  // Keep memory bounded: compact every node's log behind what all have applied.
  if (cycles % 64 === 0) {
    for (const node of nodes.values()) {
      const applied = node.raw.status().applied;
      if (applied > node.storage.firstIndex() + 10_000) node.storage.compact(applied - 1000);
    }
  }
}
const elapsed = (performance.now() - start) / 1000;
const result = {
  bench: 'raft',
  nodes: 3,
  entryBytes: payload.length,
  proposalsPerCycle: batch,
  seconds: Number(elapsed.toFixed(2)),
  committedEntriesPerSec: Math.round(appliedOnLeader / elapsed),
  messagesPerCommittedEntry: Number((messages / Math.max(1, appliedOnLeader)).toFixed(4)),
  commitLatencyP50Micros: latency.getValueAtPercentile(50),
  commitLatencyP99Micros: latency.getValueAtPercentile(99),
  target: 'committedEntriesPerSec >= 100000 on one core',
};
process.stdout.write(`${JSON.stringify(result)}\n`);
