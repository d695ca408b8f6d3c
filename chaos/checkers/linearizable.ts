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
import { AnomalyCollector, type Anomaly, type CheckResult } from './result.ts';
import { searchLinearization, type SearchOutcome } from './wgl.ts';

export interface LinearizableOptions {
  /** Search steps per partition before answering 'unknown'; `linearizableStepsMax` by default. */
  readonly stepBudget?: number;
  /** Memoised configurations per partition before answering 'unknown'. */
  readonly cacheEntriesMax?: number;
}

/** One partition's verdict, with the operations it was decided on. */
export interface PartitionResult<S> {
  readonly key: HistoryValue | undefined;
  readonly ops: readonly Operation[];
  readonly outcome: SearchOutcome<S>;
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
  const outcome = searchLinearization(model, {
    ops: liveOps, invokeTimes: live.map((o) => o.invokeTime), completeTimes: live.map((o) => o.completeTime),
  }, {
    stepsMax: options.stepBudget ?? linearizableStepsMax,
    cacheEntriesMax: options.cacheEntriesMax ?? linearizableCacheEntriesMax,
  });
  return { key: ops[0] && model.partition ? model.partition(ops[0]) : undefined, ops: live, outcome, pruned: kept.length - live.length };
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
    steps += r.outcome.steps;
    pruned += r.pruned;
    largest = Math.max(largest, r.ops.length);
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
