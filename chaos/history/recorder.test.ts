import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AssertionError } from './assert.ts';
import { ManualClock, monotonicClock } from './clock.ts';
import { HistoryWriter, readHistory } from './jsonl.ts';
import { pairOperations } from './operation.ts';
import { HistoryRecorder } from './recorder.ts';

describe('HistoryRecorder', () => {
  it('HistoryRecorder stamps events with the injected clock and classifies errors', async () => {
    const clock = new ManualClock(100);
    const recorder = new HistoryRecorder({ clock: clock.now });
    await recorder.run(1, 'write', 5, async () => {
      clock.advance(7);
      return 5;
    });
    await recorder.run(2, 'read', null, async () => {
      throw new Error('timeout');
    });
    await recorder.run(3, 'cas', [1, 2], async () => {
      throw new Error('precondition failed');
    }, () => 'fail');
    expect(recorder.events.map((e) => [e.index, e.type, e.time])).toEqual([
      [0, 'invoke', 100], [1, 'ok', 107], [2, 'invoke', 107], [3, 'info', 107], [4, 'invoke', 107], [5, 'fail', 107],
    ]);
    expect(recorder.events[3]!.error).toBe('timeout');
    expect(pairOperations(recorder.events).map((o) => o.status)).toEqual(['ok', 'info', 'fail']);
  });

  it('HistoryRecorder interleaves handles of concurrent processes', () => {
    const recorder = new HistoryRecorder({ clock: new ManualClock().now });
    const a = recorder.invoke(1, 'read', null);
    const b = recorder.invoke(2, 'write', 3);
    recorder.note('nemesis', 'partition', ['n1']);
    b.ok(3);
    a.ok(3);
    const ops = pairOperations(recorder.events);
    expect(ops.map((o) => [o.process, o.output])).toEqual([[1, 3], [2, 3]]);
  });

  it('HistoryRecorder asserts against a process running two operations at once', () => {
    const recorder = new HistoryRecorder({ clock: new ManualClock().now });
    const a = recorder.invoke(1, 'read', null);
    expect(() => recorder.invoke(1, 'read', null)).toThrow(AssertionError);
    a.ok(1);
    expect(() => a.ok(1)).toThrow(AssertionError);
    recorder.invoke(1, 'read', null).info();
  });

  it('HistoryRecorder streams to a writer without keeping events', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'meridian-recorder-'));
    try {
      const writer = HistoryWriter.create(join(dir, 'h.jsonl'));
      const recorder = new HistoryRecorder({ sink: writer, keepEvents: false });
      await recorder.run(4, 'add', 9, async () => 9);
      writer.close();
      expect(recorder.events).toEqual([]);
      expect(readHistory(join(dir, 'h.jsonl')).map((e) => e.type)).toEqual(['invoke', 'ok']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('monotonicClock never goes backwards', () => {
    const clock = monotonicClock();
    let last = clock();
    for (let i = 0; i < 1000; i++) {
      const now = clock();
      expect(now).toBeGreaterThanOrEqual(last);
      last = now;
    }
  });
});
