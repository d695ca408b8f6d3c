import { mkdtempSync, appendFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HistoryError, pairOperations } from './history.ts';
import { HistoryRecorder, readHistory } from './recorder.ts';

describe('history recording', () => {
  it('streams events to JSON lines and reads them back, ignoring a torn last line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'meridian-history-'));
    try {
      const path = join(dir, 'history.jsonl');
      let now = 0;
      const recorder = new HistoryRecorder(() => now++, path);
      await recorder.run(1, 'write', 5, async () => 5);
      await recorder.run(2, 'read', null, async () => { throw new Error('timeout'); });
      await recorder.run(3, 'cas', [1, 2], async () => { throw new Error('precondition'); }, () => 'fail');
      appendFileSync(path, '{"type":"inv');
      const events = readHistory(path);
      expect(events).toHaveLength(6);
      const ops = pairOperations(events);
      expect(ops.map((o) => [o.f, o.status])).toEqual([['write', 'ok'], ['read', 'info'], ['cas', 'fail']]);
      expect(ops[1]!.completeTime).toBe(Infinity);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rejects malformed histories', () => {
    const base = { process: 1, f: 'read', value: null };
    expect(() => pairOperations([{ ...base, type: 'ok', time: 1, index: 0 }])).toThrow(HistoryError);
    expect(() => pairOperations([{ ...base, type: 'invoke', time: 1, index: 0 }, { ...base, type: 'invoke', time: 2, index: 1 }])).toThrow(/invoked twice/);
    expect(() => pairOperations([{ ...base, type: 'invoke', time: 5, index: 0 }, { ...base, type: 'ok', time: 2, index: 1 }])).toThrow(/before it was invoked/);
    // An invocation never completed is indeterminate.
    expect(pairOperations([{ ...base, type: 'invoke', time: 1, index: 0 }])[0]!.status).toBe('info');
  });
});
