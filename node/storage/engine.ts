/**
 * The engine: one classic-level (LevelDB) database per store, read through
 * bounded iterators and written through atomic batches with an explicit sync
 * flag. A Batch buffers writes and can be read through (an indexed batch, as
 * Pebble has): command evaluation runs several MVCC operations against one
 * batch and commits it as a single atomic write.
 */
import { ClassicLevel } from 'classic-level';
import { assert } from '../assert.ts';
import { compareKeys } from '../keys/index.ts';
import { iteratorBatchEntries, iteratorChunkBytes } from './limits.ts';

export type RawEntry = readonly [key: Buffer, value: Buffer];

export interface IterateOptions {
  readonly gte: Buffer;
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
  readonly writeBufferBytes?: number;
}

export class Engine implements Reader {
  private constructor(readonly db: ClassicLevel<Buffer, Buffer>, readonly path: string) {}

  /** Opens (creating if missing) the store at `path`. */
  static async open(path: string, options: EngineOptions = {}): Promise<Engine> {
    const db = new ClassicLevel<Buffer, Buffer>(path, {
      keyEncoding: 'buffer',
      valueEncoding: 'buffer',
      cacheSize: options.cacheBytes ?? 64 * 1024 * 1024,
      writeBufferSize: options.writeBufferBytes ?? 16 * 1024 * 1024,
    });
    await db.open();
    return new Engine(db, path);
  }

  async close(): Promise<void> {
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
    return iterateLevel(this.db, options);
  }

  /** A new empty batch reading through to this engine. */
  newBatch(): Batch {
    return new Batch(this);
  }

  /** Applies several batches in one atomic LevelDB write (group commit). */
  async commitBatches(batches: readonly Batch[], options: { sync: boolean }): Promise<void> {
    // A chained batch hands each operation straight to the native batch,
    // skipping the per-operation normalisation of the array form.
    const chained = this.db.batch();
    for (const batch of batches) {
      assert(batch.engine === this, 'batch belongs to another engine');
      batch.writeTo(chained);
    }
    if (chained.length === 0) {
      await chained.close();
      return;
    }
    await chained.write({ sync: options.sync });
    for (const batch of batches) batch.markCommitted();
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
async function* iterateLevel(db: ClassicLevel<Buffer, Buffer>, options: IterateOptions): AsyncGenerator<readonly RawEntry[]> {
  if (compareKeys(options.gte, options.lt) >= 0) return;
  const limit = options.limit && options.limit > 0 ? options.limit : -1;
  const iterator = db.iterator({
    gte: options.gte, lt: options.lt, reverse: options.reverse ?? false, limit, highWaterMarkBytes: iteratorChunkBytes,
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

/**
 * Buffered writes over an engine. Reads see the batch's own writes merged over
 * the engine's contents. Not safe to commit twice.
 */
export class Batch implements ReadWriter {
  /** Every write in order; the index over it is built only when the batch is read. */
  readonly #log: PendingWrite[] = [];
  readonly #index = new Map<string, PendingWrite>();
  #indexed = 0;
  readonly #prefetched = new Map<string, Buffer | undefined>();
  #sorted: PendingWrite[] | null = null;
  #committed = false;
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
    return this.#committed;
  }

  put(key: Buffer, value: Buffer): void {
    this.#record({ key, value });
  }

  del(key: Buffer): void {
    this.#record({ key, value: null });
  }

  #record(write: PendingWrite): void {
    assert(!this.#committed, 'write to a committed batch');
    this.#log.push(write);
    this.#sorted = null;
    this.#bytes += write.key.length + (write.value?.length ?? 0);
  }

  /** Indexes writes made since the last read (reads are rarer than writes on hot paths). */
  #ensureIndex(): Map<string, PendingWrite> {
    for (; this.#indexed < this.#log.length; this.#indexed++) {
      const w = this.#log[this.#indexed]!;
      this.#index.delete(w.key.toString('latin1'));
      this.#index.set(w.key.toString('latin1'), w);
    }
    return this.#index;
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
    if (!this.#sorted) this.#sorted = [...this.#ensureIndex().values()].sort((a, b) => compareKeys(a.key, b.key));
    const out = this.#sorted.filter((w) => compareKeys(w.key, gte) >= 0 && compareKeys(w.key, lt) < 0);
    return reverse ? out.reverse() : out;
  }

  /** Commits the batch atomically. */
  async commit(options: { sync: boolean }): Promise<void> {
    await this.engine.commitBatches([this], options);
    this.#committed = true;
  }

  /** The buffered writes (null value: delete), e.g. to replicate an evaluated command. */
  writes(): Array<{ key: Buffer; value: Buffer | null }> {
    return [...this.#ensureIndex().values()].map((w) => ({ key: w.key, value: w.value }));
  }

  /** Hands this batch's writes to a native batch. */
  writeTo(target: NativeBatch): void {
    assert(!this.#committed, 'batch committed twice');
    // In order: a later write to a key overrides an earlier one within the native batch.
    for (const w of this.#log) {
      if (w.value) target.put(w.key, w.value);
      else target.del(w.key);
    }
  }

  markCommitted(): void {
    this.#committed = true;
  }
}
