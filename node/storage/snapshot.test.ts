import { crc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { timestamp } from '../hlc/index.ts';
import { CorruptionError } from './errors.ts';
import { computeStats, mvccPut, mvccScan } from './mvcc.ts';
import { decodeChunk, exportSpan, ingestSpan } from './snapshot.ts';
import { emptyStats } from './stats.ts';
import { withEngine } from './test-util.test-helper.ts';

const span = { key: Buffer.from('a'), endKey: Buffer.from('m') };

describe('span snapshots', () => {
  it('round trip every version and intent in bounded chunks', () => withEngine((source) => withEngine(async (target) => {
    const stats = emptyStats();
    const batch = source.newBatch();
    for (let i = 0; i < 200; i++) {
      const key = Buffer.from(`b${String(i).padStart(3, '0')}`);
      await mvccPut(batch, stats, key, timestamp(10), Buffer.alloc(50, i));
      await mvccPut(batch, stats, key, timestamp(20), Buffer.alloc(50, i + 1));
    }
    await mvccPut(batch, stats, Buffer.from('c'), timestamp(30), Buffer.from('intent'), {
      txn: { id: Buffer.alloc(16, 1), epoch: 0, writeTimestamp: timestamp(30), sequence: 1, priority: 0 },
    });
    await mvccPut(batch, stats, Buffer.from('z'), timestamp(10), Buffer.from('outside'));
    await batch.commit({ sync: false });

    const chunks: Buffer[] = [];
    for await (const chunk of exportSpan(source, span, { chunkBytes: 4096 })) chunks.push(chunk);
    expect(chunks.length).toBeGreaterThan(4);
    for (const chunk of chunks) expect(chunk.length).toBeLessThan(4096 + 200);

    const targetStats = emptyStats();
    const pre = target.newBatch();
    await mvccPut(pre, targetStats, Buffer.from('b999'), timestamp(1), Buffer.from('stale'));
    await pre.commit({ sync: false });
    const ingest = target.newBatch();
    await ingestSpan(ingest, targetStats, span, chunks);
    await ingest.commit({ sync: true });

    expect(targetStats).toEqual(await computeStats(target, span));
    expect(targetStats).toEqual(await computeStats(source, span));
    const read = await mvccScan(target, span, timestamp(15), { inconsistent: true });
    expect(read.rows).toHaveLength(200);
    expect(read.rows.some((r) => r.key.toString() === 'b999')).toBe(false);
  })));

  it('rejects corrupt chunks and records outside the span', () => withEngine(async (engine) => {
    const stats = emptyStats();
    const batch = engine.newBatch();
    await mvccPut(batch, stats, Buffer.from('b'), timestamp(1), Buffer.from('x'));
    await batch.commit({ sync: false });
    const [chunk] = await (async () => { const out: Buffer[] = []; for await (const c of exportSpan(engine, span)) out.push(c); return out; })();
    const corrupt = Buffer.from(chunk!);
    corrupt[3]! ^= 0xff;
    expect(() => decodeChunk(corrupt, span)).toThrow(CorruptionError);
    expect(() => decodeChunk(chunk!, { key: Buffer.from('c'), endKey: Buffer.from('d') })).toThrow(/outside its span/);
    expect(() => decodeChunk(Buffer.from([1, 2]), span)).toThrow(CorruptionError);
  }));

  it('exports the span as of the export\'s start while writes go on', () => withEngine((source) => withEngine(async (target) => {
    const stats = emptyStats();
    let batch = source.newBatch();
    // More records than one iterator step reads, so the export reads on after the writes below.
    for (let i = 0; i < 3000; i++) await mvccPut(batch, stats, Buffer.from(`c${i}`), timestamp(10), Buffer.alloc(10, i));
    await batch.commit({ sync: false });
    const exported = exportSpan(source, span, { chunkBytes: 1024 });
    const chunks: Buffer[] = [];
    const first = await exported.next();
    chunks.push(first.value as Buffer);
    // Written after the export began: not part of it.
    batch = source.newBatch();
    await mvccPut(batch, stats, Buffer.from('c9999'), timestamp(20), Buffer.from('late'));
    await mvccPut(batch, stats, Buffer.from('c1'), timestamp(20), Buffer.from('late'));
    await batch.commit({ sync: false });
    for await (const chunk of exported) chunks.push(chunk);
    const targetStats = emptyStats();
    const ingest = target.newBatch();
    await ingestSpan(ingest, targetStats, span, chunks);
    await ingest.commit({ sync: false });
    const read = await mvccScan(target, span, timestamp(30));
    expect(read.rows).toHaveLength(3000);
    expect(read.rows.every((r) => r.timestamp.wallMicros === 10)).toBe(true);
  })));

  it('refuses a record that does not decode even under a valid chunk checksum', () => withEngine(async (engine) => {
    const stats = emptyStats();
    const batch = engine.newBatch();
    await mvccPut(batch, stats, Buffer.from('b'), timestamp(1), Buffer.from('x'));
    await batch.commit({ sync: false });
    const chunks: Buffer[] = [];
    for await (const c of exportSpan(engine, span)) chunks.push(c);
    const chunk = Buffer.from(chunks[0]!);
    const payload = chunk.subarray(0, chunk.length - 4);
    // Flip a payload byte of the value and re-seal the chunk: only the record check can catch it.
    payload[payload.length - 1]! ^= 0x01;
    chunk.writeUInt32BE(crc32(payload), payload.length);
    expect(() => decodeChunk(chunk, span)).toThrow(CorruptionError);
    const ingest = engine.newBatch();
    await expect(ingestSpan(ingest, stats, span, [chunk])).rejects.toBeInstanceOf(CorruptionError);
  }));
});
