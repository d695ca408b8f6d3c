/**
 * Decimal magnitudes for keys, in canonical form (trailing zeros dropped, so
 * 1.10 and 1.1 encode alike). A positive value is written as 0.m × 100^E
 * with a non-zero first base-100 digit:
 *
 *   orderedVarint(E) ‖ one byte per base-100 digit pair
 *
 * Every pair but the last is written as 2·p + 1 (odd), the last as 2·p
 * (even, and non-zero since the last pair is), so the mantissa needs no
 * terminator and a shorter mantissa sorts before its extensions. E orders
 * by magnitude first. A negative value writes the complement of its
 * magnitude's bytes, so larger magnitudes sort first (SQLite4's scheme,
 * which CockroachDB also follows).
 */
import type { Decimal } from './datum.ts';
import { checkDecimalRange, stripTrailingZeros } from './decimal.ts';
import { EncodingError } from './errors.ts';
import { decimalFractionDigitsMax, decimalIntegerDigitsMax } from './limits.ts';
import type { ByteReader } from './reader.ts';
import { readOrderedNumber, skipOrderedInt, writeOrderedInt } from './varint.ts';
import type { ByteWriter } from './writer.ts';

const exponentMax = Math.ceil(decimalIntegerDigitsMax / 2);
const exponentMin = -Math.ceil(decimalFractionDigitsMax / 2) - 1;
const pairsMax = Math.ceil((decimalIntegerDigitsMax + decimalFractionDigitsMax) / 2) + 2;
const twoDigits: string[] = Array.from({ length: 100 }, (_, i) => (i < 10 ? `0${i}` : String(i)));

/** Appends the magnitude of a non-zero finite decimal (the caller writes the tag and inverts negatives). */
export function writeDecimalMagnitude(w: ByteWriter, value: Extract<Decimal, { kind: 'finite' }>): void {
  checkDecimalRange(value);
  const negative = value.coefficient < 0n;
  const { digits, stripped } = stripTrailingZeros((negative ? -value.coefficient : value.coefficient).toString());
  const scale = value.scale - stripped;
  const pointPos = digits.length - scale; // digits before the point (≤ 0: zeros after it)
  const exponent = Math.ceil(pointPos / 2);
  const lead = 2 * exponent - pointPos; // 0 or 1 zero in front aligns pairs to the point
  const pairs = Math.ceil((lead + digits.length) / 2);
  writeOrderedInt(w, exponent);
  const at = w.reserve(pairs);
  const t = w.target;
  for (let k = 0; k < pairs; k++) {
    const j = 2 * k - lead;
    const hi = j >= 0 ? digits.charCodeAt(j) - 48 : 0;
    const lo = j + 1 < digits.length ? digits.charCodeAt(j + 1) - 48 : 0;
    const pair = hi * 10 + lo;
    t[at + k] = k < pairs - 1 ? 2 * pair + 1 : 2 * pair;
  }
}

/** Reads a magnitude written by `writeDecimalMagnitude` (the reader's flip already set for its sign). */
export function readDecimalMagnitude(r: ByteReader, negative: boolean): Decimal {
  const exponent = readOrderedNumber(r, exponentMin, exponentMax, 'decimal exponent');
  let digits = '';
  let pairs = 0;
  for (;;) {
    const b = r.byte();
    const pair = b >> 1;
    if (pair > 99) throw new EncodingError(`bad decimal digit byte 0x${b.toString(16)}`);
    if (pairs === 0 && pair === 0) throw new EncodingError('decimal mantissa starts with a zero pair');
    digits += twoDigits[pair]!;
    pairs++;
    if ((b & 1) === 0) {
      if (pair === 0) throw new EncodingError('decimal mantissa ends with a zero pair');
      break;
    }
    if (pairs >= pairsMax) throw new EncodingError('decimal mantissa is too long');
  }
  // value = 0.digits × 100^E = digits × 10^(2E − 2·pairs)
  const trailingZero = digits.charCodeAt(digits.length - 1) === 48 ? 1 : 0;
  const magnitude = BigInt(trailingZero ? digits.slice(0, -1) : digits);
  const value: Decimal = {
    kind: 'finite',
    coefficient: negative ? -magnitude : magnitude,
    scale: 2 * pairs - 2 * exponent - trailingZero,
  };
  checkDecimalRange(value);
  return value;
}

/** Moves past a magnitude. */
export function skipDecimalMagnitude(r: ByteReader): void {
  skipOrderedInt(r);
  for (let pairs = 0; pairs < pairsMax; pairs++) {
    if ((r.byte() & 1) === 0) return;
  }
  throw new EncodingError('decimal mantissa is too long');
}
