/**
 * The bank checker: clients transfer money between accounts and read every
 * balance in one transaction. Transfers conserve money, so every ok read must
 * total the initial amount, and (unless allowed) no balance is negative.
 *
 * Formats: `transfer` takes `{from, to, amount}` (not checked here; only
 * reads can show an anomaly); an ok `read` returns the balances as an
 * object `{account: balance}` or an array indexed by account.
 */
import { HistoryError, type HistoryEvent, type HistoryValue } from '../history/event.ts';
import { opRef, pairOperations, type Operation } from '../history/operation.ts';
import { describeOp } from './describe.ts';
import { AnomalyCollector, noReadsNote, type CheckResult } from './result.ts';

export interface BankOptions {
  /** The total every read must see. */
  readonly total: number;
  /** The accounts every read must show; unchecked when absent. */
  readonly accounts?: readonly string[];
  /** Allow negative balances (overdrafts); false by default. */
  readonly allowNegative?: boolean;
}

function balancesOf(op: Operation): Array<readonly [string, number]> {
  const out = op.output;
  if (out === null || typeof out !== 'object') throw new HistoryError('malformed-op', `bank: read #${op.index} returned ${JSON.stringify(out)}, not balances`);
  const entries: Array<readonly [string, HistoryValue]> = Array.isArray(out)
    ? (out as readonly HistoryValue[]).map((v, i) => [String(i), v] as const)
    : Object.entries(out as { readonly [k: string]: HistoryValue });
  return entries.map(([account, v]) => {
    if (typeof v !== 'number') throw new HistoryError('malformed-op', `bank: read #${op.index} shows account ${account} as ${JSON.stringify(v)}, not a number`);
    return [account, v] as const;
  });
}

/** Checks every ok read of a bank history. */
export function checkBank(history: readonly HistoryEvent[], options: BankOptions): CheckResult {
  const reads = pairOperations(history).filter((o) => o.f === 'read' && o.status === 'ok');
  const out = new AnomalyCollector();
  let badReads = 0;
  for (const r of reads) {
    const before = out.size;
    const balances = balancesOf(r);
    const total = balances.reduce((sum, [, v]) => sum + v, 0);
    if (total !== options.total) {
      out.add({ kind: 'wrong-total', description: `${describeOp(r)} totals ${total}, not ${options.total}`, ops: [opRef(r)] });
    }
    const negative = balances.filter(([, v]) => v < 0);
    if (!options.allowNegative && negative.length > 0) {
      out.add({ kind: 'negative-balance', description: `${describeOp(r)} shows ${negative.map(([a, v]) => `account ${a} at ${v}`).join(', ')}`, ops: [opRef(r)] });
    }
    if (options.accounts) checkAccounts(r, balances, options.accounts, out);
    if (out.size > before) badReads++;
  }
  return out.result({ reads: reads.length, badReads }, reads.length === 0, reads.length === 0 ? [noReadsNote] : []);
}

function checkAccounts(r: Operation, balances: ReadonlyArray<readonly [string, number]>, accounts: readonly string[], out: AnomalyCollector): void {
  const shown = new Set(balances.map(([a]) => a));
  const expected = new Set(accounts);
  const missing = accounts.filter((a) => !shown.has(a));
  const unexpected = [...shown].filter((a) => !expected.has(a));
  if (missing.length > 0) out.add({ kind: 'missing-account', description: `${describeOp(r)} lacks accounts ${missing.join(', ')}`, ops: [opRef(r)] });
  if (unexpected.length > 0) out.add({ kind: 'unexpected-account', description: `${describeOp(r)} shows unknown accounts ${unexpected.join(', ')}`, ops: [opRef(r)] });
}
