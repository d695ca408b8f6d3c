/**
 * Histories on disk as JSON lines (.jsonl), one event per line.
 *
 * The writer appends each event with one write call as it happens, so a
 * crash of the harness loses at most the line being written; the reader
 * accepts such a torn final line (no trailing newline, not valid JSON) and
 * drops it. Any other malformed line is a HistoryError naming the line.
 */
import { closeSync, openSync, readSync, writeSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { assert } from './assert.ts';
import { HistoryError, parseEvent, type HistoryEvent } from './event.ts';
import { historyLineBytesMax, historyReadChunkBytes } from './limits.ts';

/** Where a recorder sends events as they happen. */
export interface HistorySink {
  append(event: HistoryEvent): void;
}

/** Streams events to a .jsonl file, one synchronous write per event. */
export class HistoryWriter implements HistorySink {
  #fd: number | null;

  private constructor(fd: number) {
    this.#fd = fd;
  }

  /** Creates (or truncates) the file at `path`. */
  static create(path: string): HistoryWriter {
    return new HistoryWriter(openSync(path, 'w'));
  }

  append(event: HistoryEvent): void {
    assert(this.#fd !== null, 'history writer is closed');
    writeSync(this.#fd, `${JSON.stringify(event)}\n`);
  }

  close(): void {
    if (this.#fd === null) return;
    closeSync(this.#fd);
    this.#fd = null;
  }
}

/** Writes a whole history to `path` as JSON lines. */
export function writeHistory(path: string, events: readonly HistoryEvent[]): void {
  const writer = HistoryWriter.create(path);
  try {
    for (const e of events) writer.append(e);
  } finally {
    writer.close();
  }
}

export interface ReadOptions {
  /** Called with the torn final line, when there is one, before it is dropped. */
  readonly onTornLine?: (text: string) => void;
}

/** Parses .jsonl text into events (see the module comment on torn lines). */
export function parseHistory(text: string, options: ReadOptions = {}): HistoryEvent[] {
  const parser = new LineParser();
  const lines = text.split('\n');
  const last = lines.pop() ?? '';
  for (const line of lines) parser.line(line);
  parser.finish(last, options);
  return parser.events;
}

/** Reads a .jsonl history in bounded chunks (see the module comment on torn lines). */
export function readHistory(path: string, options: ReadOptions = {}): HistoryEvent[] {
  const fd = openSync(path, 'r');
  try {
    const parser = new LineParser();
    const decoder = new StringDecoder('utf8');
    const chunk = Buffer.alloc(historyReadChunkBytes);
    let carry = '';
    for (;;) {
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      const lines = (carry + decoder.write(chunk.subarray(0, n))).split('\n');
      carry = lines.pop() ?? '';
      for (const line of lines) parser.line(line);
      if (carry.length > historyLineBytesMax) throw new HistoryError('line-too-long', `longer than ${historyLineBytesMax} bytes`, parser.lineNumber + 1);
    }
    parser.finish(carry + decoder.end(), options);
    return parser.events;
  } finally {
    closeSync(fd);
  }
}

class LineParser {
  readonly events: HistoryEvent[] = [];
  lineNumber = 0;

  line(text: string): void {
    this.lineNumber++;
    if (text.length > historyLineBytesMax) throw new HistoryError('line-too-long', `longer than ${historyLineBytesMax} bytes`, this.lineNumber);
    if (text.trim() === '') return;
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      throw new HistoryError('malformed-json', 'not valid JSON', this.lineNumber);
    }
    this.events.push(parseEvent(raw, this.events.length, this.lineNumber));
  }

  /** The text after the last newline: empty, a complete event, or a torn write. */
  finish(text: string, options: ReadOptions): void {
    if (text.trim() === '') return;
    try {
      JSON.parse(text);
    } catch {
      options.onTornLine?.(text);
      return;
    }
    this.line(text);
  }
}
