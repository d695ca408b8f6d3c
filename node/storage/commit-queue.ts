/**
 * Group commit. Commits that arrive while a LevelDB write is in flight wait
 * and then go down together as one write: one fsync covers all of them, and
 * the commit path holds at most one of libuv's few thread-pool threads (left
 * to themselves, concurrent synced writes each take a thread and block in
 * LevelDB's writer queue, starving reads). Each commit keeps its own
 * all-or-nothing guarantee (the merged write is atomic as a whole) and its
 * order: batches are written in arrival order, so a later write to a key wins.
 * A group is synced when any of its commits asked for sync.
 */
import { assert } from '../assert.ts';
import { groupCommitBytesMax } from './limits.ts';

/** One caller's commit: the writes it contributes and how to tell it the outcome. */
export interface Commit<T> {
  readonly items: readonly T[];
  readonly sync: boolean;
  /** Approximate bytes, to bound a group. */
  readonly bytes: number;
}

interface Waiting<T> extends Commit<T> {
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

/** Writes one group: all its commits' items, in order, as one atomic write. */
export type GroupWriter<T> = (commits: readonly Commit<T>[], sync: boolean) => Promise<void>;

export class CommitQueue<T> {
  readonly #waiting: Waiting<T>[] = [];
  #draining: Promise<void> | null = null;

  constructor(private readonly write: GroupWriter<T>) {}

  /** Resolves once the commit's group has been written (and synced, when asked). */
  commit(commit: Commit<T>): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#waiting.push({ ...commit, resolve, reject });
      this.#draining ??= this.#drain();
    });
  }

  /** Resolves when every commit queued so far has been written or failed. */
  async idle(): Promise<void> {
    while (this.#draining) await this.#draining;
  }

  async #drain(): Promise<void> {
    try {
      while (this.#waiting.length > 0) {
        const group = this.#takeGroup();
        const sync = group.some((c) => c.sync);
        try {
          await this.write(group, sync);
        } catch (error) {
          for (const c of group) c.reject(error);
          continue;
        }
        for (const c of group) c.resolve();
      }
    } finally {
      this.#draining = null;
    }
  }

  /** The longest prefix of waiting commits within groupCommitBytesMax (always at least one). */
  #takeGroup(): Waiting<T>[] {
    let bytes = 0;
    let count = 0;
    for (const c of this.#waiting) {
      if (count > 0 && bytes + c.bytes > groupCommitBytesMax) break;
      bytes += c.bytes;
      count++;
    }
    assert(count > 0, 'a group takes at least one commit');
    return this.#waiting.splice(0, count);
  }
}
