/**
 * A replicated command: the raw engine writes a leaseholder's evaluation
 * produced, with the MVCC statistics they change, the lease sequence it was
 * proposed under (a command from a replaced lease is rejected at apply), an
 * optional trigger that changes the range itself (lease, split, log
 * truncation), and an ID so the proposer can match the applied entry to its
 * waiting request.
 *
 *   version(1)=3 ‖ id(16) ‖ leaseSequence(4) ‖ triggerLength(4) ‖ trigger (JSON)
 *   ‖ count(4) ‖ count × [keyLength(4) ‖ key ‖ valueLength(4, 0xffffffff = delete) ‖ value]
 *   ‖ stats: 8 × int64 (liveBytes, liveCount, keyBytes, keyCount, valBytes, valCount, intentBytes, intentCount)
 *
 * Version history: 3 (first with leases and triggers).
 */
import { emptyStats, type MvccStats } from '../storage/index.ts';
import { decodeLease, encodeLease, type LeaseChange } from './lease.ts';
import { descriptorFromJson, descriptorToJson, type RangeDescriptor } from './descriptor.ts';

export interface RawWrite {
  readonly key: Buffer;
  /** Null deletes the key. */
  readonly value: Buffer | null;
}

/** A split: the left side keeps the range ID; the right side is a new range on the same replicas. */
export interface SplitTrigger {
  readonly left: RangeDescriptor;
  readonly right: RangeDescriptor;
  /** The right side's MVCC stats (the command's stats delta takes them off the left). */
  readonly rightStats: MvccStats;
}

export type Trigger =
  | { readonly type: 'truncateLog'; readonly index: number }
  | { readonly type: 'lease'; readonly change: LeaseChange }
  | { readonly type: 'split'; readonly split: SplitTrigger };

export interface Command {
  readonly id: Buffer;
  /** The lease sequence the proposer held (0 for commands that do not need a lease). */
  readonly leaseSequence: number;
  readonly writes: readonly RawWrite[];
  readonly stats: MvccStats;
  readonly trigger?: Trigger;
}

export class CommandDecodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CommandDecodeError';
  }
}

const version = 3;
const statFields = ['liveBytes', 'liveCount', 'keyBytes', 'keyCount', 'valBytes', 'valCount', 'intentBytes', 'intentCount'] as const;
const deleteMarker = 0xffff_ffff;

function triggerToJson(trigger: Trigger): unknown {
  switch (trigger.type) {
    case 'truncateLog': return trigger;
    case 'lease': return { type: 'lease', change: { ...trigger.change, lease: encodeLease(trigger.change.lease) } };
    case 'split': return {
      type: 'split',
      split: { left: descriptorToJson(trigger.split.left), right: descriptorToJson(trigger.split.right), rightStats: trigger.split.rightStats },
    };
  }
}

function triggerFromJson(raw: unknown): Trigger {
  const bad = (): never => { throw new CommandDecodeError('malformed trigger'); };
  if (!raw || typeof raw !== 'object') return bad();
  const t = raw as Record<string, unknown>;
  switch (t.type) {
    case 'truncateLog':
      if (!Number.isSafeInteger(t.index) || (t.index as number) <= 0) return bad();
      return { type: 'truncateLog', index: t.index as number };
    case 'lease': {
      const c = t.change as Record<string, unknown> | undefined;
      const lease = decodeLease(c?.lease);
      if (!c || !lease || !Number.isSafeInteger(c.previousSequence) || typeof c.transfer !== 'boolean') return bad();
      return { type: 'lease', change: { previousSequence: c.previousSequence as number, lease, transfer: c.transfer } };
    }
    case 'split': {
      const s = t.split as Record<string, unknown> | undefined;
      if (!s) return bad();
      try {
        const rightStats = { ...emptyStats() };
        const rs = s.rightStats as Record<string, unknown>;
        for (const f of statFields) {
          if (!Number.isSafeInteger(rs?.[f])) return bad();
          rightStats[f] = rs[f] as number;
        }
        return { type: 'split', split: { left: descriptorFromJson(s.left), right: descriptorFromJson(s.right), rightStats } };
      } catch (error) {
        if (error instanceof CommandDecodeError) throw error;
        return bad();
      }
    }
    default:
      return bad();
  }
}

export function encodeCommand(command: Command): Buffer {
  const trigger = command.trigger ? Buffer.from(JSON.stringify(triggerToJson(command.trigger))) : Buffer.alloc(0);
  let size = 1 + 16 + 4 + 4 + trigger.length + 4 + statFields.length * 8;
  for (const w of command.writes) size += 8 + w.key.length + (w.value?.length ?? 0);
  const out = Buffer.allocUnsafe(size);
  out[0] = version;
  command.id.copy(out, 1, 0, 16);
  out.writeUInt32BE(command.leaseSequence, 17);
  out.writeUInt32BE(trigger.length, 21);
  trigger.copy(out, 25);
  let o = 25 + trigger.length;
  out.writeUInt32BE(command.writes.length, o);
  o += 4;
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
  if (buf.length < 29 || buf[0] !== version) throw new CommandDecodeError('bad command header');
  const id = Buffer.from(buf.subarray(1, 17));
  const leaseSequence = buf.readUInt32BE(17);
  const triggerLength = buf.readUInt32BE(21);
  if (25 + triggerLength + 4 > buf.length) throw new CommandDecodeError('truncated trigger');
  let trigger: Trigger | undefined;
  if (triggerLength > 0) {
    let raw: unknown;
    try {
      raw = JSON.parse(buf.subarray(25, 25 + triggerLength).toString('utf8'));
    } catch {
      throw new CommandDecodeError('malformed trigger');
    }
    trigger = triggerFromJson(raw);
  }
  let o = 25 + triggerLength;
  const count = buf.readUInt32BE(o);
  o += 4;
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
  return trigger ? { id, leaseSequence, writes, stats, trigger } : { id, leaseSequence, writes, stats };
}
