/**
 * The `StatementOutput` pgwire hands the engine: results are encoded into
 * the connection's output buffer as they come, handed to the socket in
 * `outputFlushBytes` pieces, and backpressure is reported through `row()`'s
 * return value. One instance per connection, reset for each statement.
 */
import { assert } from './assert.ts';
import { writeCommandComplete, writeCopyData, writeCopyResponse, writeEmpty } from './backend.ts';
import type { CopyFormat, CopyOutWriter, RowShape, StatementOutput } from './engine.ts';
import { outputFlushBytes } from './limits.ts';
import { compileShape, writeDataRow, type CompiledShape } from './rows.ts';
import type { BufferWriter } from './writer.ts';

/** What the output needs from its connection. */
export interface OutputSink {
  readonly writer: BufferWriter;
  /** Hands buffered output to the socket. */
  flush(): void;
  /** True when the socket holds more than the high-water mark. */
  backlogged(): boolean;
  drained(): Promise<void>;
  /** The client's COPY data, after CopyInResponse was sent. */
  copyInData(): AsyncIterable<Buffer>;
}

export type OutputMode = 'simple' | 'extended';

export class ConnectionOutput implements StatementOutput {
  readonly #sink: OutputSink;
  #mode: OutputMode = 'simple';
  #shape: CompiledShape | null = null;
  /** Extended mode: the statement has ended (complete/suspended/empty). */
  #ended = false;
  #copyOut = false;
  #open = false;

  constructor(sink: OutputSink) {
    this.#sink = sink;
  }

  /** Prepares for a new simple query or Execute. */
  reset(mode: OutputMode): void {
    this.#mode = mode;
    this.#shape = null;
    this.#ended = false;
    this.#copyOut = false;
    this.#open = false;
  }

  /** Extended mode: whether the engine ended the Execute as the contract asks. */
  get ended(): boolean {
    return this.#ended;
  }

  /** A result was begun (rows or COPY) and not yet ended. */
  get resultOpen(): boolean {
    return this.#open;
  }

  #checkOpen(): void {
    assert(!(this.#mode === 'extended' && this.#ended), 'an Execute answers nothing after it ended');
  }

  beginRows(shape: RowShape): void {
    this.#checkOpen();
    const compiled = compileShape(shape);
    this.#shape = compiled;
    this.#open = true;
    if (this.#mode === 'simple') this.#sink.writer.bytes(compiled.rowDescription);
  }

  row(values: readonly unknown[]): boolean {
    const shape = this.#shape;
    assert(shape !== null, 'beginRows comes before rows');
    const w = this.#sink.writer;
    writeDataRow(w, shape, values);
    if (w.length >= outputFlushBytes) this.#sink.flush();
    return !this.#sink.backlogged();
  }

  drained(): Promise<void> {
    return this.#sink.drained();
  }

  complete(tag: string): void {
    this.#checkOpen();
    const w = this.#sink.writer;
    if (this.#copyOut) writeEmpty(w, 'c');
    writeCommandComplete(w, tag);
    this.#end();
  }

  suspended(): void {
    this.#checkOpen();
    assert(this.#mode === 'extended', 'only an Execute can be suspended');
    writeEmpty(this.#sink.writer, 's');
    this.#end();
  }

  emptyQuery(): void {
    this.#checkOpen();
    writeEmpty(this.#sink.writer, 'I');
    this.#end();
  }

  #end(): void {
    this.#shape = null;
    this.#copyOut = false;
    this.#open = false;
    if (this.#mode === 'extended') this.#ended = true;
  }

  copyIn(format: CopyFormat): AsyncIterable<Buffer> {
    this.#checkOpen();
    this.#open = true;
    writeCopyResponse(this.#sink.writer, 'G', format);
    this.#sink.flush();
    return this.#sink.copyInData();
  }

  copyOut(format: CopyFormat): CopyOutWriter {
    this.#checkOpen();
    const sink = this.#sink;
    writeCopyResponse(sink.writer, 'H', format);
    this.#copyOut = true;
    this.#open = true;
    return {
      write(data) {
        writeCopyData(sink.writer, data);
        if (sink.writer.length >= outputFlushBytes) sink.flush();
        return !sink.backlogged();
      },
      drained: () => sink.drained(),
    };
  }
}
