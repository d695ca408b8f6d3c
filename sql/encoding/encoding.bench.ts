/**
 * Throughput of the per-row encoding paths. Opt-in, not part of the test
 * suite: `node --import tsx sql/encoding/encoding.bench.ts`. Prints one JSON
 * line of operations per second. Inputs come from a seeded generator so runs
 * compare.
 */
import {
  ByteWriter, decodeKey, decodeRowValue, encodeKey, KeyReader, parseDecimal, RowValueBuilder, RowValueDecoder,
  type Datum, type Direction,
} from './index.ts';

const rows = 10_000;
const rounds = 30;

/** mulberry32: a small seeded generator. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const random = rng(42);
const word = () => Math.floor(random() * 36 ** 8).toString(36);
const keyRows: Datum[][] = [];
const valueRows: Datum[][] = [];
for (let i = 0; i < rows; i++) {
  keyRows.push([{ kind: 'int', value: BigInt(Math.floor(random() * 1e9)) }, { kind: 'string', value: word() }]);
  valueRows.push([
    { kind: 'int', value: BigInt(Math.floor(random() * 1e6)) },
    { kind: 'string', value: `${word()} ${word()}` },
    { kind: 'float', value: random() * 1000 },
    { kind: 'bool', value: random() < 0.5 },
    { kind: 'timestamptz', value: 820_000_000_000_000n + BigInt(Math.floor(random() * 1e12)) },
    { kind: 'decimal', value: parseDecimal((random() * 1e4).toFixed(2)) },
  ]);
}
const directions: Direction[] = ['asc', 'desc'];
const columnIds = [1, 2, 3, 4, 5, 6];

/** Runs `body` over every row `rounds` times; returns rows per second. */
function measure(body: (i: number) => void): number {
  for (let i = 0; i < rows; i++) body(i); // warm up
  const start = process.hrtime.bigint();
  for (let r = 0; r < rounds; r++) for (let i = 0; i < rows; i++) body(i);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return Math.round((rows * rounds) / seconds);
}

const w = new ByteWriter();
const encodedKeys = keyRows.map((row) => {
  w.reset();
  encodeKey(w, row, directions);
  return w.finish();
});
const builder = new RowValueBuilder(w);
const encodedValues = valueRows.map((row) => {
  w.reset();
  builder.begin();
  for (let c = 0; c < row.length; c++) builder.add(columnIds[c]!, row[c]!);
  return w.finish();
});

const decoder = new RowValueDecoder([2, 5]);
const out: Datum[] = [];
const result = {
  bench: 'sql/encoding',
  keyEncodeIntStringPerSec: measure((i) => {
    w.reset();
    encodeKey(w, keyRows[i]!, directions);
  }),
  keyDecodeIntStringPerSec: measure((i) => {
    decodeKey(encodedKeys[i]!, 0, { directions });
  }),
  keyReaderIntStringPerSec: measure((i) => {
    const reader = new KeyReader(encodedKeys[i]!);
    reader.next('asc', 'int');
    reader.next('desc', 'string');
  }),
  rowEncode6ColumnsPerSec: measure((i) => {
    w.reset();
    builder.begin();
    const row = valueRows[i]!;
    for (let c = 0; c < row.length; c++) builder.add(columnIds[c]!, row[c]!);
  }),
  rowDecode6ColumnsPerSec: measure((i) => {
    decodeRowValue(encodedValues[i]!);
  }),
  rowDecode2Of6ColumnsPerSec: measure((i) => {
    decoder.decode(encodedValues[i]!, out);
  }),
  keyBytesAvg: encodedKeys.reduce((n, k) => n + k.length, 0) / rows,
  rowBytesAvg: encodedValues.reduce((n, v) => n + v.length, 0) / rows,
};
console.log(JSON.stringify(result));
