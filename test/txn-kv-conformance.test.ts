/**
 * node/txn's client satisfies sql/kv.ts structurally: TxnDb is a KvStore and
 * TxnCoordinator a KvTxn, and the errors it throws are KvErrors.
 */
import { describe, expect, expectTypeOf, it } from 'vitest';
import { isKvError, type KvStore, type KvTxn } from '../sql/kv.ts';
import { KvTxnError, TxnAbortedError, TxnRetryError, type TxnCoordinator, type TxnDb } from '../node/txn/index.ts';

describe('node/txn conformance to sql/kv.ts', () => {
  it('TxnDb is a KvStore and TxnCoordinator a KvTxn', () => {
    expectTypeOf<TxnDb>().toMatchTypeOf<KvStore>();
    expectTypeOf<TxnCoordinator>().toMatchTypeOf<KvTxn>();
    const store = null as unknown as TxnDb;
    const asStore: KvStore | null = store;
    expect(asStore).toBeNull();
  });

  it('errors are KvErrors with the expected kinds', () => {
    expect(isKvError(new TxnRetryError('refreshFailed', 'x'))).toBe(true);
    expect(new TxnAbortedError('deadlock').kind).toBe('deadlock');
    expect(new TxnAbortedError('pushed').kind).toBe('aborted');
    expect(isKvError(new KvTxnError('conditionFailed', false, 'x', null))).toBe(true);
  });
});
