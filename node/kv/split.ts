/**
 * Choosing where to split a range: the user key at which about `targetBytes`
 * of the range's records lie to its left. Every version of a key stays on
 * one side, since a split key is a user key and all its records sort together.
 */
import { compareKeys, metaMax } from '../keys/index.ts';
import { decodeMvccKey, intentKey, type Engine } from '../storage/index.ts';
import type { RangeDescriptor } from './descriptor.ts';

export async function findSplitKey(engine: Engine, desc: RangeDescriptor, targetBytes: number): Promise<Buffer | null> {
  const start = compareKeys(desc.startKey, metaMax) < 0 ? metaMax : desc.startKey;
  if (compareKeys(start, desc.endKey) >= 0) return null;
  let bytes = 0;
  for await (const [raw, value] of engine.iterate({ gte: intentKey(start), lt: intentKey(desc.endKey) })) {
    bytes += raw.length + value.length;
    if (bytes < targetBytes) continue;
    const { key } = decodeMvccKey(raw);
    if (compareKeys(key, desc.startKey) > 0 && compareKeys(key, metaMax) >= 0 && compareKeys(key, desc.endKey) < 0) return key;
  }
  return null;
}
