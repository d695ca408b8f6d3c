/**
 * Sequential specifications the linearizability checker tests histories
 * against. `step` returns the next state, or undefined when the operation's
 * observed output is impossible in `state`. An indeterminate operation has no
 * output: it may only be linearized where it could have taken effect.
 */
import type { HistoryValue, Operation } from '../history/history.ts';

export interface Model<S> {
  readonly name: string;
  init(): S;
  step(state: S, op: Operation): S | undefined;
  /** A string identifying the state, for memoisation. */
  key(state: S): string;
  /** Partitions a history into independent sub-histories (P-compositionality); one partition by default. */
  partition?(op: Operation): string;
}

type Register = HistoryValue;

function same(a: HistoryValue | undefined, b: HistoryValue | undefined): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** A read/write register: read returns the last value written (null initially). */
export const registerModel: Model<Register> = {
  name: 'register',
  init: () => null,
  step(state, op) {
    if (op.f === 'read') return op.output === undefined || same(op.output, state) ? state : undefined;
    if (op.f === 'write') return op.input;
    return undefined;
  },
  key: (state) => JSON.stringify(state),
};

/**
 * A compare-and-set register: cas input [expected, new]; an ok cas succeeded
 * (expected matched); a failed cas is recorded as `fail` and never happened.
 */
export const casRegisterModel: Model<Register> = {
  name: 'cas-register',
  init: () => null,
  step(state, op) {
    if (op.f === 'cas') {
      const [expected, next] = op.input as [HistoryValue, HistoryValue];
      if (!same(expected, state)) return undefined;
      return next;
    }
    return registerModel.step(state, op);
  },
  key: (state) => JSON.stringify(state),
};

/**
 * A key-value map of independent CAS registers: inputs are [key, value]
 * (read: [key, null]; cas: [key, [expected, new]]); outputs of reads are the
 * value. Checked per key.
 */
export const kvModel: Model<Register> = {
  name: 'kv',
  init: () => null,
  step(state, op) {
    const [, value] = op.input as [HistoryValue, HistoryValue];
    const inner: Operation = {
      ...op, input: value,
      output: op.f === 'read' && op.output !== undefined ? (Array.isArray(op.output) ? op.output[1] : op.output) : op.output,
    };
    return casRegisterModel.step(state, inner);
  },
  key: (state) => JSON.stringify(state),
  partition: (op) => JSON.stringify((op.input as [HistoryValue, HistoryValue])[0]),
};

export const models: Readonly<Record<string, Model<Register>>> = {
  register: registerModel,
  'cas-register': casRegisterModel,
  kv: kvModel,
};
