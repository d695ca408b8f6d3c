/**
 * Export and ingest of a key span's raw records (every version and intent),
 * in chunks bounded by bytes: how a new replica receives a range's data.
 * An export reads through one LevelDB iterator, which sees the store as of
 * its creation, so the chunks form a consistent image even while writes go on.
 *
 * Chunk wire format (v1): repeated [keyLength u32 ‖ key ‖ valueLength u32 ‖ value]
 * ‖ crc32 u32 of all that. Ingest verifies the checksum, that every key lies
 * in the span and that every record decodes, before writing anything.
 */
import { crc32 } from 'node:zlib';
import { assert } from '../assert.ts';
import type { Batch, Reader } from './engine.ts';
import { CorruptionError } from './errors.ts';
import { snapshotChunkBytesDefault } from './limits.ts';
import { clearSpan, computeStats, type MvccSpan } from './mvcc.ts';
import { decodeMvccKey, rawSpan } from './mvcc-key.ts';
import { decodeKeySlot, decodeVersionValue } from './mvcc-value.ts';
import { addStats, type MvccStats } from './stats.ts';

/** A chunk of records, checksummed: payload ‖ crc32(4). */
export type SnapshotChunk = Buffer;

export interface ExportOptions {
  /** Target chunk size: a chunk closes once it reaches this many bytes. */
  readonly chunkBytes?: number;
}

/** Streams the span's raw records as chunks of about `chunkBytes` (a number is accepted for chunkBytes). */
export async function* exportSpan(reader: Reader, span: MvccSpan, options: ExportOptions | number = {}): AsyncGenerator<SnapshotChunk> {
  const chunkBytes = typeof options === 'number' ? options : options.chunkBytes ?? snapshotChunkBytesDefault;
  assert(chunkBytes > 0, 'chunk size must be positive');
  const { gte, lt } = rawSpan(span.key, span.endKey);
  let parts: Buffer[] = [];
  let size = 0;
  const flush = (): SnapshotChunk => {
    const payload = Buffer.concat(parts, size);
    const out = Buffer.allocUnsafe(payload.length + 4);
    payload.copy(out, 0);
    out.writeUInt32BE(crc32(payload), payload.length);
    parts = [];
    size = 0;
    return out;
  };
  for await (const entries of reader.iterateChunks({ gte, lt })) {
    for (const [key, value] of entries) {
      const header = Buffer.allocUnsafe(4);
      header.writeUInt32BE(key.length);
      const valueHeader = Buffer.allocUnsafe(4);
      valueHeader.writeUInt32BE(value.length);
      parts.push(header, key, valueHeader, value);
      size += 8 + key.length + value.length;
      if (size >= chunkBytes) yield flush();
    }
  }
  if (size > 0) yield flush();
}

/** Decodes a chunk, verifying its checksum and that every key lies in the span. */
export function decodeChunk(chunk: Uint8Array, span: MvccSpan): Array<[Buffer, Buffer]> {
  const buf = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  if (buf.length < 4) throw new CorruptionError('snapshot chunk is truncated');
  const payload = buf.subarray(0, buf.length - 4);
  if (crc32(payload) !== buf.readUInt32BE(buf.length - 4)) throw new CorruptionError('snapshot chunk checksum mismatch');
  const { gte, lt } = rawSpan(span.key, span.endKey);
  const out: Array<[Buffer, Buffer]> = [];
  let o = 0;
  while (o < payload.length) {
    if (o + 4 > payload.length) throw new CorruptionError('snapshot record is truncated');
    const keyLength = payload.readUInt32BE(o);
    if (o + 4 + keyLength + 4 > payload.length) throw new CorruptionError('snapshot record is truncated');
    const key = payload.subarray(o + 4, o + 4 + keyLength);
    const valueLength = payload.readUInt32BE(o + 4 + keyLength);
    const valueStart = o + 8 + keyLength;
    if (valueStart + valueLength > payload.length) throw new CorruptionError('snapshot record is truncated');
    if (Buffer.compare(key, gte) < 0 || Buffer.compare(key, lt) >= 0) throw new CorruptionError('snapshot record outside its span');
    const value = payload.subarray(valueStart, valueStart + valueLength);
    // The records come from another node: check each decodes before it is stored.
    if (decodeMvccKey(key).timestamp === null) decodeKeySlot(value);
    else decodeVersionValue(value);
    out.push([Buffer.from(key), Buffer.from(value)]);
    o = valueStart + valueLength;
  }
  return out;
}

/**
 * Replaces the span's contents with the chunks' records; the stats of the old
 * contents are subtracted and those of the new added, so `stats` stays exact.
 * A chunk that fails to verify throws CorruptionError; the caller drops the batch.
 */
export async function ingestSpan(batch: Batch, stats: MvccStats, span: MvccSpan, chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>): Promise<void> {
  await clearSpan(batch, stats, span);
  for await (const chunk of chunks) {
    for (const [key, value] of decodeChunk(chunk, span)) batch.put(key, value);
  }
  addStats(stats, await computeStats(batch, span));
}
