/** How entries count against byte limits (messages, inflight window, Ready). */
import { entryOverheadBytes } from './limits.ts';
import type { Entry } from './types.ts';

/** Bytes an entry counts for in size limits: its payload plus a fixed overhead. */
export function entrySize(entry: Entry): number {
  return entry.data.length + entryOverheadBytes;
}

/** The summed size of `entries`. */
export function entriesSize(entries: readonly Entry[]): number {
  let size = 0;
  for (let i = 0; i < entries.length; i++) size += entries[i]!.data.length + entryOverheadBytes;
  return size;
}

/** Payload bytes only: what the uncommitted-proposal budget counts. */
export function payloadSize(entries: readonly Entry[]): number {
  let size = 0;
  for (let i = 0; i < entries.length; i++) size += entries[i]!.data.length;
  return size;
}

/**
 * The longest prefix of `entries` within `maxBytes`, but always at least one
 * entry so a single large entry still makes progress. Returns `entries`
 * itself (no copy) when everything fits.
 */
export function limitSize<T extends Entry>(entries: T[], maxBytes: number): T[] {
  if (entries.length <= 1) return entries;
  let size = entrySize(entries[0]!);
  let n = 1;
  while (n < entries.length) {
    size += entrySize(entries[n]!);
    if (size > maxBytes) break;
    n++;
  }
  return n === entries.length ? entries : entries.slice(0, n);
}
