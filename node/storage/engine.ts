/**
 * The engine: one classic-level (LevelDB) database per store, read through
 * bounded iterators and written through atomic batches with an explicit sync
 * flag. A Batch buffers writes and can be read through (an indexed batch, as
 * Pebble has): command evaluation runs several MVCC operations against one
 * batch and commits it as a single atomic write. Several batches can be
 * committed in one LevelDB write (group commit of many ranges' Raft logs).
 * A Snapshot is a consistent read-only view for reads that span several
 * calls (exporting a range, recomputing stats) while writes go on.
 */
import { ClassicLevel } from 'classic-level';
import { assert } from '../assert.ts';
import { compareKeys } from '../keys/index.ts';
import { CommitQueue, type Commit } from './commit-queue.ts';
import { StorageError } from './errors.ts';
import { engineCacheBytesDefault, engineWriteBufferBytesDefault, iteratorBatchEntries, iteratorChunkBytes } from './limits.ts';

export type RawEntry = readonly [key: Buffer, value: Buffer];

export interface IterateOptions {
  /** Lower bound, inclusive. */
  readonly gte: Buffer;
  /** Upper bound, exclusive. */
  readonly lt: Buffer;
  readonly reverse?: boolean;
  /** Stop after this many entries (0 or absent: no limit). */
  readonly limit?: number;
  /**
   * Entries to fetch in the first native call (0 or absent: a full chunk).
   * A scan that needs few rows asks for few entries first; later chunks grow.
   */
  readonly firstChunkEntries?: number;
}

/** Anything raw key-value reads can be served from: the engine, a snapshot or a batch. */
export interface Reader {
  get(key: Buffer): Promise<Buffer | undefined>;
  /**
   * A synchronous point read. LevelDB serves it from its memtable, block cache
   * or the OS page cache in microseconds; a miss that reaches the disk blocks
   * the event loop for one read, which is the price of skipping the thread
   * pool hop on the hot path (MVCC point lookups of the latest version).
   */
  getSync(key: Buffer): Buffer | undefined;
  /** Entries in [gte, lt), in order (reverse when asked). */
  iterate(options: IterateOptions): AsyncGenerator<RawEntry>;
  /** The same entries in chunks: one await per chunk instead of one per entry (scans). */
  iterateChunks(options: IterateOptions): AsyncGenerator<readonly RawEntry[]>;
}

/** Something raw writes can be buffered into. */
export interface Writer {
  put(key: Buffer, value: Buffer): void;
  del(key: Buffer): void;
}

export type ReadWriter = Reader & Writer;

export interface EngineOptions {
  /** LevelDB block cache size in bytes. */
  readonly cacheBytes?: number;
  /** LevelDB memtable size in bytes. */
  readonly writeBufferBytes?: number;
}

/** The store could not be opened (missing permissions, held by another process, corrupt manifest…). */
export class EngineOpenError extends StorageError {
  constructor(readonly path: string, override readonly cause: unknown) {
    super(`cannot open store at ${path}: ${cause instanceof Error ? cause.message : String(cause)}`);
  }
}

type Db = ClassicLevel<Buffer, Buffer>;
type DbSnapshot = ReturnType<Db['snapshot']>;

export class Engine implements Reader {
  readonly #commits: CommitQueue<Batch>;

  private constructor(readonly db: Db, readonly path: string) {
    this.#commits = new CommitQueue((group, sync) => this.#writeGroup(group, sync));
  }

  /** Opens (creating if missing) the store at `path`. */
  static async open(path: string, options: EngineOptions = {}): Promise<Engine> {
    const db = new ClassicLevel<Buffer, Buffer>(path, {
      keyEncoding: 'buffer',
      valueEncoding: 'buffer',
      cacheSize: options.cacheBytes ?? engineCacheBytesDefault,
      writeBufferSize: options.writeBufferBytes ?? engineWriteBufferBytesDefault,
    });
    try {
      await db.open();
    } catch (error) {
      // classic-level wraps LevelDB's reason (e.g. the LOCK file held by another process) in `cause`.
      throw new EngineOpenError(path, (error as { cause?: unknown }).cause ?? error);
    }
    return new Engine(db, path);
  }

  /** Closes the store after the commits already queued are written. */
  async close(): Promise<void> {
    await this.#commits.idle();
    await this.db.close();
  }

  get(key: Buffer): Promise<Buffer | undefined> {
    return this.db.get(key);
  }

  getSync(key: Buffer): Buffer | undefined {
    return this.db.getSync(key);
  }

  iterate(options: IterateOptions): AsyncGenerator<RawEntry> {
    return flatten(this.iterateChunks(options));
  }

  iterateChunks(options: IterateOptions): AsyncGenerator<readonly RawEntry[]> {
    return iterateLevel(this.db, options, undefined);
  }

  /**
   * A consistent view of the store as of now: later writes are invisible to
   * it. Close it when done (an open snapshot holds back LevelDB's compactions).
   */
  snapshot(): Snapshot {
    return new Snapshot(this.db, this.db.snapshot());
  }

  /** A new empty batch reading through to this engine. */
  newBatch(): Batch {
    return new Batch(this);
  }

  /** LevelDB's estimate of the disk bytes of keys in [gte, lt) (compressed, flushed data only). */
  approximateBytes(gte: Buffer, lt: Buffer): Promise<number> {
    return this.db.approximateSize(gte, lt);
  }

  /**
   * Applies several batches in one atomic LevelDB write (group commit): the
   * multi-Raft scheduler persists many ranges' log appends with one fsync.
   * Later batches win where batches write the same key. Commits that arrive
   * while a write is in flight are merged into the next write (see
   * commit-queue.ts); each call's batches still land all together or not at all.
   */
  async commitBatches(batches: readonly Batch[], options: { sync: boolean }): Promise<void> {
    let bytes = 0;
    for (const batch of batches) {
      assert(batch.engine === this, 'batch belongs to another engine');
      batch.markCommitting();
      bytes += batch.bytes;
    }
    return this.#commits.commit({ items: batches, sync: options.sync, bytes });
  }

  async #writeGroup(group: readonly Commit<Batch>[], sync: boolean): Promise<void> {
    // A chained batch hands each operation straight to the native batch,
    // skipping the per-operation normalisation of the array form.
    const chained = this.db.batch();
    try {
      for (const commit of group) for (const batch of commit.items) batch.writeTo(chained);
      if (chained.length === 0) await chained.close();
      else await chained.write({ sync });
    } catch (error) {
      for (const commit of group) for (const batch of commit.items) batch.markFailed();
      if (chained.length > 0) await chained.close().catch(() => undefined);
      throw error;
    }
    for (const commit of group) for (const batch of commit.items) batch.markCommitted();
  }
}

/** A read-only, point-in-time view of an engine. */
export class Snapshot implements Reader {
  #closed = false;

  constructor(private readonly db: Db, private readonly snapshot: DbSnapshot) {}

  get(key: Buffer): Promise<Buffer | undefined> {
    return this.db.get(key, { snapshot: this.snapshot });
  }

  getSync(key: Buffer): Buffer | undefined {
    return this.db.getSync(key, { snapshot: this.snapshot });
  }

  iterate(options: IterateOptions): AsyncGenerator<RawEntry> {
    return flatten(this.iterateChunks(options));
  }

  iterateChunks(options: IterateOptions): AsyncGenerator<readonly RawEntry[]> {
    assert(!this.#closed, 'read from a closed snapshot');
    return iterateLevel(this.db, options, this.snapshot);
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.snapshot.close();
  }
}

/** The writes a Batch hands to a native batch. */
export interface NativeBatch {
  put(key: Buffer, value: Buffer): unknown;
  del(key: Buffer): unknown;
}

async function* flatten(chunks: AsyncGenerator<readonly RawEntry[]>): AsyncGenerator<RawEntry> {
  for await (const chunk of chunks) yield* chunk;
}

/**
 * Reads in chunks of up to iteratorBatchEntries (and about iteratorChunkBytes)
 * per native call: each call is a hop to LevelDB's thread pool, so big chunks
 * keep a long scan from paying many hops. The key bounds already stop short
 * reads; a caller that needs only a few entries says so with firstChunkEntries.
 */
async function* iterateLevel(db: Db, options: IterateOptions, snapshot: DbSnapshot | undefined): AsyncGenerator<readonly RawEntry[]> {
  if (compareKeys(options.gte, options.lt) >= 0) return;
  const limit = options.limit && options.limit > 0 ? options.limit : -1;
  const iterator = db.iterator({
    gte: options.gte, lt: options.lt, reverse: options.reverse ?? false, limit, highWaterMarkBytes: iteratorChunkBytes,
    ...(snapshot ? { snapshot } : {}),
  });
  try {
    let step = Math.min(options.firstChunkEntries || iteratorBatchEntries, iteratorBatchEntries);
    for (;;) {
      const entries = (await iterator.nextv(limit > 0 ? Math.min(limit, step) : step)) as RawEntry[];
      if (entries.length === 0) return;
      yield entries;
      step = Math.min(step * 4, iteratorBatchEntries);
    }
  } finally {
    await iterator.close();
  }
}

interface PendingWrite {
  readonly key: Buffer;
  readonly value: Buffer | null;
}

function comparePending(a: PendingWrite, b: PendingWrite): number {
  return compareKeys(a.key, b.key);
}

/** The first index in sorted `writes` whose key is >= `key`. */
function lowerBound(writes: readonly PendingWrite[], key: Buffer): number {
  let lo = 0;
  let hi = writes.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareKeys(writes[mid]!.key, key) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Buffered writes over an engine. Reads see the batch's own writes merged over
 * the engine's contents. Committed at most once.
 *
 * Writes are appended to a log (the hot path: evaluation writes far more than
 * it reads back); the point-read index and the sorted view used by iterators
 * are brought up to date lazily, from where they last stopped.
 */
export class Batch implements ReadWriter {
  readonly #log: PendingWrite[] = [];
  readonly #index = new Map<string, PendingWrite>();
  #indexed = 0;
  /** Latest write per key, in key order, covering #log[0, #sortedUpTo). */
  #sorted: PendingWrite[] = [];
  #sortedUpTo = 0;
  readonly #prefetched = new Map<string, Buffer | undefined>();
  readonly #onCommit: Array<() => void> = [];
  /** open → committing (queued for a write) → committed; a failed write reopens it. */
  #state: 'open' | 'committing' | 'committed' = 'open';
  #bytes = 0;

  constructor(readonly engine: Engine) {}

  /** Writes buffered (a key written twice counts twice). */
  get count(): number {
    return this.#log.length;
  }

  /** Approximate bytes of keys and values buffered. */
  get bytes(): number {
    return this.#bytes;
  }

  get committed(): boolean {
    return this.#state === 'committed';
  }

  put(key: Buffer, value: Buffer): void {
    this.#record({ key, value });
  }

  del(key: Buffer): void {
    this.#record({ key, value: null });
  }

  /**
   * Runs `fn` after the batch commits (never if it is dropped). In-memory
   * state that mirrors the batch's writes (a Raft log's last index, caches)
   * changes here, so it never runs ahead of what the store holds.
   */
  onCommit(fn: () => void): void {
    assert(this.#state === 'open', 'commit hook on a committed batch');
    this.#onCommit.push(fn);
  }

  #record(write: PendingWrite): void {
    assert(this.#state === 'open', 'write to a committed batch');
    this.#log.push(write);
    this.#bytes += write.key.length + (write.value?.length ?? 0);
  }

  /** Indexes writes made since the last read (reads are rarer than writes on hot paths). */
  #ensureIndex(): Map<string, PendingWrite> {
    for (; this.#indexed < this.#log.length; this.#indexed++) {
      const w = this.#log[this.#indexed]!;
      const id = w.key.toString('latin1');
      // Delete first so the map's order is the order of each key's last write.
      this.#index.delete(id);
      this.#index.set(id, w);
    }
    return this.#index;
  }

  /** The latest write of every key, in key order; merges in writes made since the last call. */
  #sortedView(): readonly PendingWrite[] {
    if (this.#sortedUpTo === this.#log.length) return this.#sorted;
    const fresh = new Map<string, PendingWrite>();
    for (let i = this.#sortedUpTo; i < this.#log.length; i++) {
      const w = this.#log[i]!;
      fresh.set(w.key.toString('latin1'), w);
    }
    const added = [...fresh.values()].sort(comparePending);
    const merged: PendingWrite[] = [];
    let i = 0;
    let j = 0;
    while (i < this.#sorted.length || j < added.length) {
      const old = this.#sorted[i];
      const next = added[j];
      const order = !old ? 1 : !next ? -1 : comparePending(old, next);
      if (order < 0) merged.push(this.#sorted[i++]!);
      else {
        // Equal keys: the newer write replaces the older.
        if (order === 0) i++;
        merged.push(added[j++]!);
      }
    }
    this.#sorted = merged;
    this.#sortedUpTo = this.#log.length;
    return merged;
  }

  async get(key: Buffer): Promise<Buffer | undefined> {
    if (this.#log.length > 0) {
      const pending = this.#ensureIndex().get(key.toString('latin1'));
      if (pending) return pending.value ?? undefined;
    }
    return this.engine.get(key);
  }

  getSync(key: Buffer): Buffer | undefined {
    if (this.#log.length > 0 || this.#prefetched.size > 0) {
      const id = key.toString('latin1');
      const pending = this.#log.length > 0 ? this.#ensureIndex().get(id) : undefined;
      if (pending) return pending.value ?? undefined;
      if (this.#prefetched.has(id)) return this.#prefetched.get(id);
    }
    return this.engine.getSync(key);
  }

  /**
   * Reads many keys in one call on LevelDB's thread pool, so the point reads
   * of a whole batch's evaluation overlap with JavaScript on the main thread.
   * Later getSync calls for these keys are served from what was read here:
   * the caller must hold the keys' latches, so nothing else writes them.
   */
  async prefetch(keys: readonly Buffer[]): Promise<void> {
    const values = await this.readMany(keys);
    for (let i = 0; i < keys.length; i++) this.#prefetched.set(keys[i]!.toString('latin1'), values[i]);
  }

  /** Reads many keys from the engine in one thread-pool call, ignoring this batch's writes. */
  async readMany(keys: readonly Buffer[]): Promise<Array<Buffer | undefined>> {
    if (keys.length === 0) return [];
    return (await this.engine.db.getMany(keys as Buffer[])).map((v) => v ?? undefined);
  }

  async *iterateChunks(options: IterateOptions): AsyncGenerator<readonly RawEntry[]> {
    if (this.#pendingIn(options.gte, options.lt, false).length === 0) {
      yield* this.engine.iterateChunks(options);
      return;
    }
    let chunk: RawEntry[] = [];
    for await (const entry of this.iterate(options)) {
      chunk.push(entry);
      if (chunk.length >= iteratorBatchEntries) {
        yield chunk;
        chunk = [];
      }
    }
    if (chunk.length > 0) yield chunk;
  }

  /** The engine's entries merged with this batch's writes (deletions hide entries). */
  async *iterate(options: IterateOptions): AsyncGenerator<RawEntry> {
    const pending = this.#pendingIn(options.gte, options.lt, options.reverse ?? false);
    const limit = options.limit && options.limit > 0 ? options.limit : Infinity;
    if (pending.length === 0) {
      yield* this.engine.iterate(options);
      return;
    }
    const sign = options.reverse ? -1 : 1;
    const base = this.engine.iterate({ gte: options.gte, lt: options.lt, reverse: options.reverse ?? false });
    let produced = 0;
    let i = 0;
    let next = await base.next();
    try {
      while (produced < limit) {
        const fromBase = next.done ? null : next.value;
        const fromBatch = i < pending.length ? pending[i]! : null;
        if (!fromBase && !fromBatch) return;
        const order = !fromBase ? 1 : !fromBatch ? -1 : sign * compareKeys(fromBase[0], fromBatch.key);
        if (order < 0) {
          produced++;
          yield fromBase!;
          next = await base.next();
          continue;
        }
        if (order === 0) next = await base.next();
        i++;
        if (fromBatch!.value) {
          produced++;
          yield [fromBatch!.key, fromBatch!.value];
        }
      }
    } finally {
      await base.return(undefined);
    }
  }

  #pendingIn(gte: Buffer, lt: Buffer, reverse: boolean): PendingWrite[] {
    if (this.#log.length === 0) return [];
    const sorted = this.#sortedView();
    const out = sorted.slice(lowerBound(sorted, gte), lowerBound(sorted, lt));
    return reverse ? out.reverse() : out;
  }

  /** Commits the batch atomically; `sync` makes it durable before the promise settles. */
  async commit(options: { sync: boolean }): Promise<void> {
    await this.engine.commitBatches([this], options);
  }

  /** The buffered writes, one per key (null value: delete), e.g. to replicate an evaluated command. */
  writes(): Array<{ key: Buffer; value: Buffer | null }> {
    return [...this.#ensureIndex().values()].map((w) => ({ key: w.key, value: w.value }));
  }

  /** Hands this batch's writes to a native batch. */
  writeTo(target: NativeBatch): void {
    assert(this.#state === 'committing', 'batch written without being committed');
    // In order: a later write to a key overrides an earlier one within the native batch.
    for (const w of this.#log) {
      if (w.value) target.put(w.key, w.value);
      else target.del(w.key);
    }
  }

  /** Called by the engine when the batch is queued for a write: no more writes, no second commit. */
  markCommitting(): void {
    assert(this.#state === 'open', 'batch committed twice');
    this.#state = 'committing';
  }

  /** Called by the engine when the write failed: the batch may be committed again. */
  markFailed(): void {
    assert(this.#state === 'committing', 'batch failed without being committed');
    this.#state = 'open';
  }

  /** Called by the engine after the write: runs the commit hooks. */
  markCommitted(): void {
    assert(this.#state === 'committing', 'batch committed twice');
    this.#state = 'committed';
    for (const fn of this.#onCommit.splice(0)) fn();
  }
}
