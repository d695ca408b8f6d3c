/**
 * A replicated command: the raw engine writes a leaseholder's evaluation
 * produced, with the MVCC statistics they change, tagged with an ID so the
 * proposer can match the applied entry to its waiting request.
 *
 *   version(1)=1 ‖ id(16) ‖ count(4) ‖ count × [keyLength(4) ‖ key ‖ valueLength(4, 0xffffffff = delete) ‖ value]
 *   ‖ stats: 8 × int64 (liveBytes, liveCount, keyBytes, keyCount, valBytes, valCount, intentBytes, intentCount)
 *   version(1)=2 ‖ id(16) ‖ truncateLogTo(8): a log truncation, replicated so every replica drops the same prefix
 */
import { emptyStats, type MvccStats } from '../storage/index.ts';

export interface RawWrite {
  readonly key: Buffer;
  /** Null deletes the key. */
  readonly value: Buffer | null;
}

export interface Command {
  readonly id: Buffer;
  readonly writes: readonly RawWrite[];
  readonly stats: MvccStats;
  /** Drop the Raft log up to this index on every replica (0: no truncation). */
  readonly truncateLogTo?: number;
}

export class CommandDecodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CommandDecodeError';
  }
}

const statFields = ['liveBytes', 'liveCount', 'keyBytes', 'keyCount', 'valBytes', 'valCount', 'intentBytes', 'intentCount'] as const;
const deleteMarker = 0xffff_ffff;

export function encodeCommand(command: Command): Buffer {
  if (command.truncateLogTo) {
    const out = Buffer.alloc(25);
    out[0] = 2;
    command.id.copy(out, 1, 0, 16);
    out.writeBigUInt64BE(BigInt(command.truncateLogTo), 17);
    return out;
  }
  let size = 1 + 16 + 4 + statFields.length * 8;
  for (const w of command.writes) size += 8 + w.key.length + (w.value?.length ?? 0);
  const out = Buffer.allocUnsafe(size);
  out[0] = 1;
  command.id.copy(out, 1, 0, 16);
  out.writeUInt32BE(command.writes.length, 17);
  let o = 21;
  for (const w of command.writes) {
    out.writeUInt32BE(w.key.length, o);
    w.key.copy(out, o + 4);
    o += 4 + w.key.length;
    if (w.value) {
      out.writeUInt32BE(w.value.length, o);
      w.value.copy(out, o + 4);
      o += 4 + w.value.length;
    } else {
      out.writeUInt32BE(deleteMarker, o);
      o += 4;
    }
  }
  for (const f of statFields) {
    out.writeBigInt64BE(BigInt(command.stats[f]), o);
    o += 8;
  }
  return out;
}

export function decodeCommand(data: Uint8Array): Command {
  const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (buf.length === 25 && buf[0] === 2) {
    const truncateLogTo = Number(buf.readBigUInt64BE(17));
    if (!Number.isSafeInteger(truncateLogTo) || truncateLogTo <= 0) throw new CommandDecodeError('bad truncation index');
    return { id: Buffer.from(buf.subarray(1, 17)), writes: [], stats: emptyStats(), truncateLogTo };
  }
  if (buf.length < 21 || buf[0] !== 1) throw new CommandDecodeError('bad command header');
  const id = Buffer.from(buf.subarray(1, 17));
  const count = buf.readUInt32BE(17);
  let o = 21;
  const writes: RawWrite[] = [];
  for (let i = 0; i < count; i++) {
    if (o + 4 > buf.length) throw new CommandDecodeError('truncated command');
    const keyLength = buf.readUInt32BE(o);
    if (o + 8 + keyLength > buf.length) throw new CommandDecodeError('truncated command key');
    const key = Buffer.from(buf.subarray(o + 4, o + 4 + keyLength));
    o += 4 + keyLength;
    const valueLength = buf.readUInt32BE(o);
    o += 4;
    if (valueLength === deleteMarker) {
      writes.push({ key, value: null });
      continue;
    }
    if (o + valueLength > buf.length) throw new CommandDecodeError('truncated command value');
    writes.push({ key, value: Buffer.from(buf.subarray(o, o + valueLength)) });
    o += valueLength;
  }
  if (o + statFields.length * 8 !== buf.length) throw new CommandDecodeError('bad command length');
  const stats = {} as MvccStats;
  for (const f of statFields) {
    stats[f] = Number(buf.readBigInt64BE(o));
    o += 8;
  }
  return { id, writes, stats };
}
