/**
 * Export and ingest of a key span's raw records (every version and intent),
 * in chunks bounded by bytes: how a new replica receives a range's data.
 * Chunk wire format: repeated [keyLength u32 ‖ key ‖ valueLength u32 ‖ value].
 */
import { crc32 } from 'node:zlib';
import type { Batch, Reader } from './engine.ts';
import { CorruptionError } from './errors.ts';
import { snapshotChunkBytesDefault } from './limits.ts';
import { clearSpan, computeStats, type MvccSpan } from './mvcc.ts';
import { decodeMvccKey, rawSpan } from './mvcc-key.ts';
import { addStats, type MvccStats } from './stats.ts';

/** A chunk of records, checksummed: payload ‖ crc32(4). */
export type SnapshotChunk = Buffer;

/** Streams the span's raw records as chunks of about `chunkBytes`. */
export async function* exportSpan(reader: Reader, span: MvccSpan, chunkBytes = snapshotChunkBytesDefault): AsyncGenerator<SnapshotChunk> {
  const { gte, lt } = rawSpan(span.key, span.endKey);
  let parts: Buffer[] = [];
  let size = 0;
  const flush = (): SnapshotChunk => {
    const payload = Buffer.concat(parts);
    const out = Buffer.allocUnsafe(payload.length + 4);
    payload.copy(out, 0);
    out.writeUInt32BE(crc32(payload), payload.length);
    parts = [];
    size = 0;
    return out;
  };
  for await (const [key, value] of reader.iterate({ gte, lt })) {
    const header = Buffer.allocUnsafe(4);
    header.writeUInt32BE(key.length);
    const valueHeader = Buffer.allocUnsafe(4);
    valueHeader.writeUInt32BE(value.length);
    parts.push(header, key, valueHeader, value);
    size += 8 + key.length + value.length;
    if (size >= chunkBytes) yield flush();
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
    decodeMvccKey(key);
    out.push([Buffer.from(key), Buffer.from(payload.subarray(valueStart, valueStart + valueLength))]);
    o = valueStart + valueLength;
  }
  return out;
}

/**
 * Replaces the span's contents with the chunks' records; the stats of the old
 * contents are subtracted and those of the new added, so `stats` stays exact.
 */
export async function ingestSpan(batch: Batch, stats: MvccStats, span: MvccSpan, chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>): Promise<void> {
  await clearSpan(batch, stats, span);
  for await (const chunk of chunks) {
    for (const [key, value] of decodeChunk(chunk, span)) batch.put(key, value);
  }
  addStats(stats, await computeStats(batch, span));
}
