/**
 * Row values: a row's non-key columns, each tagged by column ID, so a column
 * can be added without rewriting rows and a reader that wants a few columns
 * skips the rest without decoding them.
 *
 *   row    := column*                      ascending column IDs, NULLs omitted
 *   column := uvarint(idDelta × 32 + tag) ‖ payload        (value.ts)
 *
 * The delta from the previous column's ID (the first from 0) keeps headers
 * to one byte while IDs run consecutively (delta ≤ 3). An empty row value is
 * a row whose columns are all NULL. Format history: v1 (this one).
 */
import { assert } from './assert.ts';
import { nullDatum, type Datum } from './datum.ts';
import { EncodingError } from './errors.ts';
import { columnIdMax } from './limits.ts';
import { ByteReader } from './reader.ts';
import { readValuePayload, skipValuePayload, valueTagBits, valueTagOf, writeValuePayload } from './value.ts';
import { readUvarint, writeUvarint } from './varint.ts';
import type { ByteWriter } from './writer.ts';

const tagSpan = 2 ** valueTagBits;
const headerMax = (columnIdMax + 1) * tagSpan - 1;

/** One column of a row value. */
export interface ColumnValue {
  readonly columnId: number;
  readonly datum: Datum;
}

/**
 * Appends a row value column by column with no allocation per column. Call
 * `begin()` per row, then `add()` in ascending column-ID order.
 */
export class RowValueBuilder {
  readonly #w: ByteWriter;
  #previousId = 0;

  constructor(writer: ByteWriter) {
    this.#w = writer;
  }

  /** Starts a new row at the writer's current end. */
  begin(): void {
    this.#previousId = 0;
  }

  /** Appends a column; a NULL is omitted (absent columns read as NULL). */
  add(columnId: number, datum: Datum): void {
    // Messages are built only on failure: this runs for every column of every row.
    if (!Number.isInteger(columnId) || columnId > columnIdMax) assert(false, `column ID ${columnId} within 1..${columnIdMax}`);
    if (columnId <= this.#previousId) assert(false, `column ID ${columnId} after ${this.#previousId}: IDs must ascend`);
    if (datum.kind === 'null') return;
    const w = this.#w;
    const start = w.length;
    try {
      writeUvarint(w, (columnId - this.#previousId) * tagSpan + valueTagOf(datum));
      writeValuePayload(w, datum);
    } catch (error) {
      w.truncate(start); // the row stays well-formed up to the previous column
      throw error;
    }
    this.#previousId = columnId;
  }
}

/** Appends a row value (columns in ascending ID order). */
export function encodeRowValue(w: ByteWriter, columns: readonly ColumnValue[]): void {
  const builder = new RowValueBuilder(w);
  for (const { columnId, datum } of columns) builder.add(columnId, datum);
}

/** Reads one column header: returns the column's ID and leaves its tag in `lastTag`. */
let lastTag = 0;
function readHeader(r: ByteReader, previousId: number): number {
  const header = readUvarint(r, headerMax, 'column header');
  const tag = header % tagSpan;
  const delta = (header - tag) / tagSpan;
  if (delta === 0) throw new EncodingError('column ID delta of 0');
  if (tag === 0) throw new EncodingError('NULL stored as a row column');
  const id = previousId + delta;
  if (id > columnIdMax) throw new EncodingError(`column ID ${id} out of range`);
  lastTag = tag;
  return id;
}

/** Decodes every column of a row value. */
export function decodeRowValue(bytes: Uint8Array): ColumnValue[] {
  const r = new ByteReader(bytes);
  const out: ColumnValue[] = [];
  let id = 0;
  while (r.remaining > 0) {
    id = readHeader(r, id);
    out.push({ columnId: id, datum: readValuePayload(r, lastTag) });
  }
  return out;
}

/**
 * Decodes chosen columns of row values. Built once per scan from the wanted
 * column IDs (any order); `decode` fills a caller-owned array aligned with
 * them, skips unwanted columns without decoding, and stops reading once it
 * is past the largest wanted ID.
 */
export class RowValueDecoder {
  /** Wanted IDs ascending, and where each goes in the output. */
  readonly #ids: number[];
  readonly #slots: number[];

  constructor(wantedColumnIds: readonly number[]) {
    const order = wantedColumnIds.map((id, slot) => ({ id, slot })).sort((a, b) => a.id - b.id);
    for (let i = 1; i < order.length; i++) assert(order[i]!.id !== order[i - 1]!.id, 'wanted column IDs are distinct');
    this.#ids = order.map((o) => o.id);
    this.#slots = order.map((o) => o.slot);
  }

  /** Decodes `bytes` into `out` (length set to the wanted count; absent columns are NULL). */
  decode(bytes: Uint8Array, out: Datum[]): void {
    const ids = this.#ids;
    const slots = this.#slots;
    out.length = ids.length;
    for (let i = 0; i < slots.length; i++) out[slots[i]!] = nullDatum;
    if (ids.length === 0) return;
    const last = ids[ids.length - 1]!;
    const r = new ByteReader(bytes);
    let id = 0;
    let next = 0; // index of the next wanted ID
    while (r.remaining > 0 && id < last) {
      id = readHeader(r, id);
      while (next < ids.length && ids[next]! < id) next++;
      if (ids[next] === id) out[slots[next]!] = readValuePayload(r, lastTag);
      else skipValuePayload(r, lastTag);
    }
  }
}
