/**
 * Records a history as operations run: invoke → complete, with an injected
 * monotonic clock, optionally streaming every event to a .jsonl file so a
 * crash of the harness loses at most the line being written.
 */
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { HistoryError, parseEvent, type HistoryEvent, type HistoryValue } from './history.ts';

export type Clock = () => number;

/** Monotonic nanoseconds since the recorder was created. */
export function monotonicNanos(): Clock {
  const start = process.hrtime.bigint();
  return () => Number(process.hrtime.bigint() - start);
}

export class HistoryRecorder {
  readonly events: HistoryEvent[] = [];

  constructor(private readonly clock: Clock = monotonicNanos(), private readonly path?: string) {
    if (path) writeFileSync(path, '');
  }

  #push(event: Omit<HistoryEvent, 'index' | 'time'>): HistoryEvent {
    const full: HistoryEvent = { ...event, time: this.clock(), index: this.events.length };
    this.events.push(full);
    if (this.path) appendFileSync(this.path, `${JSON.stringify(full)}\n`);
    return full;
  }

  invoke(process: number, f: string, value: HistoryValue): HistoryEvent {
    return this.#push({ type: 'invoke', process, f, value });
  }

  ok(process: number, f: string, value: HistoryValue): HistoryEvent {
    return this.#push({ type: 'ok', process, f, value });
  }

  fail(process: number, f: string, value: HistoryValue, error?: string): HistoryEvent {
    return this.#push({ type: 'fail', process, f, value, ...(error ? { error } : {}) });
  }

  info(process: number, f: string, value: HistoryValue, error?: string): HistoryEvent {
    return this.#push({ type: 'info', process, f, value, ...(error ? { error } : {}) });
  }

  /**
   * Runs `op` as one operation: records the invocation, then ok with its
   * result, or fail/info as `classify` decides for a thrown error.
   */
  async run<T extends HistoryValue>(
    process: number, f: string, value: HistoryValue, op: () => Promise<T>,
    classify: (error: unknown) => 'fail' | 'info' = () => 'info',
  ): Promise<T | undefined> {
    this.invoke(process, f, value);
    try {
      const result = await op();
      this.ok(process, f, result);
      return result;
    } catch (error) {
      const kind = classify(error);
      const message = error instanceof Error ? error.message : String(error);
      if (kind === 'fail') this.fail(process, f, value, message);
      else this.info(process, f, value, message);
      return undefined;
    }
  }
}

/** Writes events as JSON lines. */
export function writeHistory(path: string, events: readonly HistoryEvent[]): void {
  writeFileSync(path, events.map((e) => JSON.stringify(e)).join('\n') + (events.length ? '\n' : ''));
}

/** Reads a .jsonl history; a truncated last line (a crash mid-write) is ignored. */
export function readHistory(path: string): HistoryEvent[] {
  const lines = readFileSync(path, 'utf8').split('\n');
  const events: HistoryEvent[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (!line) continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      if (i >= lines.length - 2) break;
      throw new HistoryError(`line ${i + 1}: invalid JSON`);
    }
    events.push(parseEvent(parsed, i + 1));
  }
  return events;
}
