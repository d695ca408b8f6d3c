/**
 * MVCC statistics, kept incrementally: every MVCC operation adds its delta
 * into a stats object the caller owns (a range persists its stats in its
 * applied state; splits divide them; tenants are billed by them).
 * computeStats() recomputes them from scratch for verification.
 *
 * Definitions (bytes are of the stored records, keys as encoded on disk):
 * - keyCount: user keys with at least one record (version or intent).
 * - keyBytes / valBytes / valCount: all records, intents included.
 * - liveCount / liveBytes: keys whose newest record (the intent when there is
 *   one, else the newest version) holds a value, and that record's bytes.
 * - intentCount / intentBytes: intent records.
 */

export interface MvccStats {
  liveBytes: number;
  liveCount: number;
  keyBytes: number;
  keyCount: number;
  valBytes: number;
  valCount: number;
  intentBytes: number;
  intentCount: number;
}

export function emptyStats(): MvccStats {
  return { liveBytes: 0, liveCount: 0, keyBytes: 0, keyCount: 0, valBytes: 0, valCount: 0, intentBytes: 0, intentCount: 0 };
}

/** keyBytes + valBytes: what the data occupies before compression. */
export function totalBytes(stats: MvccStats): number {
  return stats.keyBytes + stats.valBytes;
}

/** target += delta (or -= when sign is -1). */
export function addStats(target: MvccStats, delta: MvccStats, sign: 1 | -1 = 1): void {
  target.liveBytes += sign * delta.liveBytes;
  target.liveCount += sign * delta.liveCount;
  target.keyBytes += sign * delta.keyBytes;
  target.keyCount += sign * delta.keyCount;
  target.valBytes += sign * delta.valBytes;
  target.valCount += sign * delta.valCount;
  target.intentBytes += sign * delta.intentBytes;
  target.intentCount += sign * delta.intentCount;
}

/** The newest record of a key, as far as liveness is concerned. */
export interface TopRecord {
  readonly keyBytes: number;
  readonly valBytes: number;
  readonly live: boolean;
}

/** Counts a record that was written (sign 1) or removed (sign -1). */
export function countRecord(stats: MvccStats, keyBytes: number, valBytes: number, intent: boolean, sign: 1 | -1): void {
  stats.keyBytes += sign * keyBytes;
  stats.valBytes += sign * valBytes;
  stats.valCount += sign;
  if (intent) {
    stats.intentBytes += sign * (keyBytes + valBytes);
    stats.intentCount += sign;
  }
}

/** Accounts for a key's top record and existence changing from `before` to `after`. */
export function countTopChange(
  stats: MvccStats,
  before: { top: TopRecord | null; exists: boolean },
  after: { top: TopRecord | null; exists: boolean },
): void {
  if (before.exists !== after.exists) stats.keyCount += after.exists ? 1 : -1;
  if (before.top?.live) {
    stats.liveCount -= 1;
    stats.liveBytes -= before.top.keyBytes + before.top.valBytes;
  }
  if (after.top?.live) {
    stats.liveCount += 1;
    stats.liveBytes += after.top.keyBytes + after.top.valBytes;
  }
}
