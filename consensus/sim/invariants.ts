/**
 * Raft's safety properties, checked after every simulator step:
 * election safety (one leader per term), log matching (same index and term
 * means same entry, across durable logs), state-machine safety (no two nodes
 * apply different entries at one index), leader completeness (a leader's log
 * holds every committed entry), exactly-once in-order apply per node, and
 * linearizable ReadIndex (a read is served at or after the commit index known
 * when it was requested).
 */
import type { MemoryStorage } from '../memory-storage.ts';
import type { ReplicaId } from '../types.ts';

export class InvariantViolation extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvariantViolation';
  }
}

interface ClusterView {
  readonly nodes: ReadonlyMap<ReplicaId, { readonly storage: MemoryStorage; readonly raw: { status(): { role: string; term: number; commit: number } } | null }>;
}

export class InvariantChecker {
  readonly leaders = new Map<number, ReplicaId>();
  /**
   * index → the entry applied there (by any node), with the highest term any
   * leader had when it was first applied: it was committed in that term or
   * earlier, so every leader of a later term must hold it.
   */
  readonly appliedAt = new Map<number, { term: number; payload: string; committedBy: number }>();
  readonly lastApplied = new Map<ReplicaId, number>();
  #highestCommitted = 0;

  leaderElected(id: ReplicaId, term: number): void {
    const existing = this.leaders.get(term);
    if (existing !== undefined && existing !== id) {
      throw new InvariantViolation(`election safety: ${existing} and ${id} both led term ${term}`);
    }
    this.leaders.set(term, id);
  }

  restarted(id: ReplicaId, appliedIndex: number): void {
    this.lastApplied.set(id, appliedIndex);
  }

  snapshotInstalled(id: ReplicaId, index: number, state: ReadonlyMap<number, string>): void {
    for (const [i, payload] of state) this.#recordApplied(i, undefined, payload, `snapshot on ${id}`);
    this.lastApplied.set(id, index);
    this.#highestCommitted = Math.max(this.#highestCommitted, index);
  }

  applied(id: ReplicaId, index: number, term: number, payload: string): void {
    const last = this.lastApplied.get(id) ?? 0;
    if (index !== last + 1) {
      throw new InvariantViolation(`apply order: node ${id} applied ${index} after ${last}`);
    }
    this.lastApplied.set(id, index);
    this.#recordApplied(index, term, payload, `node ${id}`);
    this.#highestCommitted = Math.max(this.#highestCommitted, index);
  }

  #recordApplied(index: number, term: number | undefined, payload: string, who: string): void {
    const seen = this.appliedAt.get(index);
    if (!seen) {
      this.appliedAt.set(index, { term: term ?? -1, payload, committedBy: Math.max(0, ...this.leaders.keys()) });
      return;
    }
    if (seen.payload !== payload || (term !== undefined && seen.term !== -1 && seen.term !== term)) {
      throw new InvariantViolation(`state machine safety: ${who} applied ${payload}@${index} but ${seen.payload} was applied there`);
    }
  }

  highestCommitted(): number {
    return this.#highestCommitted;
  }

  readServed(context: string, index: number, minIndex: number): void {
    if (index < minIndex) {
      throw new InvariantViolation(`linearizable read: ${context} served at ${index}, but ${minIndex} was committed before it was requested`);
    }
  }

  persisted(_id: ReplicaId, _storage: MemoryStorage): void {
    // Durable logs are compared in checkStep.
  }

  /** Cross-node checks over durable state. */
  checkStep(cluster: ClusterView): void {
    const logs: Array<{ id: ReplicaId; storage: MemoryStorage }> = [];
    for (const [id, node] of cluster.nodes) logs.push({ id, storage: node.storage });
    // Log matching: for every pair, a shared (index, term) implies equal entries down to both first indexes.
    const termsAt = new Map<number, Map<number, string>>();
    for (const { id, storage } of logs) {
      const first = storage.firstIndex();
      const last = storage.lastIndex();
      if (last < first) continue;
      const entries = storage.entries(first, last + 1, Number.MAX_SAFE_INTEGER);
      for (const e of entries) {
        let byTerm = termsAt.get(e.index);
        if (!byTerm) termsAt.set(e.index, (byTerm = new Map()));
        const key = `${e.type}:${Buffer.from(e.data).toString('base64')}`;
        const other = byTerm.get(e.term);
        if (other !== undefined && other !== key) {
          throw new InvariantViolation(`log matching: node ${id} has a different entry at ${e.index} term ${e.term}`);
        }
        byTerm.set(e.term, key);
      }
    }
    // Leader completeness: a current leader's log contains every applied entry.
    for (const [id, node] of cluster.nodes) {
      const st = node.raw?.status();
      if (!st || st.role !== 'leader') continue;
      const first = node.storage.firstIndex();
      for (const [index, applied] of this.appliedAt) {
        if (index < first || applied.term === -1 || st.term <= applied.committedBy) continue;
        const term = index > node.storage.lastIndex() ? undefined : node.storage.term(index);
        if (term !== applied.term) {
          throw new InvariantViolation(`leader completeness: leader ${id} (term ${st.term}) lacks committed entry ${index}`);
        }
      }
    }
  }
}
