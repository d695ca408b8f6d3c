/**
 * The simulated network between replicas: every message sent is dropped,
 * delayed by a whole number of steps, duplicated, or delivered, as the seeded
 * generator and the current faults decide. Directed links can be cut (one-way
 * partitions) and healed. A message in flight when its link is cut is lost on
 * arrival, as on a real network whose route disappears.
 *
 * The network never looks inside a message: it moves plain data. Deliveries
 * come out in send order unless the run asked for reordering, so a run with
 * no faults behaves like a set of FIFO links.
 */
import type { Message, ReplicaId } from '../index.ts';
import type { SeededRng } from './rng.ts';

export interface NetworkFaults {
  /** Probability that a message is lost. */
  readonly dropRate: number;
  /** Probability that a message is delivered twice. */
  readonly duplicateRate: number;
  /** Each copy is delayed by a uniform number of steps in [0, maxDelaySteps]. */
  readonly maxDelaySteps: number;
  /** Messages due in the same step are delivered in a random order. */
  readonly reorder: boolean;
}

export const noNetworkFaults: NetworkFaults = { dropRate: 0, duplicateRate: 0, maxDelaySteps: 0, reorder: false };

/** Counters for the run report. */
export interface NetworkStats {
  sent: number;
  delivered: number;
  dropped: number;
  duplicated: number;
}

/** Why a message did not arrive, for the transport's feedback to Raft. */
export interface Undelivered {
  readonly message: Message;
  readonly reason: 'dropped' | 'cut';
}

/** Replica IDs stay far below this, so a directed link fits in one number. */
const linkBase = 1 << 20;

function link(from: ReplicaId, to: ReplicaId): number {
  return from * linkBase + to;
}

export class SimNetwork {
  faults: NetworkFaults = noNetworkFaults;
  readonly stats: NetworkStats = { sent: 0, delivered: 0, dropped: 0, duplicated: 0 };
  /** Messages that were lost, since the last `takeUndelivered()`. */
  #undelivered: Undelivered[] = [];
  /** Messages in flight, bucketed by the step they arrive at. */
  readonly #due = new Map<number, Message[]>();
  #inFlight = 0;
  readonly #cut = new Set<number>();

  constructor(private readonly rng: SeededRng) {}

  /** Sends a message at step `now`: it arrives at `now` or later (or never). */
  send(m: Message, now: number): void {
    this.stats.sent++;
    if (this.isCut(m.from, m.to)) {
      this.#lose(m, 'cut');
      return;
    }
    if (this.faults.dropRate > 0 && this.rng.chance(this.faults.dropRate)) {
      this.#lose(m, 'dropped');
      return;
    }
    const copies = this.faults.duplicateRate > 0 && this.rng.chance(this.faults.duplicateRate) ? 2 : 1;
    if (copies === 2) this.stats.duplicated++;
    for (let i = 0; i < copies; i++) {
      const delay = this.faults.maxDelaySteps > 0 ? this.rng.intn(this.faults.maxDelaySteps + 1) : 0;
      const at = now + delay;
      let bucket = this.#due.get(at);
      if (!bucket) this.#due.set(at, (bucket = []));
      bucket.push(m);
      this.#inFlight++;
    }
  }

  /**
   * Removes and returns the messages due at or before `now`, oldest step
   * first; within a step in send order, or shuffled when reordering. Messages
   * whose link was cut while they were in flight are lost instead.
   */
  takeDue(now: number): Message[] {
    const steps = [...this.#due.keys()].filter((s) => s <= now).sort((a, b) => a - b);
    const out: Message[] = [];
    for (const s of steps) {
      const bucket = this.#due.get(s)!;
      this.#due.delete(s);
      this.#inFlight -= bucket.length;
      if (this.faults.reorder && bucket.length > 1) this.rng.shuffle(bucket);
      for (const m of bucket) {
        if (this.isCut(m.from, m.to)) this.#lose(m, 'cut');
        else out.push(m);
      }
    }
    this.stats.delivered += out.length;
    return out;
  }

  /** Messages lost since the last call (for snapshot-failure and unreachable reports). */
  takeUndelivered(): Undelivered[] {
    const out = this.#undelivered;
    this.#undelivered = [];
    return out;
  }

  #lose(message: Message, reason: Undelivered['reason']): void {
    this.stats.dropped++;
    this.#undelivered.push({ message, reason });
  }

  /** Messages sent and not yet delivered or lost. */
  get inFlight(): number {
    return this.#inFlight;
  }

  isCut(from: ReplicaId, to: ReplicaId): boolean {
    return this.#cut.size > 0 && this.#cut.has(link(from, to));
  }

  /** Cuts the directed link from → to (a one-way partition). */
  cut(from: ReplicaId, to: ReplicaId): void {
    if (from !== to) this.#cut.add(link(from, to));
  }

  /** Cuts both directions between every member of `side` and every member of `rest`. */
  split(side: readonly ReplicaId[], rest: readonly ReplicaId[]): void {
    for (const a of side) {
      for (const b of rest) {
        this.cut(a, b);
        this.cut(b, a);
      }
    }
  }

  /** Number of directed links currently cut. */
  get cutLinks(): number {
    return this.#cut.size;
  }

  /** Restores every link. */
  heal(): void {
    this.#cut.clear();
  }
}
