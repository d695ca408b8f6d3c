/**
 * The linearizability checker: splits a history by key when the model is
 * multi-key, drops what cannot matter (failed operations, indeterminate
 * reads, indeterminate writes nobody observed), searches each partition
 * (wgl.ts) and turns a failed search into a counterexample a human can read:
 * the key, the longest linearizable prefix, the state it leaves, and the
 * operation that cannot follow it.
 */
import type { HistoryEvent, HistoryValue } from '../history/event.ts';
import { opRef, pairOperations, type Operation } from '../history/operation.ts';
import { canonical } from './canonical.ts';
import { describeOp } from './describe.ts';
import { counterexampleCandidatesMax, counterexamplePrefixOpsMax, linearizableCacheEntriesMax, linearizableStepsMax } from './limits.ts';
import type { Model } from './models.ts';
import type { Refutation, RefutationKind } from './register-refute.ts';
import { AnomalyCollector, type Anomaly, type CheckResult } from './result.ts';
import { searchLinearization, type SearchOutcome } from './wgl.ts';

export interface LinearizableOptions {
  /** Search steps per partition before answering 'unknown'; `linearizableStepsMax` by default. */
  readonly stepBudget?: number;
  /** Memoised configurations per partition before answering 'unknown'. */
  readonly cacheEntriesMax?: number;
  /** Try the model's quick refutations before searching (default true); off, every verdict comes from the search. */
  readonly refute?: boolean;
}

/** One partition's verdict, with the operations it was decided on. */
export interface PartitionResult<S> {
  readonly key: HistoryValue | undefined;
  readonly ops: readonly Operation[];
  /** Quick proofs of non-linearizability; the search is skipped when there are any. */
  readonly refutations: readonly Refutation[];
  /** The search's outcome; null when refuted without searching. */
  readonly outcome: SearchOutcome<S> | null;
  /** Indeterminate operations left out because nobody could have observed them. */
  readonly pruned: number;
}

/** Checks one partition's operations (all of the same key) against the model. */
export function checkPartition<S, P>(model: Model<S, P>, ops: readonly Operation[], options: LinearizableOptions = {}): PartitionResult<S> {
  const kept: Operation[] = [];
  const prepared: P[] = [];
  for (const op of ops) {
    if (op.status === 'fail') continue;
    const p = model.prepare(op);
    if (p === null) continue;
    kept.push(op);
    prepared.push(p);
  }
  const keep = model.prune?.(prepared, kept.map((o) => o.status === 'ok')) ?? prepared.map(() => true);
  const live = kept.filter((_, i) => keep[i]);
  const liveOps = prepared.filter((_, i) => keep[i]);
  const timing = {
    invokeTimes: live.map((o) => o.invokeTime), completeTimes: live.map((o) => o.completeTime), determinate: live.map((o) => o.status === 'ok'),
  };
  const refutations = options.refute === false ? [] : model.refute?.(liveOps, timing) ?? [];
  const outcome = refutations.length > 0 ? null : searchLinearization(model, { ops: liveOps, ...timing }, {
    stepsMax: options.stepBudget ?? linearizableStepsMax,
    cacheEntriesMax: options.cacheEntriesMax ?? linearizableCacheEntriesMax,
  });
  const key = ops[0] && model.partition ? model.partition(ops[0]) : undefined;
  return { key, ops: live, refutations, outcome, pruned: kept.length - live.length };
}

/** Checks that a history is linearizable with respect to the model, key by key for multi-key models. */
export function checkLinearizable<S, P>(model: Model<S, P>, history: readonly HistoryEvent[], options: LinearizableOptions = {}): CheckResult {
  const ops = pairOperations(history);
  const partitions = new Map<string, Operation[]>();
  for (const op of ops) {
    const key = model.partition ? canonical(model.partition(op)) : '';
    let list = partitions.get(key);
    if (!list) partitions.set(key, (list = []));
    list.push(op);
  }
  const anomalies = new AnomalyCollector();
  const notes: string[] = [];
  let steps = 0;
  let unknown = 0;
  let pruned = 0;
  let largest = 0;
  for (const list of partitions.values()) {
    const r = checkPartition(model, list, options);
    pruned += r.pruned;
    largest = Math.max(largest, r.ops.length);
    for (const refutation of r.refutations) anomalies.add(refuted(model, r, refutation));
    if (r.outcome === null) continue;
    steps += r.outcome.steps;
    if (r.outcome.verdict === 'not-linearizable') anomalies.add(nonlinearizable(model, r, r.outcome));
    if (r.outcome.verdict === 'unknown') {
      unknown++;
      notes.push(`${where(model, r.key)}: search gave up after ${r.outcome.steps} steps and ${r.outcome.cacheEntries} memoised configurations (${r.outcome.reason} budget)`);
    }
  }
  return anomalies.result({
    operations: ops.length, partitions: partitions.size, searchSteps: steps, unknownPartitions: unknown,
    prunedIndeterminate: pruned, largestPartition: largest,
  }, unknown > 0, notes);
}

function where<S, P>(model: Model<S, P>, key: HistoryValue | undefined): string {
  return key === undefined ? model.name : `${model.name} key ${JSON.stringify(key)}`;
}

function refuted<S, P>(model: Model<S, P>, r: PartitionResult<S>, refutation: Refutation): Anomaly {
  const op = (i: number | undefined): Operation | undefined => (i === undefined ? undefined : r.ops[i]);
  const observer = op(refutation.observer)!;
  const writer = op(refutation.writer);
  const overwriter = op(refutation.overwriter);
  const text = refutationText(refutation.kind, describeOp(observer), writer && describeOp(writer), overwriter && describeOp(overwriter));
  const involved = [observer, writer, overwriter].filter((o): o is Operation => o !== undefined);
  return { kind: 'nonlinearizable', description: `${where(model, r.key)} is not linearizable: ${text}.`, ops: involved.map(opRef), ...(r.key === undefined ? {} : { key: r.key }) };
}

function refutationText(kind: RefutationKind, observer: string, writer: string | undefined, overwriter: string | undefined): string {
  switch (kind) {
    case 'unwritten': return `${observer} observed a value no operation wrote`;
    case 'future': return `${observer} observed a value whose only write, ${writer}, began after it completed`;
    case 'stale': return writer === undefined
      ? `${observer} observed the initial null after ${overwriter} had completed, overwriting it for good`
      : `${observer} observed a stale value: its only write, ${writer}, completed before ${overwriter} began, ` +
        'and that completed before the observer began, overwriting the value for good';
  }
}

function nonlinearizable<S, P>(
  model: Model<S, P>, r: PartitionResult<S>, outcome: Extract<SearchOutcome<S>, { verdict: 'not-linearizable' }>,
): Anomaly {
  const op = (i: number): Operation => r.ops[i]!;
  const stuck = op(outcome.stuck);
  const shownPrefix = outcome.prefix.slice(-counterexamplePrefixOpsMax).map(op);
  const others = outcome.candidates.filter((c) => c !== outcome.stuck).slice(0, counterexampleCandidatesMax).map(op);
  const last = shownPrefix[shownPrefix.length - 1];
  const description =
    `${where(model, r.key)} is not linearizable: at most ${outcome.prefix.length} of ${r.ops.length} operations linearize` +
    `${last ? `, ending with ${describeOp(last)}` : ''}, after which ${model.describeState(outcome.stateAfterPrefix)}; ` +
    (others.length === 0
      ? `then ${describeOp(stuck)} cannot take effect.`
      : `then ${describeOp(stuck)} must take effect before it returns, but no order of it and the operations pending with it ` +
        `(${others.map(describeOp).join('; ')}) is legal from there.`);
  return {
    kind: 'nonlinearizable',
    description,
    ops: [stuck, ...others].map(opRef),
    ...(r.key === undefined ? {} : { key: r.key }),
    prefix: { length: outcome.prefix.length, ops: shownPrefix.map(opRef) },
  };
}
