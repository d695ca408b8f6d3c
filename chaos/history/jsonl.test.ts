import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HistoryError, type HistoryEvent } from './event.ts';
import { HistoryWriter, parseHistory, readHistory, writeHistory } from './jsonl.ts';

const dir = mkdtempSync(join(tmpdir(), 'meridian-jsonl-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const sample: HistoryEvent[] = [
  { type: 'invoke', process: 0, f: 'txn', value: [['append', 'x', 1], ['r', 'y', null]], time: 0, index: 0 },
  { type: 'info', process: 'nemesis', f: 'kill', value: 'n1', time: 5, index: 1 },
  { type: 'info', process: 0, f: 'txn', value: [['append', 'x', 1], ['r', 'y', null]], time: 9, index: 2, error: 'timeout' },
];

describe('history files', () => {
  it('writeHistory and readHistory round-trip events', () => {
    const path = join(dir, 'round-trip.jsonl');
    writeHistory(path, sample);
    expect(readFileSync(path, 'utf8').split('\n')).toHaveLength(4);
    expect(readHistory(path)).toEqual(sample);
  });

  it('HistoryWriter streams each event as it is appended', () => {
    const path = join(dir, 'stream.jsonl');
    const writer = HistoryWriter.create(path);
    writer.append(sample[0]!);
    expect(readHistory(path)).toEqual([sample[0]]);
    writer.append(sample[1]!);
    writer.close();
    expect(readHistory(path)).toEqual(sample.slice(0, 2));
  });

  it('readHistory drops a torn final line and reports it', () => {
    const path = join(dir, 'torn.jsonl');
    writeHistory(path, sample);
    appendFileSync(path, '{"type":"invoke","proc');
    const torn: string[] = [];
    expect(readHistory(path, { onTornLine: (t) => torn.push(t) })).toEqual(sample);
    expect(torn).toEqual(['{"type":"invoke","proc']);
  });

  it('readHistory accepts a complete last line without a newline', () => {
    const path = join(dir, 'no-newline.jsonl');
    writeFileSync(path, sample.map((e) => JSON.stringify(e)).join('\n'));
    expect(readHistory(path)).toEqual(sample);
  });

  it('readHistory rejects a malformed line in the middle with its line number', () => {
    const path = join(dir, 'bad.jsonl');
    writeFileSync(path, `${JSON.stringify(sample[0])}\nnot json\n${JSON.stringify(sample[1])}\n`);
    expect(() => readHistory(path)).toThrow(HistoryError);
    expect(() => readHistory(path)).toThrow(/^line 2: not valid JSON/);
    writeFileSync(path, `${JSON.stringify(sample[0])}\n{"type":"done"}\n`);
    expect(() => readHistory(path)).toThrow(/^line 2: type must be/);
  });

  it('readHistory reads histories larger than one chunk', () => {
    const path = join(dir, 'large.jsonl');
    const many: HistoryEvent[] = [];
    for (let i = 0; i < 20_000; i++) many.push({ type: i % 2 ? 'ok' : 'invoke', process: 1, f: 'write', value: 'é'.repeat(40), time: i, index: i });
    writeHistory(path, many);
    expect(readHistory(path)).toEqual(many);
  });

  it('parseHistory parses text and skips blank lines', () => {
    const text = `${JSON.stringify(sample[0])}\n\n${JSON.stringify(sample[1])}\n`;
    expect(parseHistory(text)).toEqual(sample.slice(0, 2));
  });
});
