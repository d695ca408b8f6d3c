/**
 * Building Raft messages, and checking ones that arrive from the network
 * before the state machine sees them (the trust boundary): every field has
 * the right type and range, so the state machine only reasons about Raft.
 */
import { entryBytesMax, readContextBytesMax } from './limits.ts';
import type { Entry, Message, MessageType, ReplicaId } from './types.ts';

const emptyEntries: readonly Entry[] = Object.freeze([]) as readonly Entry[];

/** A message with every field the caller does not set zeroed. */
export function message(fields: Partial<Message> & { type: MessageType; to: ReplicaId }): Message {
  return { from: 0, term: 0, index: 0, logTerm: 0, entries: emptyEntries, commit: 0, reject: false, rejectHint: 0, ...fields };
}

/** Types that only the local caller produces; from the network they are refused. */
const localTypes: ReadonlySet<MessageType> = new Set<MessageType>(['hup', 'beat', 'snapStatus', 'unreachable']);

/** Answers to a request: from a replica that is not a member, they are ignored. */
const responseTypes: ReadonlySet<MessageType> = new Set<MessageType>([
  'appResp', 'voteResp', 'preVoteResp', 'heartbeatResp', 'readIndexResp', 'snapAck',
]);

/** Types that may travel without a term: forwarded proposals and read requests. */
const termlessTypes: ReadonlySet<MessageType> = new Set<MessageType>(['prop', 'readIndex']);

const knownTypes: ReadonlySet<MessageType> = new Set<MessageType>([
  'hup', 'beat', 'prop', 'app', 'appResp', 'vote', 'voteResp', 'preVote', 'preVoteResp', 'snap', 'snapAck',
  'snapStatus', 'heartbeat', 'heartbeatResp', 'unreachable', 'transferLeader', 'timeoutNow', 'readIndex', 'readIndexResp',
]);

/** Whether only the local caller may produce messages of this type. */
export function isLocalType(type: MessageType): boolean {
  return localTypes.has(type);
}

/** Whether messages of this type answer a request (ignored from non-members). */
export function isResponseType(type: MessageType): boolean {
  return responseTypes.has(type);
}

function isCount(n: unknown): n is number {
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;
}

function checkEntry(e: unknown): string | undefined {
  if (typeof e !== 'object' || e === null) return 'entry is not an object';
  const entry = e as Entry;
  if (!isCount(entry.term) || !isCount(entry.index)) return 'entry term or index out of range';
  if (entry.type !== 'normal' && entry.type !== 'confChange') return 'unknown entry type';
  if (!(entry.data instanceof Uint8Array)) return 'entry data is not bytes';
  if (entry.data.length > entryBytesMax) return 'entry too large';
  return undefined;
}

function checkSnapshot(m: Message): string | undefined {
  const s = m.snapshot;
  if (typeof s !== 'object' || s === null || typeof s.metadata !== 'object' || s.metadata === null) return 'snap without a snapshot';
  if (!isCount(s.metadata.index) || s.metadata.index === 0 || !isCount(s.metadata.term)) return 'snapshot index or term out of range';
  if (!(s.data instanceof Uint8Array)) return 'snapshot data is not bytes';
  if (typeof s.metadata.confState !== 'object' || s.metadata.confState === null) return 'snapshot without a configuration';
  return undefined;
}

/**
 * Why a message from the network is malformed, or undefined when it is well
 * formed. Says nothing about whether it makes sense to Raft (stale terms,
 * indexes beyond the log): the state machine decides that.
 */
export function checkMessage(m: Message, self: ReplicaId): string | undefined {
  if (typeof m !== 'object' || m === null) return 'not an object';
  if (!knownTypes.has(m.type)) return `unknown type ${String(m.type)}`;
  if (localTypes.has(m.type)) return `local message ${m.type} from the network`;
  if (!isCount(m.from) || m.from === 0) return 'invalid sender';
  if (m.from === self) return 'message from self';
  if (m.to !== self) return `addressed to ${m.to}`;
  if (!isCount(m.term) || !isCount(m.index) || !isCount(m.logTerm) || !isCount(m.commit) || !isCount(m.rejectHint)) {
    return 'numeric field out of range';
  }
  if (m.term === 0 && !termlessTypes.has(m.type)) return `${m.type} without a term`;
  if ((m.type === 'app' || m.type === 'vote' || m.type === 'preVote') && m.logTerm > m.term) {
    // A log cannot hold an entry of a term after the sender's.
    return `${m.type} with a log term after its term`;
  }
  if (typeof m.reject !== 'boolean') return 'reject is not a boolean';
  if (!Array.isArray(m.entries)) return 'entries is not an array';
  for (const e of m.entries) {
    const problem = checkEntry(e);
    if (problem) return problem;
  }
  if (m.context !== undefined && !(m.context instanceof Uint8Array)) return 'context is not bytes';
  if (m.context !== undefined && m.context.length > readContextBytesMax) return 'context too large';
  if (m.type === 'snap') return checkSnapshot(m);
  if (m.type === 'prop' && m.entries.length === 0) return 'empty proposal';
  return undefined;
}
