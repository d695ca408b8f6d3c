/**
 * TxnDb: the transactional store handed to SQL (sql/kv.ts's KvStore,
 * structurally). Begins coordinators with IDs and priorities from an
 * injected random source, and runs closures with retries: a transaction
 * that lost a conflict keeps its priority or better on the next attempt, so
 * a starving transaction eventually wins.
 */
import type { Hlc, Timestamp } from '../hlc/index.ts';
import type { BatchSender } from './api.ts';
import { TxnCoordinator } from './coordinator.ts';
import { toKvTxnError } from './errors.ts';
import type { KvTxnOptionsShape } from './kv-shape.ts';
import { priorityMax, priorityMin, runAttemptsMax } from './limits.ts';
import { IntentResolver } from './resolver.ts';
import type { Ticker } from './ticker.ts';

/** A source of uniform uint32s (seeded in tests). */
export type Rng = () => number;

export interface TxnDbOptions {
  readonly sender: BatchSender;
  readonly clock: Hlc;
  readonly rng: Rng;
  readonly ticker: Ticker;
  readonly keyPrefix?: Uint8Array;
  readonly pipelining?: boolean;
  readonly runAttemptsMax?: number;
}

export class TxnDb {
  readonly keyPrefix: Uint8Array;
  readonly resolver: IntentResolver;

  constructor(private readonly options: TxnDbOptions) {
    this.keyPrefix = options.keyPrefix ?? Buffer.alloc(0);
    this.resolver = new IntentResolver(options.sender, options.clock);
  }

  begin(options: KvTxnOptionsShape = {}, minPriority = 0): TxnCoordinator {
    const id = Buffer.alloc(16);
    for (let i = 0; i < 16; i += 4) id.writeUInt32BE(this.options.rng() >>> 0, i);
    return new TxnCoordinator({
      sender: this.options.sender, clock: this.options.clock, ticker: this.options.ticker, resolver: this.resolver, id,
      priority: Math.max(minPriority, this.#priority(options.priority ?? 'normal')),
      ...(options.asOf ? { asOf: { wallMicros: options.asOf.wallMicros, logical: options.asOf.logical } } : {}),
      ...(options.readOnly ? { readOnly: true } : {}),
      ...(this.options.pipelining === false ? { pipelining: false } : {}),
    });
  }

  #priority(level: 'low' | 'normal' | 'high'): number {
    if (level === 'low') return priorityMin;
    if (level === 'high') return priorityMax;
    return priorityMin + 1 + (this.options.rng() >>> 0) % (priorityMax - priorityMin - 1);
  }

  /** Runs `fn` in a transaction and commits, retrying retryable errors up to a bound. */
  async run<T>(fn: (txn: TxnCoordinator) => Promise<T>, options: KvTxnOptionsShape = {}): Promise<T> {
    let minPriority = 0;
    const attempts = this.options.runAttemptsMax ?? runAttemptsMax;
    for (let attempt = 1; ; attempt++) {
      const txn = this.begin(options, minPriority);
      try {
        const result = await fn(txn);
        if (!txn.finished) await txn.commit();
        return result;
      } catch (error) {
        await txn.rollback().catch(() => undefined);
        const mapped = toKvTxnError(error);
        if (!mapped.retryable || attempt >= attempts) throw mapped;
        minPriority = Math.min(priorityMax - 1, txn.txn.priority + 1);
      }
    }
  }

  now(): Timestamp {
    return this.options.clock.now();
  }

  /** Waits for background intent resolution (tests, shutdown). */
  quiesce(): Promise<void> {
    return this.resolver.drain();
  }
}
