/**
 * A small deterministic cluster for data-driven interaction tests
 * (testdata/*.txt, run by interaction.test.ts) and for scripted unit tests:
 * RawNodes over MemoryStorage, a FIFO network that can be cut, crashes and
 * restarts from persisted state. Every command returns the text it prints
 * (the etcd-io/raft rafttest interaction environment idea).
 *
 * Commands (arguments are `key=value`, ID lists `(1,2,3)`):
 *   add-nodes N [voters=(…)] [learners=(…)] [index=I] [prevote=bool] [checkquorum=bool]
 *             [lease=bool] [election=T] [heartbeat=T] [max-size=B] [inflight=N] [inflight-bytes=B]
 *             [max-uncommitted=B] [seed=S]
 *   campaign ID | propose ID DATA | propose-conf-change ID [transition=auto|joint|explicit] v4 l5 r2
 *   tick ID [N] | tick-election ID | tick-heartbeat ID | tick-all [N] [until=leader|new-leader]
 *   output heartbeats=hide|show
 *   process-ready ID… | deliver-msgs [ID…] | stabilize [ID…]
 *   isolate ID | cut A B | heal | crash ID | restart ID
 *   compact ID INDEX | transfer-leadership from=A to=B | read-index ID CTX
 *   report-snapshot ID to=X status=finish|failure | report-unreachable ID to=X
 *   quiesce ID | wake ID | step-raw ID type=T from=F [term=…] [index=…] [log-term=…] [commit=…]
 *             [entries=(I/T,…)] [entry-type=normal|confChange] [entry-data=HEX] [ctx=…] [reject=bool]
 *             [hint=…] [snapshot=I/T] [voters=(…)]
 *   status ID | raft-state | raft-log ID | applied ID
 */
import { describeConfChange, decodeConfChange } from './confchange.ts';
import { describeEntry, describeMessage } from './describe.ts';
import { ConfChangeError } from './errors.ts';
import { MemoryStorage } from './memory-storage.ts';
import { RawNode, type RaftConfig } from './raw-node.ts';
import type { ConfChangeSingle, ConfState, Entry, Message, ReplicaId, Ready, Rng } from './types.ts';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A seeded generator (mulberry32): deterministic election jitter per node. */
export class TestRng implements Rng {
  #state: number;

  constructor(seed: number) {
    this.#state = seed >>> 0;
  }

  intn(n: number): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    const x = ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    return Math.floor(x * n);
  }
}

/**
 * Storage that, like a range replica, produces a snapshot on demand: asked
 * for one, it captures the node's applied state (and configuration) when
 * the stored snapshot is older.
 */
class EnvStorage extends MemoryStorage {
  node: EnvNode | undefined;

  override snapshot(): ReturnType<MemoryStorage['snapshot']> {
    const stored = super.snapshot();
    const node = this.node;
    if (!node || node.appliedIndex <= stored.metadata.index || node.appliedIndex > this.lastIndex()) return stored;
    const data = encoder.encode(JSON.stringify(node.applied.filter((a) => a.index <= node.appliedIndex)));
    return this.createSnapshot(node.appliedIndex, node.confState, data);
  }
}

export interface EnvNode {
  readonly id: ReplicaId;
  readonly storage: MemoryStorage;
  readonly config: RaftConfig;
  raw: RawNode | null;
  /** The state machine: applied payloads in order (survives restarts, like a real one). */
  applied: Array<{ index: number; text: string }>;
  appliedIndex: number;
  confState: ConfState;
  seed: number;
}

type Args = Map<string, string>;

function parseArgs(words: readonly string[]): { args: Args; positional: string[] } {
  const args: Args = new Map();
  const positional: string[] = [];
  for (const w of words) {
    const eq = w.indexOf('=');
    if (eq > 0) args.set(w.slice(0, eq), w.slice(eq + 1));
    else positional.push(w);
  }
  return { args, positional };
}

function idList(value: string | undefined): number[] {
  const m = /^\(([^)]*)\)$/.exec(value ?? '');
  if (!m || m[1]!.trim() === '') return [];
  return m[1]!.split(',').map((s) => Number(s.trim()));
}

function bool(value: string | undefined, fallback: boolean): boolean {
  return value === undefined ? fallback : value === 'true';
}

function num(value: string | undefined, fallback: number): number {
  return value === undefined ? fallback : Number(value);
}

function describeConf(cs: ConfState): string {
  let s = `voters=(${cs.voters.join(',')})`;
  if (cs.votersOutgoing.length > 0) s += `&&(${cs.votersOutgoing.join(',')})`;
  if (cs.learners.length > 0) s += ` learners=(${cs.learners.join(',')})`;
  if (cs.learnersNext.length > 0) s += ` learnersNext=(${cs.learnersNext.join(',')})`;
  if (cs.votersOutgoing.length > 0) s += cs.autoLeave ? ' autoleave' : '';
  return s;
}

export class InteractionEnv {
  readonly nodes = new Map<ReplicaId, EnvNode>();
  /** Messages sent and not yet delivered, in send order. */
  queue: Message[] = [];
  /** Directed links that drop everything: "from->to". */
  readonly cuts = new Set<string>();
  readonly #lastRole = new Map<ReplicaId, string>();
  #out: string[] = [];

  /** Runs one command line; returns what it prints. */
  run(line: string): string {
    this.#out = [];
    const [name, ...words] = line.trim().split(/\s+/);
    const { args, positional } = parseArgs(words);
    const id = Number(positional[0]);
    switch (name) {
      case 'add-nodes': this.#addNodes(id, args); break;
      case 'campaign': this.#node(id).campaign(); this.#print('ok'); break;
      case 'propose': this.#propose(id, positional[1] ?? ''); break;
      case 'propose-conf-change': this.#proposeConfChange(id, positional.slice(1), args); break;
      case 'tick': this.#tick(id, num(positional[1], 1)); break;
      case 'tick-election': this.#tickElection(id); break;
      case 'tick-heartbeat': this.#tick(id, this.#env(id).config.heartbeatTicks); break;
      case 'tick-all': this.#tickAll(num(positional[0], 1), args.get('until')); break;
      case 'output': this.#setOutput(args); break;
      case 'process-ready': for (const p of positional) this.processReady(Number(p)); break;
      case 'deliver-msgs': this.deliver(positional.map(Number)); break;
      case 'stabilize': this.stabilize(positional.map(Number)); break;
      case 'isolate': this.isolate(id); this.#print('ok'); break;
      case 'cut': this.cut(id, Number(positional[1])); this.#print('ok'); break;
      case 'heal': this.cuts.clear(); this.#print('ok'); break;
      case 'crash': this.#crash(id); break;
      case 'restart': this.#restart(id); break;
      case 'compact': this.#compact(id, Number(positional[1])); break;
      case 'transfer-leadership': this.#node(num(args.get('from'), 0)).transferLeader(num(args.get('to'), 0)); this.#print('ok'); break;
      case 'read-index': this.#node(id).readIndex(encoder.encode(positional[1] ?? '')); this.#print('ok'); break;
      case 'report-snapshot': this.#reportSnapshot(id, args); break;
      case 'report-unreachable': this.#node(id).reportUnreachable(num(args.get('to'), 0)); this.#print('ok'); break;
      case 'quiesce': this.#print(this.#node(id).quiesce() ? 'quiesced' : 'cannot quiesce'); break;
      case 'wake': this.#node(id).wake(); this.#print('ok'); break;
      case 'step-raw': this.#stepRaw(id, args); break;
      case 'status': this.#status(id); break;
      case 'raft-state': this.#raftState(); break;
      case 'raft-log': this.#raftLog(id); break;
      case 'applied': this.#applied(id); break;
      default: throw new Error(`unknown command ${String(name)}`);
    }
    return this.#out.length > 0 ? this.#out.join('\n') : 'ok';
  }

  #print(line: string): void {
    this.#out.push(line);
  }

  #env(id: ReplicaId): EnvNode {
    const node = this.nodes.get(id);
    if (!node) throw new Error(`no node ${id}`);
    return node;
  }

  #node(id: ReplicaId): RawNode {
    const raw = this.#env(id).raw;
    if (!raw) throw new Error(`node ${id} is down`);
    return raw;
  }

  /** The RawNode of `id` (for scripted tests). */
  node(id: ReplicaId): RawNode {
    return this.#node(id);
  }

  // Setup.

  /** Settings of the first add-nodes, inherited by later ones unless overridden. */
  #defaults: Args = new Map();

  #addNodes(count: number, given: Args): void {
    const inherited = ['prevote', 'checkquorum', 'lease', 'election', 'heartbeat', 'max-size', 'inflight', 'inflight-bytes', 'max-uncommitted', 'seed'];
    if (this.nodes.size === 0) for (const k of inherited) if (given.has(k)) this.#defaults.set(k, given.get(k)!);
    const args: Args = new Map([...this.#defaults, ...given]);
    const voters = idList(args.get('voters'));
    const learners = idList(args.get('learners'));
    const index = num(args.get('index'), 0);
    const seed = num(args.get('seed'), 1);
    const confState: ConfState = { voters, votersOutgoing: [], learners, learnersNext: [], autoLeave: false };
    const first = this.nodes.size + 1;
    for (let id = first; id < first + count; id++) {
      const member = voters.includes(id) || learners.includes(id);
      const storage = new EnvStorage(member ? confState : undefined);
      if (member && index > 0) {
        // The group starts from a snapshot holding the configuration, so a
        // replica added later learns it from the leader's snapshot.
        storage.applySnapshot({ metadata: { index, term: 1, confState }, data: encoder.encode('') });
        storage.setHardState({ term: 1, vote: 0, commit: index });
      }
      const config: RaftConfig = {
        id, electionTicks: num(args.get('election'), 10), heartbeatTicks: num(args.get('heartbeat'), 1), applied: 0,
        maxSizePerMsg: num(args.get('max-size'), 1 << 20), maxInflightMsgs: num(args.get('inflight'), 256),
        maxInflightBytes: num(args.get('inflight-bytes'), 0), maxUncommittedEntriesSize: num(args.get('max-uncommitted'), 0),
        maxCommittedSizePerReady: 0, checkQuorum: bool(args.get('checkquorum'), false), preVote: bool(args.get('prevote'), false),
        readOnlyOption: bool(args.get('lease'), false) ? 'leaseBased' : 'safe',
      };
      const node: EnvNode = {
        id, storage, config, raw: null, applied: [], appliedIndex: member ? index : 0,
        confState: member ? confState : storage.initialState().confState, seed: seed * 1000 + id,
      };
      storage.node = node;
      node.raw = new RawNode({ ...config, applied: node.appliedIndex }, storage, new TestRng(node.seed));
      this.nodes.set(id, node);
      this.#lastRole.set(id, 'follower');
    }
    this.#print('ok');
  }

  // Proposals.

  #propose(id: ReplicaId, data: string): void {
    try {
      this.#node(id).propose(encoder.encode(data));
      this.#print('ok');
    } catch (error) {
      this.#print(`error: ${(error as Error).message}`);
    }
  }

  #proposeConfChange(id: ReplicaId, words: readonly string[], args: Args): void {
    const changes: ConfChangeSingle[] = words.map((w) => ({
      type: w[0] === 'v' ? 'addVoter' : w[0] === 'l' ? 'addLearner' : 'removeReplica', replicaId: Number(w.slice(1)),
    }));
    const t = args.get('transition') ?? 'auto';
    const transition = t === 'joint' ? 'joint' : t === 'explicit' ? 'jointExplicit' : 'auto';
    try {
      this.#node(id).proposeConfChange({ changes, transition });
      this.#print('ok');
    } catch (error) {
      this.#print(`error: ${(error as Error).message}`);
    }
  }

  // Time.

  #tick(id: ReplicaId, n: number): void {
    const raw = this.#node(id);
    for (let i = 0; i < n; i++) raw.tick();
    this.#print('ok');
  }

  /** Ticks until the node campaigns (its randomized timeout) or, for a leader, one election timeout. */
  #tickElection(id: ReplicaId): void {
    const node = this.#env(id);
    const raw = this.#node(id);
    const start = raw.role;
    for (let i = 0; i < 2 * node.config.electionTicks; i++) {
      raw.tick();
      if (start !== 'leader' && (raw.role !== start || raw.hasReady())) break;
      if (start === 'leader' && i + 1 >= node.config.electionTicks) break;
    }
    this.#print('ok');
  }

  /**
   * Ticks every live node, stabilizing after each round; with until=leader
   * it stops once some node leads, with until=new-leader once some node
   * leads in a term newer than any at the start.
   */
  #tickAll(rounds: number, until: string | undefined): void {
    const terms = (): number => Math.max(0, ...[...this.nodes.values()].map((n) => n.raw?.term ?? 0));
    const start = terms();
    const done = (): boolean => [...this.nodes.values()].some((n) =>
      n.raw?.role === 'leader' && (until === 'leader' || (until === 'new-leader' && n.raw.term > start)));
    for (let i = 0; i < rounds && !done(); i++) {
      for (const node of this.nodes.values()) node.raw?.tick();
      this.stabilize([]);
    }
  }

  /** Hides or shows classes of output lines: heartbeats=hide|show. */
  #setOutput(args: Args): void {
    if (args.has('heartbeats')) this.#hideHeartbeats = args.get('heartbeats') === 'hide';
    this.#print('ok');
  }

  #hideHeartbeats = false;

  #printMessage(line: string, m: Message): void {
    if (this.#hideHeartbeats && (m.type === 'heartbeat' || m.type === 'heartbeatResp')) return;
    this.#print(line);
  }

  // The loop.

  /** Handles one Ready of `id`, if it has one: persist, send, apply, advance. */
  processReady(id: ReplicaId): boolean {
    const node = this.#env(id);
    const raw = node.raw;
    if (!raw || !raw.hasReady()) return false;
    this.#handleReady(node, raw, raw.ready());
    return true;
  }

  #handleReady(node: EnvNode, raw: RawNode, rd: Ready): void {
    if (rd.softState && rd.softState.role !== this.#lastRole.get(node.id)) {
      this.#print(`${node.id} became ${rd.softState.role} at term ${raw.term}`);
    }
    if (rd.softState) this.#lastRole.set(node.id, rd.softState.role);
    if (rd.snapshot) {
      node.storage.applySnapshot(rd.snapshot);
      const text = decoder.decode(rd.snapshot.data);
      node.applied = text ? (JSON.parse(text) as Array<{ index: number; text: string }>) : [];
      node.appliedIndex = rd.snapshot.metadata.index;
      node.confState = rd.snapshot.metadata.confState;
      this.#print(`${node.id} installed snapshot ${rd.snapshot.metadata.index}/${rd.snapshot.metadata.term}`);
    }
    node.storage.append(rd.entries);
    if (rd.hardState) node.storage.setHardState(rd.hardState);
    for (const m of rd.messages) this.#send(m);
    for (const e of rd.committedEntries) this.#apply(node, raw, e);
    for (const rs of rd.readStates) this.#print(`${node.id} read ${decoder.decode(rs.requestContext)} at index ${rs.index}`);
    raw.advance(rd);
  }

  #apply(node: EnvNode, raw: RawNode, e: Entry): void {
    node.appliedIndex = e.index;
    if (e.type === 'confChange') {
      node.confState = raw.applyConfChange(e.data);
      node.storage.setConfState(node.confState);
      let what = 'malformed';
      try {
        what = describeConfChange(decodeConfChange(e.data));
      } catch (error) {
        if (!(error instanceof ConfChangeError)) throw error;
      }
      this.#print(`${node.id} applied ${e.index}/${e.term} conf(${what}) -> ${describeConf(node.confState)}`);
      return;
    }
    if (e.data.length === 0) return;
    const text = decoder.decode(e.data);
    node.applied.push({ index: e.index, text });
    this.#print(`${node.id} applied ${describeEntry(e)}`);
  }

  #send(m: Message): void {
    const dropped = this.cuts.has(`${m.from}->${m.to}`);
    this.#printMessage(`${describeMessage(m)}${dropped ? ' (dropped)' : ''}`, m);
    if (dropped) {
      // The transport tells the leader a snapshot did not get through.
      if (m.type === 'snap') this.nodes.get(m.from)?.raw?.reportSnapshot(m.to, 'failure');
      return;
    }
    this.queue.push(m);
  }

  /** Delivers the queued messages addressed to `ids` (all when empty), in order. */
  deliver(ids: readonly ReplicaId[]): void {
    const due = ids.length === 0 ? this.queue : this.queue.filter((m) => ids.includes(m.to));
    this.queue = ids.length === 0 ? [] : this.queue.filter((m) => !ids.includes(m.to));
    for (const m of due) {
      const target = this.nodes.get(m.to)?.raw;
      if (!target || this.cuts.has(`${m.from}->${m.to}`)) {
        this.#printMessage(`dropped: ${describeMessage(m)}`, m);
        if (m.type === 'snap') this.nodes.get(m.from)?.raw?.reportSnapshot(m.to, 'failure');
        continue;
      }
      target.step(m);
      if (m.type === 'snap') this.nodes.get(m.from)?.raw?.reportSnapshot(m.to, 'finish');
    }
  }

  /** Handles Readys and delivers messages until nothing is left to do (for `ids`, or everyone). */
  stabilize(ids: readonly ReplicaId[]): void {
    const members = ids.length > 0 ? ids : [...this.nodes.keys()].sort((a, b) => a - b);
    for (let round = 0; round < 10_000; round++) {
      let busy = false;
      for (const id of members) while (this.processReady(id)) busy = true;
      const pending = this.queue.some((m) => members.includes(m.to));
      if (!busy && !pending) return;
      this.deliver(members);
    }
    throw new Error('did not stabilize');
  }

  // Faults.

  isolate(id: ReplicaId): void {
    for (const other of this.nodes.keys()) {
      if (other === id) continue;
      this.cuts.add(`${id}->${other}`);
      this.cuts.add(`${other}->${id}`);
    }
  }

  cut(a: ReplicaId, b: ReplicaId): void {
    this.cuts.add(`${a}->${b}`);
    this.cuts.add(`${b}->${a}`);
  }

  #crash(id: ReplicaId): void {
    this.#env(id).raw = null;
    this.#lastRole.delete(id);
    this.#print('ok');
  }

  #restart(id: ReplicaId): void {
    const node = this.#env(id);
    node.raw = new RawNode({ ...node.config, applied: node.appliedIndex }, node.storage, new TestRng(node.seed + 7));
    this.#lastRole.set(id, 'follower');
    this.#print('ok');
  }

  #compact(id: ReplicaId, index: number): void {
    const node = this.#env(id);
    if (index > node.appliedIndex) throw new Error(`compact ${index} beyond applied ${node.appliedIndex}`);
    const data = encoder.encode(JSON.stringify(node.applied.filter((a) => a.index <= index)));
    node.storage.createSnapshot(index, node.confState, data);
    node.storage.compact(index);
    this.#print(`first index ${node.storage.firstIndex()}`);
  }

  #reportSnapshot(id: ReplicaId, args: Args): void {
    this.#node(id).reportSnapshot(num(args.get('to'), 0), args.get('status') === 'failure' ? 'failure' : 'finish');
    this.#print('ok');
  }

  /** Steps a hand-made message into `id`: bad input, stale or forged messages. */
  #stepRaw(id: ReplicaId, args: Args): void {
    const list = /^\(([^)]*)\)$/.exec(args.get('entries') ?? '')?.[1] ?? '';
    const entries: Entry[] = list.trim() === '' ? [] : list.split(',').map((s) => {
      const [index, term] = s.trim().split('/').map(Number);
      const type = args.get('entry-type') === 'confChange' ? 'confChange' as const : 'normal' as const;
      const hex = args.get('entry-data') ?? '';
      const data = hex ? Uint8Array.from(hex.match(/../g) ?? [], (b) => parseInt(b, 16)) : encoder.encode('raw');
      return { index: index ?? 0, term: term ?? 0, type, data };
    });
    const snap = args.get('snapshot');
    const m: Message = {
      type: args.get('type') as Message['type'], from: num(args.get('from'), 0), to: num(args.get('to'), id),
      term: num(args.get('term'), 0), index: num(args.get('index'), 0), logTerm: num(args.get('log-term'), 0),
      entries, commit: num(args.get('commit'), 0), reject: bool(args.get('reject'), false), rejectHint: num(args.get('hint'), 0),
      ...(args.has('ctx') ? { context: encoder.encode(args.get('ctx')!) } : {}),
      ...(snap ? {
        snapshot: {
          metadata: {
            index: Number(snap.split('/')[0]), term: Number(snap.split('/')[1]),
            confState: { voters: idList(args.get('voters')), votersOutgoing: [], learners: [], learnersNext: [], autoLeave: false },
          },
          data: encoder.encode('[]'),
        },
      } : {}),
    };
    const before = this.#node(id).status().errors.malformed;
    this.#node(id).step(m);
    const after = this.#node(id).status().errors.malformed;
    this.#print(after > before ? 'refused as malformed' : 'ok');
  }

  // Inspection.

  #status(id: ReplicaId): void {
    const s = this.#node(id).status();
    this.#print(`${s.id} ${s.role} term=${s.term} vote=${s.vote} lead=${s.lead} commit=${s.commit} applied=${s.applied} ` +
      `first=${s.firstIndex} last=${s.lastIndex}${s.quiesced ? ' quiesced' : ''}${s.leadTransferee ? ` transferee=${s.leadTransferee}` : ''}`);
    this.#print(`config: ${describeConf(s.config)}`);
    for (const [pid, pr] of s.progress) {
      this.#print(`progress ${pid}: ${pr.state} match=${pr.match} next=${pr.next}${pr.isLearner ? ' learner' : ''}` +
        `${pr.inflight ? ` inflight=${pr.inflight}` : ''}${pr.pendingSnapshot ? ` pending-snapshot=${pr.pendingSnapshot}` : ''}` +
        `${pr.recentActive ? '' : ' inactive'}`);
    }
    if (s.role === 'leader') this.#print(`can quiesce: ${s.canQuiesce}, lease: ${s.leaseValid}`);
    const e = s.errors;
    if (e.malformed || e.confChangesRejected || e.readsDropped || e.proposalsDropped) {
      this.#print(`errors: malformed=${e.malformed} conf-changes-rejected=${e.confChangesRejected} ` +
        `reads-dropped=${e.readsDropped} proposals-dropped=${e.proposalsDropped}`);
    }
  }

  #raftState(): void {
    for (const id of [...this.nodes.keys()].sort((a, b) => a - b)) {
      const raw = this.nodes.get(id)!.raw;
      this.#print(raw ? `${id}: ${raw.role} term=${raw.term} lead=${raw.leader}${raw.quiesced ? ' quiesced' : ''}` : `${id}: down`);
    }
  }

  #raftLog(id: ReplicaId): void {
    const st = this.#env(id).storage;
    const first = st.firstIndex();
    const last = st.lastIndex();
    if (last < first) {
      this.#print(`empty (snapshot at ${first - 1})`);
      return;
    }
    if (first > 1) this.#print(`(snapshot at ${first - 1})`);
    for (const e of st.entries(first, last + 1, Number.MAX_SAFE_INTEGER)) this.#print(describeEntry(e));
  }

  #applied(id: ReplicaId): void {
    const node = this.#env(id);
    if (node.applied.length === 0) this.#print('(nothing)');
    for (const a of node.applied) this.#print(`${a.index} ${a.text}`);
  }
}
