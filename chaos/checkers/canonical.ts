/**
 * Canonical JSON text of history values, so that values can be compared and
 * used as map keys: `{a: 1, b: 2}` and `{b: 2, a: 1}` are the same value.
 */
import type { HistoryValue } from '../history/event.ts';

/** JSON text with object keys sorted (recursively); primitives as JSON.stringify gives them. */
export function canonical(value: HistoryValue | undefined): string {
  if (value === undefined) return 'undefined';
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${(value as readonly HistoryValue[]).map(canonical).join(',')}]`;
  const obj = value as { readonly [key: string]: HistoryValue };
  const keys = Object.keys(obj).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical(obj[k])}`).join(',')}}`;
}
