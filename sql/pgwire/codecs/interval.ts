/**
 * interval. Values are PostgreSQL's (months, days, microseconds) triple,
 * the shape of sql/encoding's interval datum: `micros` is a `bigint` when
 * parsed, `bigint | number` when written. Binary: Int64 µs, Int32 days,
 * Int32 months.
 *
 * Text output is IntervalStyle postgres ("1 year 2 mons -3 days +04:05:06.5").
 * Input takes that style (with "@" and "ago", units from microseconds to
 * millennia, fractional units cascading down as PostgreSQL does, "Y-M" and
 * "[D] H:M[:S]" fields, a bare number as seconds) and ISO 8601 "P…T…".
 */
import { assert } from '../assert.ts';
import { SqlError } from '../errors.ts';
import { intervalFieldOverflow } from '../sqlstate.ts';
import type { Codec } from './codec.ts';
import { expectBinarySize, invalidText, trimSpace } from './codec.ts';
import { intervalOid } from './oids.ts';

/** PostgreSQL's interval: compared as months × 30 days + days + microseconds. */
export interface Interval {
  readonly months: number;
  readonly days: number;
  readonly micros: bigint | number;
}

const int32Min = -2147483648;
const int32Max = 2147483647;
const int64Min = -(2n ** 63n);
const int64Max = 2n ** 63n - 1n;
const microsPerSecond = 1e6;
const microsPerDay = 86_400e6;
const daysPerMonth = 30;

/** Microseconds per unit for units below a day. */
const timeUnits: ReadonlyMap<string, number> = new Map([
  ...['microsecond', 'microseconds', 'usec', 'usecs', 'us'].map((u) => [u, 1] as const),
  ...['millisecond', 'milliseconds', 'msec', 'msecs', 'ms'].map((u) => [u, 1e3] as const),
  ...['second', 'seconds', 'sec', 'secs', 's'].map((u) => [u, microsPerSecond] as const),
  ...['minute', 'minutes', 'min', 'mins', 'm'].map((u) => [u, 60 * microsPerSecond] as const),
  ...['hour', 'hours', 'hr', 'hrs', 'h'].map((u) => [u, 3600 * microsPerSecond] as const),
]);
/** Days per unit for day-based units. */
const dayUnits: ReadonlyMap<string, number> = new Map([
  ...['day', 'days', 'd'].map((u) => [u, 1] as const),
  ...['week', 'weeks', 'w'].map((u) => [u, 7] as const),
]);
/** Months per unit for month-based units. */
const monthUnits: ReadonlyMap<string, number> = new Map([
  ...['month', 'months', 'mon', 'mons'].map((u) => [u, 1] as const),
  ...['year', 'years', 'yr', 'yrs', 'y'].map((u) => [u, 12] as const),
  ...['decade', 'decades', 'dec', 'decs'].map((u) => [u, 120] as const),
  ...['century', 'centuries', 'cent', 'c'].map((u) => [u, 1200] as const),
  ...['millennium', 'millennia', 'mil', 'mils'].map((u) => [u, 12000] as const),
]);

const tokenPattern =
  /\s*(?:([+-]?\d+:\d+(?::\d+(?:\.\d*)?)?)|([+-]?\d+-\d+)(?![\d:])|([+-]?(?:\d+(?:\.\d*)?|\.\d+))|([a-z]+)|(@))/y;

/** Accumulates interval fields with PostgreSQL's cascading of fractions. */
class IntervalBuilder {
  months = 0;
  days = 0;
  micros = 0;

  addMonths(value: number): void {
    const whole = Math.trunc(value);
    this.months += whole;
    this.addDays((value - whole) * daysPerMonth);
  }

  addYears(value: number, monthsPerUnit: number): void {
    // PostgreSQL rounds a fractional year to whole months.
    const whole = Math.trunc(value);
    this.months += whole * monthsPerUnit + Math.round((value - whole) * monthsPerUnit);
  }

  addDays(value: number): void {
    const whole = Math.trunc(value);
    this.days += whole;
    this.micros += Math.round((value - whole) * microsPerDay);
  }

  addMicros(value: number): void {
    this.micros += Math.round(value);
  }

  negate(): void {
    this.months = -this.months;
    this.days = -this.days;
    this.micros = -this.micros;
  }

  build(text: string): Interval {
    const micros = BigInt(Math.round(this.micros));
    if (
      this.months < int32Min || this.months > int32Max || this.days < int32Min || this.days > int32Max ||
      micros < int64Min || micros > int64Max || !Number.isFinite(this.micros)
    ) {
      throw new SqlError(intervalFieldOverflow, `interval field value out of range: "${text}"`);
    }
    return { months: this.months + 0, days: this.days + 0, micros };
  }
}

function applyUnit(b: IntervalBuilder, value: number, unit: string): boolean {
  const perMicros = timeUnits.get(unit);
  if (perMicros !== undefined) {
    b.addMicros(value * perMicros);
    return true;
  }
  const perDays = dayUnits.get(unit);
  if (perDays !== undefined) {
    b.addDays(value * perDays);
    return true;
  }
  const perMonths = monthUnits.get(unit);
  if (perMonths === undefined) return false;
  if (perMonths === 1) b.addMonths(value);
  else b.addYears(value, perMonths);
  return true;
}

/** "[-]H:M[:S[.f]]" as microseconds, in integer arithmetic so every digit counts. */
function timeFieldMicros(field: string): number {
  const negative = field.startsWith('-');
  const [h, m, s] = field.replace(/^[+-]/, '').split(':') as [string, string, string | undefined];
  const [whole, fraction] = (s ?? '0').split('.') as [string, string | undefined];
  const fractionMicros = Math.round(Number(((fraction ?? '') + '0000000').slice(0, 7)) / 10);
  const micros = ((Number(h) * 60 + Number(m)) * 60 + Number(whole)) * microsPerSecond + fractionMicros;
  return negative ? -micros : micros;
}

function parsePostgresStyle(t: string, text: string): Interval {
  const b = new IntervalBuilder();
  const tokens: { kind: 'time' | 'ym' | 'number' | 'word'; text: string }[] = [];
  tokenPattern.lastIndex = 0;
  let at = 0;
  while (at < t.length) {
    tokenPattern.lastIndex = at;
    const m = tokenPattern.exec(t);
    if (m === null) {
      if (/^\s*$/.test(t.slice(at))) break;
      throw invalidText('interval', text);
    }
    at = tokenPattern.lastIndex;
    if (m[1] !== undefined) tokens.push({ kind: 'time', text: m[1] });
    else if (m[2] !== undefined) tokens.push({ kind: 'ym', text: m[2] });
    else if (m[3] !== undefined) tokens.push({ kind: 'number', text: m[3] });
    else if (m[4] !== undefined) tokens.push({ kind: 'word', text: m[4] });
  }
  if (tokens.length === 0) throw invalidText('interval', text);
  let ago = false;
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    const next = tokens[i + 1];
    if (token.kind === 'time') b.addMicros(timeFieldMicros(token.text));
    else if (token.kind === 'ym') {
      const negative = token.text.startsWith('-');
      const [years, months] = token.text.replace(/^[+-]/, '').split('-').map(Number) as [number, number];
      b.addMonths((negative ? -1 : 1) * (years * 12 + months));
    } else if (token.kind === 'word') {
      if (token.text !== 'ago' || ago) throw invalidText('interval', text);
      ago = true;
    } else if (next?.kind === 'word' && next.text !== 'ago') {
      if (!applyUnit(b, Number(token.text), next.text)) throw invalidText('interval', text);
      i++;
    } else if (next?.kind === 'time') {
      b.addDays(Number(token.text));
    } else {
      b.addMicros(Number(token.text) * microsPerSecond);
    }
  }
  if (ago) b.negate();
  return b.build(text);
}

const isoDatePart = /^(-?\d+(?:\.\d+)?)([ymwd])/;
const isoTimePart = /^(-?\d+(?:\.\d+)?)([hms])/;

function parseIso8601(t: string, text: string): Interval {
  const b = new IntervalBuilder();
  let rest = t.slice(1);
  let inTime = false;
  if (rest.length === 0) throw invalidText('interval', text);
  while (rest.length > 0) {
    if (!inTime && rest.startsWith('t')) {
      inTime = true;
      rest = rest.slice(1);
      continue;
    }
    const m = (inTime ? isoTimePart : isoDatePart).exec(rest);
    if (m === null) throw invalidText('interval', text);
    const value = Number(m[1]);
    const unit = m[2]!;
    if (inTime) b.addMicros(value * (unit === 'h' ? 3600e6 : unit === 'm' ? 60e6 : 1e6));
    else if (unit === 'y') b.addYears(value, 12);
    else if (unit === 'm') b.addMonths(value);
    else b.addDays(value * (unit === 'w' ? 7 : 1));
    rest = rest.slice(m[0].length);
  }
  return b.build(text);
}

/** Parses interval text input. */
export function parseInterval(text: string): Interval {
  const t = trimSpace(text).toLowerCase();
  if (t.startsWith('p')) return parseIso8601(t, text);
  return parsePostgresStyle(t.startsWith('@') ? t.slice(1) : t, text);
}

function checkInterval(value: Interval): bigint {
  assert(typeof value === 'object' && value !== null, 'an interval value is an object');
  assert(Number.isInteger(value.months) && value.months >= int32Min && value.months <= int32Max, 'interval months are an int32');
  assert(Number.isInteger(value.days) && value.days >= int32Min && value.days <= int32Max, 'interval days are an int32');
  assert(typeof value.micros === 'bigint' || Number.isSafeInteger(value.micros), 'interval micros are an integer');
  return BigInt(value.micros);
}

/** PostgreSQL's text form of an interval (IntervalStyle postgres). */
export function formatInterval(value: Interval): string {
  const micros = checkInterval(value);
  let out = '';
  let isZero = true;
  let isBefore = false;
  const part = (amount: number, unit: string) => {
    if (amount === 0) return;
    out += `${isZero ? '' : ' '}${isBefore && amount > 0 ? '+' : ''}${amount} ${unit}${amount !== 1 ? 's' : ''}`;
    isBefore = amount < 0;
    isZero = false;
  };
  part(Math.trunc(value.months / 12), 'year');
  part(value.months % 12, 'mon');
  part(value.days, 'day');
  if (isZero || micros !== 0n) {
    const negative = micros < 0n;
    const abs = negative ? -micros : micros;
    const hours = abs / 3_600_000_000n;
    const minutes = Number((abs / 60_000_000n) % 60n);
    const seconds = Number((abs / 1_000_000n) % 60n);
    const fraction = Number(abs % 1_000_000n);
    const sign = negative ? '-' : isBefore ? '+' : '';
    out += `${isZero ? '' : ' '}${sign}${hours.toString().padStart(2, '0')}:${String(minutes).padStart(2, '0')}:${String(seconds).padStart(2, '0')}`;
    if (fraction !== 0) out += `.${String(fraction).padStart(6, '0').replace(/0+$/, '')}`;
  }
  return out;
}

export const intervalCodec: Codec<Interval> = {
  oid: intervalOid,
  name: 'interval',
  typeSize: 16,
  writeText: (w, value) => w.ascii(formatInterval(value)),
  writeBinary(w, value) {
    w.i64(checkInterval(value));
    w.i32(value.days);
    w.i32(value.months);
  },
  parseText: parseInterval,
  parseBinary(bytes) {
    expectBinarySize('interval', bytes, 16);
    return { micros: bytes.readBigInt64BE(0), days: bytes.readInt32BE(8), months: bytes.readInt32BE(12) };
  },
};
