import { describe, expect, it } from 'vitest';
import { HistoryError, parseEvent } from './event.ts';

const good = { type: 'invoke', process: 3, f: 'read', value: null, time: 10, index: 4 };

describe('parseEvent', () => {
  it('parseEvent accepts a well-formed event and keeps its error text', () => {
    expect(parseEvent(good, 0)).toEqual(good);
    expect(parseEvent({ ...good, type: 'info', error: 'timeout' }, 0).error).toBe('timeout');
    expect(parseEvent({ ...good, type: 'info', process: 'nemesis' }, 0).process).toBe('nemesis');
  });

  it('parseEvent fills a missing index and value from the position', () => {
    const { index: _, value: __, ...rest } = good;
    const e = parseEvent(rest, 7);
    expect(e.index).toBe(7);
    expect(e.value).toBeNull();
  });

  it.each([
    ['a non-object', 5],
    ['an unknown type', { ...good, type: 'done' }],
    ['a negative process', { ...good, process: -1 }],
    ['a fractional process', { ...good, process: 1.5 }],
    ['a non-info annotation', { ...good, process: 'nemesis' }],
    ['an empty f', { ...good, f: '' }],
    ['a missing time', { ...good, time: undefined }],
    ['a negative time', { ...good, time: -1 }],
    ['a string index', { ...good, index: '3' }],
    ['a non-string error', { ...good, error: 5 }],
  ])('parseEvent rejects %s', (_name, raw) => {
    let caught: unknown;
    try {
      parseEvent(raw, 0, 12);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(HistoryError);
    expect((caught as HistoryError).reason).toBe('malformed-event');
    expect((caught as HistoryError).line).toBe(12);
    expect((caught as HistoryError).message).toMatch(/^line 12: /);
  });
});
