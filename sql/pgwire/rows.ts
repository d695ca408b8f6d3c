/**
 * Row encoding, the hot path. A `RowShape` is compiled once into an encoded
 * RowDescription and one encoder per column (codec + format chosen up
 * front), cached on the shape object; a DataRow is then a loop that writes
 * each value straight into the output buffer behind a length word.
 */
import { assert } from './assert.ts';
import type { Codec } from './codecs/codec.ts';
import { writeBinaryValue } from './codecs/codec.ts';
import { codecOrFallback, typeSizeOf } from './codecs/registry.ts';
import type { ResultColumn, RowShape } from './engine.ts';
import { BufferWriter } from './writer.ts';

type Encoder = (w: BufferWriter, value: unknown) => void;

/** A shape made ready for encoding: RowDescription bytes and per-column encoders. */
export interface CompiledShape {
  readonly rowDescription: Buffer;
  readonly encoders: readonly Encoder[];
}

const compiled = new WeakMap<RowShape, CompiledShape>();
const textShapes = new WeakMap<readonly ResultColumn[], RowShape>();

/**
 * The all-text shape of `columns` (what a simple query sends), one object
 * per columns array so pgwire's encoder cache hits on every execution.
 */
export function textRowShape(columns: readonly ResultColumn[]): RowShape {
  let shape = textShapes.get(columns);
  if (shape === undefined) {
    shape = { columns, formats: columns.map(() => 0 as const) };
    textShapes.set(columns, shape);
  }
  return shape;
}

function textEncoder(codec: Codec): Encoder {
  return (w, value) => {
    if (typeof value === 'string') w.utf8(value);
    else codec.writeText(w, value);
  };
}

function binaryEncoder(codec: Codec): Encoder {
  return (w, value) => writeBinaryValue(codec, w, value);
}

function encodeRowDescription(shape: RowShape): Buffer {
  const w = new BufferWriter(64 + shape.columns.length * 32);
  const start = w.begin(0x54);
  w.i16(shape.columns.length);
  shape.columns.forEach((c, i) => {
    w.cstring(c.name);
    w.u32(c.tableOid ?? 0);
    w.i16(c.columnNumber ?? 0);
    w.u32(c.typeOid);
    w.i16(c.typeSize ?? typeSizeOf(c.typeOid));
    w.i32(c.typeModifier ?? -1);
    w.i16(shape.formats[i]!);
  });
  w.end(start);
  return w.take();
}

/** Compiles (once per shape object) the RowDescription and the column encoders. */
export function compileShape(shape: RowShape): CompiledShape {
  const cached = compiled.get(shape);
  if (cached !== undefined) return cached;
  assert(shape.formats.length === shape.columns.length, 'a row shape has one format per column');
  assert(shape.columns.length <= 1664, 'at most 1664 result columns (PostgreSQL\'s MaxTupleAttributeNumber)');
  const encoders = shape.columns.map((c, i) => {
    const codec = codecOrFallback(c.typeOid);
    return shape.formats[i] === 1 ? binaryEncoder(codec) : textEncoder(codec);
  });
  const result: CompiledShape = { rowDescription: encodeRowDescription(shape), encoders };
  compiled.set(shape, result);
  return result;
}

/** Writes one DataRow; on failure (a value that does not encode) nothing is left written and the error is rethrown. */
export function writeDataRow(w: BufferWriter, shape: CompiledShape, values: readonly unknown[]): void {
  const encoders = shape.encoders;
  assert(values.length === encoders.length, `a row has one value per column (${values.length} for ${encoders.length})`);
  const start = w.begin(0x44);
  try {
    w.i16(encoders.length);
    for (let i = 0; i < encoders.length; i++) {
      const value = values[i];
      if (value === null || value === undefined) {
        w.i32(-1);
        continue;
      }
      const at = w.beginLength();
      encoders[i]!(w, value);
      w.endLength(at);
    }
    w.end(start);
  } catch (error) {
    w.truncate(start);
    throw error;
  }
}
