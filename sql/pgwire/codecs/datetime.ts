/**
 * date, time, timestamp and timestamptz, in PostgreSQL's representations
 * (the same as sql/encoding's datums):
 * - date: `number` of days since 2000-01-01; -infinity/infinity are the
 *   int32 extremes. Binary: Int32.
 * - time: `number` of microseconds since midnight, 0 to 24:00:00. Binary: Int64.
 * - timestamp, timestamptz: microseconds since 2000-01-01 00:00:00 (UTC for
 *   timestamptz), `bigint` when parsed, `bigint | number` when written;
 *   -infinity/infinity are the int64 extremes. Binary: Int64.
 *
 * Text is DateStyle ISO with the session time zone UTC: "2024-02-29",
 * "13:45:00.25", "2024-02-29 13:45:00.25", "2024-02-29 13:45:00.25+00",
 * years before 1 AD as "0044-03-15 BC". Input takes ISO 8601 forms: a date,
 * an optional time after a space or "T", an optional zone (Z, UTC, GMT,
 * ±hh, ±hhmm, ±hh:mm[:ss]; ignored for timestamp, as PostgreSQL does),
 * optional BC/AD, and the words infinity, -infinity and epoch. Named zones
 * other than UTC/GMT and relative words (now, today) are the SQL layer's.
 */
import { assert } from '../assert.ts';
import { SqlError } from '../errors.ts';
import { datetimeFieldOverflow } from '../sqlstate.ts';
import type { BufferWriter } from '../writer.ts';
import type { Codec } from './codec.ts';
import { expectBinarySize, invalidBinary, invalidText, trimSpace } from './codec.ts';
import { dateOid, timeOid, timestampOid, timestamptzOid } from './oids.ts';

export const dateNegInfinity = -2147483648;
export const dateInfinity = 2147483647;
export const timestampNegInfinity = -(2n ** 63n);
export const timestampInfinity = 2n ** 63n - 1n;

export const microsPerSecond = 1_000_000;
export const microsPerDay = 86_400_000_000;
const microsPerDayBig = 86_400_000_000n;
/** Days from 1970-01-01 to 2000-01-01. */
const unixEpochDays = 10_957;
/** Julian day of 2000-01-01; PostgreSQL's ranges are in Julian days. */
const pgEpochJulian = 2_451_545;
/** First date: 4714-11-24 BC, Julian day 0. */
export const dateMinDays = -pgEpochJulian;
/** Last date: 5874897-12-31 AD. */
export const dateMaxDays = 2_147_483_494 - pgEpochJulian - 1;
/** First timestamp: 4714-11-24 00:00:00 BC. */
export const timestampMinMicros = BigInt(dateMinDays) * microsPerDayBig;
/** Last timestamp: 294276-12-31 23:59:59.999999 AD. */
export const timestampMaxMicros = BigInt(109_203_528 - pgEpochJulian) * microsPerDayBig - 1n;

const datePattern = /^([0-9]{1,7})-([0-9]{1,2})-([0-9]{1,2})/;
const timePattern = /^([0-9]{1,2}):([0-9]{2})(?::([0-9]{2})(?:\.([0-9]*))?)?/;
const zonePattern = /^(?:(z|utc|gmt)|([+-])([0-9]{1,2})(?::?([0-9]{2})(?::?([0-9]{2}))?)?)/i;

/** Civil date of a day count since 2000-01-01 (proleptic Gregorian, astronomical years: 0 is 1 BC). */
export function civilFromDays(days: number): [year: number, month: number, day: number] {
  const z = days + unixEpochDays + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return [yoe + era * 400 + (month <= 2 ? 1 : 0), month, day];
}

/** Days since 2000-01-01 of a civil date (astronomical year). */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468 - unixEpochDays;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

function pad(value: number, width: number): string {
  return String(value).padStart(width, '0');
}

/** "YYYY-MM-DD" (no era suffix) and whether the date is BC. */
function formatCivilDate(days: number): [text: string, bc: boolean] {
  const [year, month, day] = civilFromDays(days);
  const bc = year <= 0;
  return [`${pad(bc ? 1 - year : year, 4)}-${pad(month, 2)}-${pad(day, 2)}`, bc];
}

/** "HH:MM:SS[.ffffff]" with trailing zeros of the fraction dropped. */
export function formatTimeOfDay(micros: number): string {
  const seconds = Math.floor(micros / microsPerSecond);
  const fraction = micros - seconds * microsPerSecond;
  const hms = `${pad(Math.floor(seconds / 3600), 2)}:${pad(Math.floor(seconds / 60) % 60, 2)}:${pad(seconds % 60, 2)}`;
  return fraction === 0 ? hms : `${hms}.${pad(fraction, 6).replace(/0+$/, '')}`;
}

/** PostgreSQL's text form of a date. */
export function formatDate(days: number): string {
  if (days === dateNegInfinity) return '-infinity';
  if (days === dateInfinity) return 'infinity';
  const [text, bc] = formatCivilDate(days);
  return bc ? `${text} BC` : text;
}

/** Splits µs since 2000-01-01 into whole days and µs within the day. */
function splitMicros(value: bigint | number): [days: number, micros: number] {
  if (typeof value === 'number' && Number.isSafeInteger(value)) {
    const days = Math.floor(value / microsPerDay);
    return [days, value - days * microsPerDay];
  }
  const v = BigInt(value);
  let days = v / microsPerDayBig;
  let rest = v % microsPerDayBig;
  if (rest < 0n) {
    days -= 1n;
    rest += microsPerDayBig;
  }
  return [Number(days), Number(rest)];
}

/** PostgreSQL's text form of a timestamp (`withZone`: timestamptz in UTC, "+00"). */
export function formatTimestamp(value: bigint | number, withZone: boolean): string {
  assert(typeof value === 'bigint' || Number.isSafeInteger(value), 'a timestamp value is a bigint or a safe integer');
  if (value === timestampNegInfinity) return '-infinity';
  if (value === timestampInfinity) return 'infinity';
  const [days, micros] = splitMicros(value);
  const [date, bc] = formatCivilDate(days);
  return `${date} ${formatTimeOfDay(micros)}${withZone ? '+00' : ''}${bc ? ' BC' : ''}`;
}

function outOfRange(typeName: string, text: string): SqlError {
  return new SqlError(datetimeFieldOverflow, `${typeName} out of range: "${text}"`);
}

interface ParsedDateTime {
  readonly days: number;
  readonly micros: number;
  /** Seconds east of UTC, or null when the input named no zone. */
  readonly offsetSeconds: number | null;
}

/** Fraction digits as microseconds, rounded half up. */
function fractionMicros(digits: string): number {
  if (digits.length === 0) return 0;
  const padded = (digits + '000000').slice(0, 7);
  return Math.round(Number(padded) / 10);
}

/** Parses "HH:MM[:SS[.f]]"; returns µs since midnight and the characters read, or null. */
function parseTimeOfDay(text: string, typeName: string, original: string): [micros: number, read: number] | null {
  const m = timePattern.exec(text);
  if (m === null) return null;
  const hour = Number(m[1]);
  const minute = Number(m[2]);
  const second = m[3] === undefined ? 0 : Number(m[3]);
  const micros = fractionMicros(m[4] ?? '');
  if (minute > 59 || second > 60 || hour > 24) throw outOfRange(typeName, original);
  const total = ((hour * 60 + minute) * 60 + second) * microsPerSecond + micros;
  if (total > microsPerDay) throw outOfRange(typeName, original);
  return [total, m[0].length];
}

function parseZone(text: string): [offsetSeconds: number, read: number] | null {
  const m = zonePattern.exec(text);
  if (m === null) return null;
  if (m[1] !== undefined) return [0, m[0].length];
  const seconds = Number(m[3]) * 3600 + Number(m[4] ?? 0) * 60 + Number(m[5] ?? 0);
  return [m[2] === '-' ? -seconds : seconds, m[0].length];
}

/** Parses date [time] [zone] [BC|AD]. */
function parseDateTime(text: string, typeName: string): ParsedDateTime {
  let rest = trimSpace(text);
  const d = datePattern.exec(rest);
  if (d === null) throw invalidText(typeName, text);
  let year = Number(d[1]);
  const month = Number(d[2]);
  const day = Number(d[3]);
  rest = rest.slice(d[0].length);
  let micros = 0;
  let offsetSeconds: number | null = null;
  const afterDate = /^(?:T|\s+)/i.exec(rest);
  if (afterDate !== null) {
    const time = parseTimeOfDay(rest.slice(afterDate[0].length), typeName, text);
    if (time !== null) {
      micros = time[0];
      rest = rest.slice(afterDate[0].length + time[1]);
    }
  }
  rest = rest.replace(/^\s+/, '');
  const zone = parseZone(rest);
  if (zone !== null) {
    offsetSeconds = zone[0];
    rest = rest.slice(zone[1]).replace(/^\s+/, '');
  }
  const era = /^(bc|ad)?\s*$/i.exec(rest);
  if (era === null) throw invalidText(typeName, text);
  if (year === 0 || month < 1 || month > 12) throw outOfRange(typeName, text);
  if (era[1]?.toLowerCase() === 'bc') year = 1 - year;
  if (day < 1 || day > daysInMonth(year, month)) throw outOfRange(typeName, text);
  return { days: daysFromCivil(year, month, day), micros, offsetSeconds };
}

function specialWord(text: string): 'infinity' | '-infinity' | 'epoch' | null {
  const t = trimSpace(text).toLowerCase();
  if (t === 'infinity' || t === '+infinity') return 'infinity';
  if (t === '-infinity') return '-infinity';
  if (t === 'epoch') return 'epoch';
  return null;
}

/** Parses date text input; a time part is accepted and dropped, as PostgreSQL does. */
export function parseDate(text: string): number {
  const special = specialWord(text);
  if (special === 'infinity') return dateInfinity;
  if (special === '-infinity') return dateNegInfinity;
  if (special === 'epoch') return -unixEpochDays;
  const { days } = parseDateTime(text, 'date');
  if (days < dateMinDays || days > dateMaxDays) throw outOfRange('date', text);
  return days;
}

/** Parses timestamp (`withZone` false: a zone is ignored) or timestamptz (converted to UTC) text input. */
export function parseTimestamp(text: string, withZone: boolean): bigint {
  const special = specialWord(text);
  if (special === 'infinity') return timestampInfinity;
  if (special === '-infinity') return timestampNegInfinity;
  if (special === 'epoch') return BigInt(-unixEpochDays) * microsPerDayBig;
  const typeName = withZone ? 'timestamp with time zone' : 'timestamp';
  const parsed = parseDateTime(text, typeName);
  let micros = BigInt(parsed.days) * microsPerDayBig + BigInt(parsed.micros);
  if (withZone && parsed.offsetSeconds !== null) micros -= BigInt(parsed.offsetSeconds) * 1_000_000n;
  if (micros < timestampMinMicros || micros > timestampMaxMicros) throw outOfRange(typeName, text);
  return micros;
}

/** Parses time text input ("HH:MM[:SS[.f]]"). */
export function parseTime(text: string): number {
  const t = trimSpace(text);
  const time = parseTimeOfDay(t, 'time', text);
  if (time === null || time[1] !== t.length) throw invalidText('time without time zone', text);
  return time[0];
}

function checkTimestamp(value: bigint | number, typeName: string): bigint | number {
  if (typeof value === 'number') {
    assert(Number.isSafeInteger(value), `a ${typeName} number is a safe integer`);
    return value;
  }
  assert(typeof value === 'bigint', `a ${typeName} value is a bigint or a safe integer`);
  const v = value;
  if (v === timestampInfinity || v === timestampNegInfinity) return v;
  if (v < timestampMinMicros || v > timestampMaxMicros) throw outOfRange(typeName, v.toString());
  return v;
}

function readTimestamp(bytes: Buffer, typeName: string): bigint {
  expectBinarySize(typeName, bytes, 8);
  const v = bytes.readBigInt64BE(0);
  if (v !== timestampInfinity && v !== timestampNegInfinity && (v < timestampMinMicros || v > timestampMaxMicros)) {
    throw outOfRange(typeName, v.toString());
  }
  return v;
}

function writeTimestampBinary(w: BufferWriter, value: bigint | number, typeName: string): void {
  // Every safe integer lies inside the timestamp range, so numbers need no range check.
  if (typeof value === 'number' && Number.isSafeInteger(value)) {
    w.i64Number(value);
    return;
  }
  w.i64(BigInt(checkTimestamp(value, typeName)));
}

function makeTimestampCodec(withZone: boolean): Codec<bigint | number> {
  const typeName = withZone ? 'timestamp with time zone' : 'timestamp without time zone';
  return {
    oid: withZone ? timestamptzOid : timestampOid,
    name: typeName,
    typeSize: 8,
    writeText: (w, value) => w.ascii(formatTimestamp(checkTimestamp(value, typeName), withZone)),
    writeBinary: (w, value) => writeTimestampBinary(w, value, typeName),
    parseText: (text) => parseTimestamp(text, withZone),
    parseBinary: (bytes) => readTimestamp(bytes, typeName),
  };
}

export const timestampCodec = makeTimestampCodec(false);
export const timestamptzCodec = makeTimestampCodec(true);

function checkDate(value: number): void {
  assert(Number.isInteger(value), 'a date value is an integer number of days');
  if (value === dateInfinity || value === dateNegInfinity) return;
  if (value < dateMinDays || value > dateMaxDays) throw outOfRange('date', String(value));
}

export const dateCodec: Codec<number> = {
  oid: dateOid,
  name: 'date',
  typeSize: 4,
  writeText(w, value) {
    checkDate(value);
    w.ascii(formatDate(value));
  },
  writeBinary(w, value) {
    checkDate(value);
    w.i32(value);
  },
  parseText: parseDate,
  parseBinary(bytes) {
    expectBinarySize('date', bytes, 4);
    const days = bytes.readInt32BE(0);
    if (days !== dateInfinity && days !== dateNegInfinity && (days < dateMinDays || days > dateMaxDays)) {
      throw outOfRange('date', String(days));
    }
    return days;
  },
};

function checkTime(value: number): void {
  assert(Number.isSafeInteger(value), 'a time value is an integer number of microseconds');
  if (value < 0 || value > microsPerDay) throw outOfRange('time', String(value));
}

export const timeCodec: Codec<number> = {
  oid: timeOid,
  name: 'time without time zone',
  typeSize: 8,
  writeText(w, value) {
    checkTime(value);
    w.ascii(formatTimeOfDay(value));
  },
  writeBinary(w, value) {
    checkTime(value);
    w.i64Number(value);
  },
  parseText: parseTime,
  parseBinary(bytes) {
    expectBinarySize('time', bytes, 8);
    const v = Number(bytes.readBigInt64BE(0));
    if (v < 0 || v > microsPerDay) throw invalidBinary('time', 'time out of range');
    return v;
  },
};
