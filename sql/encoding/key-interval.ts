/**
 * Intervals for keys, canonical as PostgreSQL compares them: only the span
 * (months × 30 days + days + microseconds) is stored, so '1 mon' and
 * '30 days' are equal keys. The span can exceed int64, so it is written as
 * floor(span / 1 day) and the remainder, both ordered varints. Decoding
 * yields the justified form: as many whole months as fit int32, then days,
 * then microseconds (what PostgreSQL's justify_interval does, kept in range).
 */
import { int32Max, int32Min, int64Max, int64Min, microsPerDay, type Interval } from './datum.ts';
import { intervalSpanMicros } from './compare.ts';
import { EncodingError } from './errors.ts';
import type { ByteReader } from './reader.ts';
import { readOrderedNumber, skipOrderedInt, writeOrderedInt } from './varint.ts';
import type { ByteWriter } from './writer.ts';

const day = BigInt(microsPerDay);
const month = 30n * day;
const spanMax = (BigInt(int32Max) * 30n + BigInt(int32Max)) * day + int64Max;
const spanMin = (BigInt(int32Min) * 30n + BigInt(int32Min)) * day + int64Min;
const daysMax = Number(spanMax / day);
const daysMin = Number((spanMin - day + 1n) / day); // floor division of a negative span

/** Checks an interval's fields are PostgreSQL's int32, int32, int64. */
export function checkInterval(v: Interval): void {
  if (!Number.isInteger(v.months) || v.months < int32Min || v.months > int32Max) {
    throw new EncodingError(`interval months ${v.months} out of range`);
  }
  if (!Number.isInteger(v.days) || v.days < int32Min || v.days > int32Max) {
    throw new EncodingError(`interval days ${v.days} out of range`);
  }
  const m = v.micros;
  if (typeof m === 'number' ? !Number.isSafeInteger(m) : m < int64Min || m > int64Max) {
    throw new EncodingError(`interval microseconds ${v.micros} out of range`);
  }
}

/** Appends the interval's span. */
export function writeIntervalSpan(w: ByteWriter, v: Interval): void {
  checkInterval(v);
  const span = intervalSpanMicros(v);
  let days = span / day;
  let rest = span - days * day;
  if (rest < 0n) {
    days -= 1n;
    rest += day;
  }
  writeOrderedInt(w, Number(days));
  writeOrderedInt(w, Number(rest));
}

/** Reads a span and returns its justified interval. */
export function readIntervalSpan(r: ByteReader): Interval {
  const days = readOrderedNumber(r, daysMin, daysMax, 'interval days');
  const rest = readOrderedNumber(r, 0, microsPerDay - 1, 'interval microseconds');
  const span = BigInt(days) * day + BigInt(rest);
  if (span > spanMax || span < spanMin) throw new EncodingError('interval span out of range');
  return justify(span);
}

/** Moves past a span. */
export function skipIntervalSpan(r: ByteReader): void {
  skipOrderedInt(r);
  skipOrderedInt(r);
}

function clamp(v: bigint, min: number, max: number): bigint {
  return v < BigInt(min) ? BigInt(min) : v > BigInt(max) ? BigInt(max) : v;
}

/**
 * Months first, then days, each truncated toward zero and clamped to int32;
 * within [spanMin, spanMax] what is left always fits int64.
 */
export function justify(span: bigint): Interval {
  const months = clamp(span / month, int32Min, int32Max);
  let rest = span - months * month;
  const days = clamp(rest / day, int32Min, int32Max);
  rest -= days * day;
  return { months: Number(months), days: Number(days), micros: rest };
}

/** Whether an interval is already in justified form (its key decodes to itself). */
export function isJustified(v: Interval): boolean {
  const j = justify(intervalSpanMicros(v));
  return j.months === v.months && j.days === v.days && j.micros === BigInt(v.micros);
}
