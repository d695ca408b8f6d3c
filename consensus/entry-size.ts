import type { Entry } from './types.ts';

/** Bytes an entry counts for in size limits: its payload plus a fixed overhead. */
export function entrySize(entry: Entry): number {
  return entry.data.length + 24;
}

export function entriesSize(entries: readonly Entry[]): number {
  let size = 0;
  for (const e of entries) size += entrySize(e);
  return size;
}

/** The longest prefix of `entries` within `maxBytes` (always at least one entry). */
export function limitSize(entries: Entry[], maxBytes: number): Entry[] {
  if (entries.length === 0) return entries;
  let size = entrySize(entries[0]!);
  let n = 1;
  while (n < entries.length) {
    size += entrySize(entries[n]!);
    if (size > maxBytes) break;
    n++;
  }
  return n === entries.length ? entries : entries.slice(0, n);
}
