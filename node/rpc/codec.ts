/**
 * Encoding of Meridian's wire messages with protobufjs (reflection over
 * meridian.proto, loaded once), and the mapping between protobuf messages and
 * the consensus library's plain objects. 64-bit integers are decoded as
 * numbers: every ID, term and index stays below 2^53.
 */
import { existsSync, readFileSync } from 'node:fs';
import protobuf from 'protobufjs';
import type { ConfState, Entry, Message, MessageType } from '../../consensus/index.ts';

/** The schema sits beside this module in the sources; a build in dist/ reads it from the sources. */
function schemaText(): string {
  for (const relative of ['./meridian.proto', '../../../node/rpc/meridian.proto']) {
    const url = new URL(relative, import.meta.url);
    if (existsSync(url)) return readFileSync(url, 'utf8');
  }
  throw new Error('meridian.proto not found');
}

const root = protobuf.parse(schemaText(), { keepCase: false }).root;

const type = (name: string) => root.lookupType(`meridian.${name}`);
export const RaftBatchType = type('RaftBatch');
export const RaftAckType = type('RaftAck');
export const KvRequestType = type('KvRequest');
export const KvResponseType = type('KvResponse');
export const BatchRequestType = type('BatchRequest');
export const BatchResponseType = type('BatchResponse');
export const AdminRequestType = type('AdminRequest');
export const AdminResponseType = type('AdminResponse');
export const StatusRequestType = type('StatusRequest');
export const StatusResponseType = type('StatusResponse');
export const BootstrapRequestType = type('BootstrapRequest');
export const BootstrapResponseType = type('BootstrapResponse');
export const FaultRequestType = type('FaultRequest');
export const FaultResponseType = type('FaultResponse');

const toObjectOptions = { longs: Number, bytes: Buffer, defaults: true, arrays: true } as const;

/** Decodes bytes into a plain object with numbers for 64-bit fields; throws on malformed input. */
export function decodeMessage<T>(t: protobuf.Type, bytes: Uint8Array): T {
  return t.toObject(t.decode(bytes), toObjectOptions) as T;
}

/**
 * Encodes a plain object (callers build them from typed values; decoding is
 * where untrusted bytes are checked, so encoding skips protobufjs' verify).
 */
export function encodeMessage(t: protobuf.Type, value: object): Buffer {
  return Buffer.from(t.encode(t.fromObject(value)).finish());
}

const messageTypes: readonly MessageType[] = [
  'hup', 'beat', 'prop', 'app', 'appResp', 'vote', 'voteResp', 'preVote', 'preVoteResp', 'snap', 'snapAck', 'snapStatus',
  'heartbeat', 'heartbeatResp', 'unreachable', 'transferLeader', 'timeoutNow', 'readIndex', 'readIndexResp',
];

interface WireConfState { voters: number[]; votersOutgoing: number[]; learners: number[]; learnersNext: number[]; autoLeave: boolean }
interface WireEntry { term: number; index: number; type: number; data: Buffer }
export interface WireRaftMessage {
  type: number; from: number; to: number; term: number; index: number; logTerm: number; entries: WireEntry[];
  commit: number; reject: boolean; rejectHint: number; snapshot?: { metadata?: { index: number; term: number; confState?: WireConfState }; data: Buffer };
  context: Buffer; quiesce: boolean; snapshotOffset: number; snapshotBytes: number; hasSnapshot: boolean; hasContext: boolean;
}

function confToWire(c: ConfState): WireConfState {
  return { voters: [...c.voters], votersOutgoing: [...c.votersOutgoing], learners: [...c.learners], learnersNext: [...c.learnersNext], autoLeave: c.autoLeave };
}

function confFromWire(c: WireConfState | undefined): ConfState {
  return { voters: c?.voters ?? [], votersOutgoing: c?.votersOutgoing ?? [], learners: c?.learners ?? [], learnersNext: c?.learnersNext ?? [], autoLeave: c?.autoLeave ?? false };
}

export function messageToWire(m: Message): WireRaftMessage {
  return {
    type: messageTypes.indexOf(m.type), from: m.from, to: m.to, term: m.term, index: m.index, logTerm: m.logTerm,
    entries: m.entries.map((e) => ({ term: e.term, index: e.index, type: e.type === 'confChange' ? 1 : 0, data: Buffer.from(e.data) })),
    commit: m.commit, reject: m.reject, rejectHint: m.rejectHint,
    ...(m.snapshot ? { snapshot: { metadata: { index: m.snapshot.metadata.index, term: m.snapshot.metadata.term, confState: confToWire(m.snapshot.metadata.confState) }, data: Buffer.from(m.snapshot.data) } } : {}),
    context: Buffer.from(m.context ?? new Uint8Array(0)), quiesce: m.quiesce ?? false,
    snapshotOffset: m.snapshotOffset ?? 0, snapshotBytes: m.snapshotBytes ?? -1,
    hasSnapshot: m.snapshot !== undefined, hasContext: m.context !== undefined,
  };
}

/** The consensus message a wire message carries; null for an unknown message type. */
export function messageFromWire(w: WireRaftMessage): Message | null {
  const type = messageTypes[w.type];
  if (!type) return null;
  const entries: Entry[] = w.entries.map((e) => ({ term: e.term, index: e.index, type: e.type === 1 ? 'confChange' : 'normal', data: e.data }));
  return {
    type, from: w.from, to: w.to, term: w.term, index: w.index, logTerm: w.logTerm, entries, commit: w.commit, reject: w.reject,
    rejectHint: w.rejectHint,
    ...(w.hasSnapshot && w.snapshot ? { snapshot: { metadata: { index: w.snapshot.metadata?.index ?? 0, term: w.snapshot.metadata?.term ?? 0, confState: confFromWire(w.snapshot.metadata?.confState) }, data: w.snapshot.data } } : {}),
    ...(w.hasContext ? { context: w.context } : {}),
    ...(w.quiesce ? { quiesce: true } : {}),
    ...(w.snapshotBytes >= 0 ? { snapshotOffset: w.snapshotOffset, snapshotBytes: w.snapshotBytes } : {}),
  };
}
