/**
 * Evaluation of a range's requests on its leaseholder: reads straight from
 * the engine (or the batch, so a batch reads its own earlier writes), writes
 * into a write batch whose raw writes and stats delta become the replicated
 * command.
 */
import type { Timestamp } from '../hlc/index.ts';
import {
  mvccConditionalPut, mvccDelete, mvccDeleteRange, mvccGet, mvccIncrement, mvccPut, mvccScan,
  type Batch, type MvccStats, type TxnMeta,
} from '../storage/index.ts';
import type { KvRequest, KvResponse } from './request.ts';

export type EvaluableRequest = Exclude<KvRequest, { type: 'rangeLookup' } | { type: 'adminSplit' }>;

export async function evaluate(
  batch: Batch, delta: MvccStats, request: EvaluableRequest, ts: Timestamp, txn: TxnMeta | undefined,
): Promise<KvResponse> {
  const options = txn ? { txn } : {};
  switch (request.type) {
    case 'get':
      return { type: 'get', value: (await mvccGet(batch, request.key, ts, options)).value };
    case 'scan': {
      const result = await mvccScan(batch, { key: request.key, endKey: request.endKey }, ts, {
        maxKeys: request.maxKeys ?? 0, reverse: request.reverse ?? false, ...options,
      });
      const rows = result.rows.map((r) => ({ key: r.key, value: r.value }));
      const resume = result.resumeSpan;
      return resume ? { type: 'scan', rows, resume: { key: Buffer.from(resume.key), endKey: Buffer.from(resume.endKey) } } : { type: 'scan', rows };
    }
    case 'put':
      await mvccPut(batch, delta, request.key, ts, request.value, options);
      return { type: 'put' };
    case 'cput':
      await mvccConditionalPut(batch, delta, request.key, ts, request.value, request.expected, options);
      return { type: 'cput' };
    case 'delete':
      await mvccDelete(batch, delta, request.key, ts, options);
      return { type: 'delete' };
    case 'increment':
      return { type: 'increment', value: await mvccIncrement(batch, delta, request.key, ts, request.delta, options) };
    case 'deleteRange':
      return { type: 'deleteRange', keys: await mvccDeleteRange(batch, delta, { key: request.key, endKey: request.endKey }, ts, options) };
  }
}
