/**
 * Applying membership changes to a configuration: simple changes (at most one
 * voter added or removed), entering a joint configuration, and leaving it
 * (Raft thesis §4.3, as etcd-io/raft's confchange package structures it).
 * Pure: returns a new configuration or throws ConfChangeError.
 */
import { cloneConfig, isJoint, type TrackerConfig } from './tracker.ts';
import type { ConfChange, ConfChangeSingle, ConfChangeType, ReplicaId } from './types.ts';

export class ConfChangeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfChangeError';
  }
}

function applyOne(c: TrackerConfig, change: ConfChangeSingle): void {
  const id = change.replicaId;
  if (!Number.isSafeInteger(id) || id <= 0) throw new ConfChangeError(`invalid replica ID ${id}`);
  switch (change.type) {
    case 'addVoter':
      c.learners.delete(id);
      c.learnersNext.delete(id);
      c.voters.add(id);
      return;
    case 'addLearner':
      if (c.learners.has(id)) return;
      c.voters.delete(id);
      c.learnersNext.delete(id);
      // A voter of the outgoing half stays a voter until the joint config is left.
      if (c.votersOutgoing.has(id)) c.learnersNext.add(id);
      else c.learners.add(id);
      return;
    case 'removeReplica':
      c.voters.delete(id);
      c.learners.delete(id);
      c.learnersNext.delete(id);
      return;
    default:
      throw new ConfChangeError(`unknown change type ${String((change as { type: unknown }).type)}`);
  }
}

function checkInvariants(c: TrackerConfig): void {
  for (const id of c.learners) {
    if (c.voters.has(id) || c.votersOutgoing.has(id)) throw new ConfChangeError(`${id} is both learner and voter`);
  }
  for (const id of c.learnersNext) {
    if (!c.votersOutgoing.has(id)) throw new ConfChangeError(`${id} is in learnersNext but not an outgoing voter`);
  }
  if (!isJoint(c) && c.autoLeave) throw new ConfChangeError('autoLeave outside a joint configuration');
}

function symmetricDifference(a: Set<ReplicaId>, b: Set<ReplicaId>): number {
  let n = 0;
  for (const x of a) if (!b.has(x)) n++;
  for (const x of b) if (!a.has(x)) n++;
  return n;
}

/** Whether a change needs joint consensus (several voter changes, or asked for). */
export function needsJoint(change: ConfChange): boolean {
  if (change.changes.length === 0) return false;
  if (change.transition !== 'auto') return true;
  return change.changes.length > 1;
}

/** The configuration after `change`; leaving joint when the change list is empty. */
export function applyConfChange(config: TrackerConfig, change: ConfChange): TrackerConfig {
  if (change.changes.length === 0) return leaveJoint(config);
  const next = cloneConfig(config);
  if (needsJoint(change)) {
    if (isJoint(config)) throw new ConfChangeError('configuration is already joint');
    if (config.voters.size === 0) throw new ConfChangeError('cannot make a zero-voter configuration joint');
    next.votersOutgoing = new Set(config.voters);
    for (const c of change.changes) applyOne(next, c);
    next.autoLeave = change.transition !== 'jointExplicit';
  } else {
    if (isJoint(config)) throw new ConfChangeError('cannot apply a simple change in a joint configuration');
    for (const c of change.changes) applyOne(next, c);
    if (symmetricDifference(config.voters, next.voters) > 1) {
      throw new ConfChangeError('more than one voter changed without joint consensus');
    }
  }
  if (next.voters.size === 0) throw new ConfChangeError('removed all voters');
  checkInvariants(next);
  return next;
}

/** The configuration after leaving joint consensus. */
export function leaveJoint(config: TrackerConfig): TrackerConfig {
  if (!isJoint(config)) throw new ConfChangeError('configuration is not joint');
  const next = cloneConfig(config);
  for (const id of next.learnersNext) next.learners.add(id);
  next.learnersNext.clear();
  next.votersOutgoing.clear();
  next.autoLeave = false;
  checkInvariants(next);
  return next;
}

const typeCodes: Record<ConfChangeType, number> = { addVoter: 0, addLearner: 1, removeReplica: 2 };
const typeNames: ConfChangeType[] = ['addVoter', 'addLearner', 'removeReplica'];
const transitions = ['auto', 'joint', 'jointExplicit'] as const;

/**
 * Encodes a change for a log entry: version(1)=1 ‖ transition(1) ‖ count(4) ‖
 * count × [type(1) ‖ replicaId(8)] ‖ context.
 */
export function encodeConfChange(change: ConfChange): Uint8Array {
  const context = change.context ?? new Uint8Array(0);
  const out = new Uint8Array(6 + change.changes.length * 9 + context.length);
  const view = new DataView(out.buffer);
  out[0] = 1;
  out[1] = transitions.indexOf(change.transition);
  view.setUint32(2, change.changes.length);
  let o = 6;
  for (const c of change.changes) {
    out[o] = typeCodes[c.type];
    view.setFloat64(o + 1, c.replicaId);
    o += 9;
  }
  out.set(context, o);
  return out;
}

/** Decodes encodeConfChange's bytes; throws ConfChangeError on malformed input. */
export function decodeConfChange(bytes: Uint8Array): ConfChange {
  if (bytes.length < 6 || bytes[0] !== 1) throw new ConfChangeError('malformed conf change');
  const transition = transitions[bytes[1]!];
  if (!transition) throw new ConfChangeError('malformed conf change transition');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const count = view.getUint32(2);
  if (6 + count * 9 > bytes.length) throw new ConfChangeError('truncated conf change');
  const changes: ConfChangeSingle[] = [];
  let o = 6;
  for (let i = 0; i < count; i++) {
    const type = typeNames[bytes[o]!];
    const replicaId = view.getFloat64(o + 1);
    if (!type || !Number.isSafeInteger(replicaId) || replicaId <= 0) throw new ConfChangeError('malformed conf change entry');
    changes.push({ type, replicaId });
    o += 9;
  }
  return { changes, transition, context: bytes.slice(o) };
}
