/**
 * Records a history while a workload runs. A workload wraps every operation
 * in `run` (or calls `invoke` and then completes the returned handle), and the
 * recorder stamps each event with the injected clock and a running index,
 * keeps it in memory and, optionally, streams it to a sink such as a
 * `HistoryWriter` so a crash loses at most the last line.
 */
import { assert } from './assert.ts';
import { monotonicClock, type Clock } from './clock.ts';
import type { CompletionType, HistoryEvent, HistoryValue } from './event.ts';
import type { HistorySink } from './jsonl.ts';

export interface RecorderOptions {
  /** Monotonic nanoseconds; a real monotonic clock by default. */
  readonly clock?: Clock;
  /** Receives every event as it is recorded. */
  readonly sink?: HistorySink;
  /** Keep events in memory for `events` (default true); turn off for very long runs with a sink. */
  readonly keepEvents?: boolean;
}

/** How a thrown error ends an operation: it certainly did not happen, or nobody knows. */
export type ErrorOutcome = 'fail' | 'info';

/** An invoked operation waiting for its completion; complete it exactly once. */
export class PendingOperation {
  #done = false;

  constructor(
    private readonly recorder: HistoryRecorder,
    readonly process: number,
    readonly f: string,
    readonly input: HistoryValue,
  ) {}

  /** It happened; `value` is its result. */
  ok(value: HistoryValue): HistoryEvent {
    return this.#complete('ok', value);
  }

  /** It certainly did not happen. */
  fail(error?: string): HistoryEvent {
    return this.#complete('fail', this.input, error);
  }

  /** It may or may not have happened. */
  info(error?: string): HistoryEvent {
    return this.#complete('info', this.input, error);
  }

  #complete(type: CompletionType, value: HistoryValue, error?: string): HistoryEvent {
    assert(!this.#done, `process ${this.process} completed ${this.f} twice`);
    this.#done = true;
    return this.recorder.complete(this, type, value, error);
  }
}

/** Records one history; one recorder per run, shared by every client process. */
export class HistoryRecorder {
  readonly #clock: Clock;
  readonly #sink: HistorySink | undefined;
  readonly #keep: boolean;
  readonly #events: HistoryEvent[] = [];
  readonly #open = new Map<number, PendingOperation>();
  #nextIndex = 0;
  #lastTime = 0;

  constructor(options: RecorderOptions = {}) {
    this.#clock = options.clock ?? monotonicClock();
    this.#sink = options.sink;
    this.#keep = options.keepEvents ?? true;
  }

  /** The events recorded so far, in order. */
  get events(): readonly HistoryEvent[] {
    return this.#events;
  }

  /** Records an invocation; the process must not have an operation open. */
  invoke(process: number, f: string, value: HistoryValue): PendingOperation {
    assert(Number.isSafeInteger(process), `client process must be an integer, not ${process}`);
    assert(process >= 0, `client process must not be negative, not ${process}`);
    assert(!this.#open.has(process), `process ${process} invoked ${f} while another operation was open`);
    const pending = new PendingOperation(this, process, f, value);
    this.#open.set(process, pending);
    this.#push({ type: 'invoke', process, f, value });
    return pending;
  }

  /** Called by PendingOperation; use its ok/fail/info. */
  complete(pending: PendingOperation, type: CompletionType, value: HistoryValue, error?: string): HistoryEvent {
    assert(this.#open.get(pending.process) === pending, `process ${pending.process} has no such open operation`);
    this.#open.delete(pending.process);
    return this.#push({ type, process: pending.process, f: pending.f, value, ...(error === undefined ? {} : { error }) });
  }

  /**
   * Runs `op` as one operation: records the invocation, then `ok` with its
   * result, or `fail`/`info` as `classify` decides for a thrown error (by
   * default `info`: an unclassified error leaves the outcome unknown).
   * Returns the result, or undefined when it threw.
   */
  async run<T extends HistoryValue>(
    process: number, f: string, value: HistoryValue, op: () => Promise<T>,
    classify: (error: unknown) => ErrorOutcome = () => 'info',
  ): Promise<T | undefined> {
    const pending = this.invoke(process, f, value);
    let result: T;
    try {
      result = await op();
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (classify(error) === 'fail') pending.fail(message);
      else pending.info(message);
      return undefined;
    }
    pending.ok(result);
    return result;
  }

  /** Records an annotation by a non-client actor, e.g. `note('nemesis', 'partition', …)`. */
  note(actor: string, f: string, value: HistoryValue): HistoryEvent {
    assert(actor.length > 0, 'an actor needs a name');
    return this.#push({ type: 'info', process: actor, f, value });
  }

  #push(event: Omit<HistoryEvent, 'time' | 'index'>): HistoryEvent {
    const time = this.#clock();
    assert(time >= this.#lastTime, `clock went backwards: ${time} ns after ${this.#lastTime} ns`);
    this.#lastTime = time;
    const full: HistoryEvent = { ...event, time, index: this.#nextIndex++ };
    if (this.#keep) this.#events.push(full);
    this.#sink?.append(full);
    return full;
  }
}
