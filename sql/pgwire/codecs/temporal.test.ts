import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SqlError } from '../errors.ts';
import {
  civilFromDays, dateCodec, dateInfinity, dateMaxDays, dateMinDays, daysFromCivil, formatTimestamp, timeCodec,
  timestampCodec, timestampInfinity, timestampMaxMicros, timestampMinMicros, timestamptzCodec,
} from './datetime.ts';
import { formatInterval, intervalCodec, parseInterval } from './interval.ts';
import { binaryOf, hex, textOf } from './test-helpers.test-helper.ts';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    if (e instanceof SqlError) return e.code;
    throw e;
  }
  return undefined;
}

const hour = 3_600_000_000;

describe('date codec', () => {
  it('civilFromDays and daysFromCivil agree with known dates', () => {
    expect(civilFromDays(0)).toEqual([2000, 1, 1]);
    expect(civilFromDays(-1)).toEqual([1999, 12, 31]);
    expect(daysFromCivil(2024, 2, 29)).toBe(8825);
    expect(daysFromCivil(1970, 1, 1)).toBe(-10957);
    fc.assert(
      fc.property(fc.integer({ min: dateMinDays, max: dateMaxDays }), (days) => {
        const [y, m, d] = civilFromDays(days);
        expect(daysFromCivil(y, m, d)).toBe(days);
      }),
    );
  });
  it('dateCodec writes ISO dates, BC years and infinities', () => {
    expect(textOf(dateCodec, 0)).toBe('2000-01-01');
    expect(textOf(dateCodec, daysFromCivil(0, 12, 31))).toBe('0001-12-31 BC');
    expect(textOf(dateCodec, dateMinDays)).toBe('4714-11-24 BC');
    expect(textOf(dateCodec, dateMaxDays)).toBe('5874897-12-31');
    expect(textOf(dateCodec, dateInfinity)).toBe('infinity');
    expect(hex(binaryOf(dateCodec, -1))).toBe('ffffffff');
  });
  it('dateCodec round-trips the whole range', () => {
    fc.assert(
      fc.property(fc.integer({ min: dateMinDays, max: dateMaxDays }), (days) => {
        expect(dateCodec.parseText(textOf(dateCodec, days))).toBe(days);
        expect(dateCodec.parseBinary(binaryOf(dateCodec, days))).toBe(days);
      }),
    );
  });
  it('dateCodec rejects impossible dates', () => {
    expect(codeOf(() => dateCodec.parseText('2023-02-29'))).toBe('22008');
    expect(codeOf(() => dateCodec.parseText('2023-13-01'))).toBe('22008');
    expect(codeOf(() => dateCodec.parseText('yesterday-ish'))).toBe('22P02');
    expect(dateCodec.parseText('2024-01-02 10:00:00')).toBe(daysFromCivil(2024, 1, 2));
    expect(dateCodec.parseText('epoch')).toBe(-10957);
  });
});

describe('timestamp codecs', () => {
  it('formatTimestamp writes fractions without trailing zeros', () => {
    expect(formatTimestamp(0, false)).toBe('2000-01-01 00:00:00');
    expect(formatTimestamp(1_500_000, false)).toBe('2000-01-01 00:00:01.5');
    expect(formatTimestamp(-1, true)).toBe('1999-12-31 23:59:59.999999+00');
    expect(formatTimestamp(timestampMinMicros, true)).toBe('4714-11-24 00:00:00+00 BC');
    expect(formatTimestamp(timestampMaxMicros, false)).toBe('294276-12-31 23:59:59.999999');
    expect(formatTimestamp(timestampInfinity, false)).toBe('infinity');
  });
  it('timestamptzCodec applies the zone offset; timestampCodec ignores it', () => {
    const utc = BigInt(daysFromCivil(2024, 1, 2)) * 86_400_000_000n + BigInt(2 * hour + 4 * 60e6 + 5.678e6);
    expect(timestamptzCodec.parseText('2024-01-02T03:04:05.678+01:00')).toBe(utc);
    expect(timestamptzCodec.parseText('2024-01-02 02:04:05.678Z')).toBe(utc);
    expect(timestamptzCodec.parseText('2024-01-02 01:34:05.678-0030')).toBe(utc);
    expect(timestampCodec.parseText('2024-01-02 02:04:05.678+05')).toBe(utc);
    expect(timestampCodec.parseText('2024-01-02')).toBe(BigInt(daysFromCivil(2024, 1, 2)) * 86_400_000_000n);
    expect(timestampCodec.parseText('0044-03-15 12:00:00 BC')).toBe(
      BigInt(daysFromCivil(-43, 3, 15)) * 86_400_000_000n + 12n * 3_600_000_000n,
    );
  });
  it('timestamp codecs round-trip the whole range', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: timestampMinMicros, max: timestampMaxMicros }), (micros) => {
        for (const codec of [timestampCodec, timestamptzCodec]) {
          expect(codec.parseText(textOf(codec, micros))).toBe(micros);
          expect(codec.parseBinary(binaryOf(codec, micros))).toBe(micros);
        }
      }),
    );
  });
  it('timestamp binary is int64 microseconds since 2000-01-01', () => {
    expect(hex(binaryOf(timestampCodec, 1))).toBe('0000000000000001');
    expect(hex(binaryOf(timestampCodec, -1n))).toBe('ffffffffffffffff');
    expect(codeOf(() => timestampCodec.parseText('294277-01-01'))).toBe('22008');
  });
});

describe('time codec', () => {
  it('timeCodec writes and parses times of day', () => {
    expect(textOf(timeCodec, 13 * hour + 45 * 60e6 + 250_000)).toBe('13:45:00.25');
    expect(textOf(timeCodec, 24 * hour)).toBe('24:00:00');
    expect(timeCodec.parseText('13:45')).toBe(13 * hour + 45 * 60e6);
    expect(timeCodec.parseBinary(binaryOf(timeCodec, 5))).toBe(5);
    expect(codeOf(() => timeCodec.parseText('25:00'))).toBe('22008');
    expect(codeOf(() => timeCodec.parseText('noon'))).toBe('22P02');
  });
});

describe('interval codec', () => {
  const iv = (months: number, days: number, micros: number) => ({ months, days, micros: BigInt(micros) });

  it('formatInterval follows IntervalStyle postgres', () => {
    expect(formatInterval(iv(14, 3, 4 * hour + 5 * 60e6 + 6e6))).toBe('1 year 2 mons 3 days 04:05:06');
    expect(formatInterval(iv(0, 0, 0))).toBe('00:00:00');
    expect(formatInterval(iv(-14, -3, -(4 * hour + 5 * 60e6 + 6e6)))).toBe('-1 years -2 mons -3 days -04:05:06');
    expect(formatInterval(iv(-1, 3, hour))).toBe('-1 mons +3 days 01:00:00');
    expect(formatInterval(iv(0, -1, hour))).toBe('-1 days +01:00:00');
    expect(formatInterval(iv(0, 1, 0))).toBe('1 day');
    expect(formatInterval(iv(0, 0, 1500))).toBe('00:00:00.0015');
    expect(formatInterval(iv(0, 0, 100 * hour))).toBe('100:00:00');
  });
  it('parseInterval reads postgres, SQL and ISO 8601 forms', () => {
    expect(parseInterval('1 day 12:00:00')).toEqual(iv(0, 1, 12 * hour));
    expect(parseInterval('1.5 months')).toEqual(iv(1, 15, 0));
    expect(parseInterval('1.5 years')).toEqual(iv(18, 0, 0));
    expect(parseInterval('P1Y2M3DT4H5M6S')).toEqual(iv(14, 3, 4 * hour + 5 * 60e6 + 6e6));
    expect(parseInterval('@ 1 hour ago')).toEqual(iv(0, 0, -hour));
    expect(parseInterval('1-2')).toEqual(iv(14, 0, 0));
    expect(parseInterval('3 4:05:06')).toEqual(iv(0, 3, 4 * hour + 5 * 60e6 + 6e6));
    expect(parseInterval('90')).toEqual(iv(0, 0, 90e6));
    expect(parseInterval('-1 years -2 mons +3 days -04:05:06')).toEqual(iv(-14, 3, -(4 * hour + 5 * 60e6 + 6e6)));
    expect(parseInterval('2 weeks 1 ms')).toEqual(iv(0, 14, 1000));
    expect(codeOf(() => parseInterval('1 fortnight'))).toBe('22P02');
    expect(codeOf(() => parseInterval(''))).toBe('22P02');
    expect(codeOf(() => parseInterval('3000000000 months'))).toBe('22015');
  });
  it('intervalCodec round-trips through text and binary', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -1e6, max: 1e6 }),
        fc.integer({ min: -1e6, max: 1e6 }),
        fc.bigInt({ min: -(2n ** 52n), max: 2n ** 52n }),
        (months, days, micros) => {
          const value = { months, days, micros };
          expect(intervalCodec.parseText(textOf(intervalCodec, value))).toEqual(value);
          expect(intervalCodec.parseBinary(binaryOf(intervalCodec, value))).toEqual(value);
        },
      ),
    );
  });
  it('intervalCodec binary is micros, days, months', () => {
    expect(hex(binaryOf(intervalCodec, iv(3, 2, 1)))).toBe('0000000000000001' + '00000002' + '00000003');
  });
});
