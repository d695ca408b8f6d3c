/**
 * Sequential specifications for the linearizability checker.
 *
 * A model compiles each operation once (`prepare`), then steps a state:
 * `step` returns the next state, or undefined when the operation's observed
 * result is impossible in that state. States are identified by `key` in
 * the memo table.
 *
 * Register values are compared as canonical JSON, so the register state is
 * that text (`"null"` initially: a register never written reads as null),
 * which is also its memo key.
 *
 * Operation formats (inputs on invoke; outputs on ok):
 *
 * | model        | read               | write        | cas                            |
 * | ------------ | ------------------ | ------------ | ------------------------------ |
 * | register     | null → v           | v            | —                              |
 * | cas-register | null → v           | v            | [expected, new]                |
 * | kv           | [k, null] → [k, v] | [k, v]       | [k, [expected, new]]           |
 *
 * A CAS whose expected value did not match is recorded as `fail`: it
 * certainly did not happen, so it is left out. An indeterminate read
 * constrains nothing and is left out too.
 */
import { HistoryError, type HistoryValue } from '../history/event.ts';
import type { Operation } from '../history/operation.ts';
import { canonical } from './canonical.ts';
import { refuteRegister, type Refutation, type Timing } from './register-refute.ts';

/** A sequential specification: states S, compiled operations P. */
export interface Model<S, P> {
  readonly name: string;
  /**
   * For multi-key models: the key an operation touches. The history is split
   * by key and each key checked alone, which is sound because
   * linearizability is compositional (P-compositionality).
   */
  partition?(op: Operation): HistoryValue;
  /** Compiles an operation; null when it constrains nothing. Throws HistoryError('malformed-op'). */
  prepare(op: Operation): P | null;
  init(): S;
  step(state: S, op: P): S | undefined;
  /** A string identifying the state, for the memo table: equal for equal states only. */
  key(state: S): string;
  /**
   * True when the operation leaves every state it is legal in unchanged (a
   * read). The search linearizes such operations as soon as they are legal,
   * without branching. An operation that merely happens to leave the current
   * state unchanged (writing the value already there) does not qualify.
   */
  readOnly?(op: P): boolean;
  /**
   * Marks indeterminate operations that can be dropped without changing the
   * verdict (`keep[i] = false`); `determinate[i]` tells which ops completed ok.
   */
  prune?(ops: readonly P[], determinate: readonly boolean[]): boolean[];
  /**
   * Cheap, sound proofs that no linearization exists (a stale read, say);
   * when it finds any, the search is skipped.
   */
  refute?(ops: readonly P[], timing: Timing): Refutation[];
  describeState(state: S): string;
}

/** A compiled register operation; values are canonical JSON text. */
export interface RegisterOp {
  readonly kind: 'read' | 'write' | 'cas';
  /** read: the value read; write: the value written; cas: the expected value. */
  readonly a: string;
  /** cas: the new value; otherwise unused. */
  readonly b: string;
}

/** A register's state: the canonical JSON text of its value. */
export type RegisterState = string;

export type RegisterModel = Model<RegisterState, RegisterOp>;

const initialRegister: RegisterState = 'null';

function malformed(model: string, op: Operation, what: string): never {
  throw new HistoryError('malformed-op', `${model}: ${what} in operation #${op.index} (${op.f} ${JSON.stringify(op.input)})`);
}

function pair(value: HistoryValue | undefined): readonly [HistoryValue, HistoryValue] | null {
  return Array.isArray(value) && value.length === 2 ? (value as unknown as readonly [HistoryValue, HistoryValue]) : null;
}

/** Compiles a single-register operation whose input is `input` and read result `output`. */
function prepareRegister(name: string, allowCas: boolean, op: Operation, input: HistoryValue, output: HistoryValue | undefined): RegisterOp | null {
  switch (op.f) {
    case 'read':
      if (op.status !== 'ok') return null;
      return { kind: 'read', a: canonical(output), b: '' };
    case 'write':
      return { kind: 'write', a: canonical(input), b: '' };
    case 'cas': {
      const args = pair(input);
      if (!allowCas) return malformed(name, op, 'cas is not an operation of this model');
      if (!args) return malformed(name, op, 'cas input must be [expected, new]');
      return { kind: 'cas', a: canonical(args[0]), b: canonical(args[1]) };
    }
    default:
      return malformed(name, op, `unknown function ${JSON.stringify(op.f)}`);
  }
}

function stepRegister(state: RegisterState, op: RegisterOp): RegisterState | undefined {
  switch (op.kind) {
    case 'read': return op.a === state ? state : undefined;
    case 'write': return op.a;
    case 'cas': return op.a === state ? op.b : undefined;
  }
}

/**
 * Drops indeterminate writes and CASes whose new value nobody observes: no
 * read returns it and no CAS expects it. Such an operation can only be
 * followed (until the next write) by writes, so removing it from any legal
 * order leaves a legal order. Under faults most indeterminate writes are of
 * this kind, and each one kept multiplies the search.
 */
function pruneRegister(ops: readonly RegisterOp[], determinate: readonly boolean[]): boolean[] {
  const observed = new Set<string>();
  for (const op of ops) {
    if (op.kind === 'read' || op.kind === 'cas') observed.add(op.a);
  }
  return ops.map((op, i) => determinate[i] || op.kind === 'read' || observed.has(op.kind === 'cas' ? op.b : op.a));
}

function registerModelOf(name: string, allowCas: boolean): RegisterModel {
  return {
    name,
    prepare: (op) => prepareRegister(name, allowCas, op, op.input, op.output),
    init: () => initialRegister,
    step: stepRegister,
    key: (state) => state,
    readOnly: (op) => op.kind === 'read' || (op.kind === 'cas' && op.a === op.b),
    prune: pruneRegister,
    refute: refuteRegister,
    describeState: (state) => `the register holds ${state}`,
  };
}

/** A read/write register: a read returns the last value written (null initially). */
export const registerModel: RegisterModel = registerModelOf('register', false);

/** A compare-and-set register: read, write, and cas [expected, new]. */
export const casRegisterModel: RegisterModel = registerModelOf('cas-register', true);

/**
 * A key-value map of independent CAS registers, checked key by key. Inputs
 * are [key, argument] tuples; a read's output is [key, value].
 */
export const kvModel: RegisterModel = {
  ...casRegisterModel,
  name: 'kv',
  partition(op) {
    const args = pair(op.input);
    if (!args) return malformed('kv', op, 'input must be [key, argument]');
    return args[0];
  },
  prepare(op) {
    const args = pair(op.input);
    if (!args) return malformed('kv', op, 'input must be [key, argument]');
    let output: HistoryValue | undefined;
    if (op.f === 'read' && op.status === 'ok') {
      const result = pair(op.output);
      if (!result) return malformed('kv', op, 'a read must return [key, value]');
      if (canonical(result[0]) !== canonical(args[0])) return malformed('kv', op, `read of key ${JSON.stringify(args[0])} returned key ${JSON.stringify(result[0])}`);
      output = result[1];
    }
    return prepareRegister('kv', true, op, args[1], output);
  },
};

/** The models by name, for the command line. */
export const models: Readonly<Record<string, RegisterModel>> = {
  register: registerModel,
  'cas-register': casRegisterModel,
  kv: kvModel,
};
