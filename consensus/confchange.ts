/**
 * Membership changes (Raft thesis §4.3, structured as etcd-io/raft's
 * confchange package): a simple change (at most one voter added or removed),
 * entering a joint configuration (any number of changes; both the old and the
 * new voters must agree on everything until it is left), and leaving it.
 * Pure: each function returns a new configuration or throws ConfChangeError.
 *
 * Also the log encoding of a ConfChange, since Raft itself decodes conf
 * change entries.
 */
import { ConfChangeError } from './errors.ts';
import { confChangesMax } from './limits.ts';
import { checkConfig, isJoint, sortedIds, type TrackerConfig } from './tracker.ts';
import type { ConfChange, ConfChangeSingle, ConfChangeType, ReplicaId } from './types.ts';

export { ConfChangeError } from './errors.ts';

/** A configuration under construction. */
interface Draft {
  voters: Set<ReplicaId>;
  votersOutgoing: Set<ReplicaId>;
  learners: Set<ReplicaId>;
  learnersNext: Set<ReplicaId>;
  autoLeave: boolean;
}

function draftOf(c: TrackerConfig): Draft {
  return {
    voters: new Set(c.voters),
    votersOutgoing: new Set(c.votersOutgoing),
    learners: new Set(c.learners),
    learnersNext: new Set(c.learnersNext),
    autoLeave: c.autoLeave,
  };
}

function configOf(d: Draft): TrackerConfig {
  const c: TrackerConfig = {
    voters: sortedIds(d.voters),
    votersOutgoing: sortedIds(d.votersOutgoing),
    learners: sortedIds(d.learners),
    learnersNext: sortedIds(d.learnersNext),
    autoLeave: d.autoLeave,
  };
  checkConfig(c);
  return c;
}

function makeVoter(d: Draft, id: ReplicaId): void {
  d.learners.delete(id);
  d.learnersNext.delete(id);
  d.voters.add(id);
}

function makeLearner(d: Draft, id: ReplicaId): void {
  if (d.learners.has(id) || d.learnersNext.has(id)) return;
  d.voters.delete(id);
  // An outgoing voter keeps voting until the joint configuration is left.
  if (d.votersOutgoing.has(id)) d.learnersNext.add(id);
  else d.learners.add(id);
}

function remove(d: Draft, id: ReplicaId): void {
  d.voters.delete(id);
  d.learners.delete(id);
  d.learnersNext.delete(id);
}

function applyChanges(d: Draft, changes: readonly ConfChangeSingle[]): void {
  for (const change of changes) {
    const id = change.replicaId;
    if (!Number.isSafeInteger(id) || id <= 0) throw new ConfChangeError(`invalid replica ID ${id}`);
    switch (change.type) {
      case 'addVoter': makeVoter(d, id); break;
      case 'addLearner': makeLearner(d, id); break;
      case 'removeReplica': remove(d, id); break;
      default: throw new ConfChangeError(`unknown change type ${String((change as { type: unknown }).type)}`);
    }
  }
}

function symmetricDifference(a: Set<ReplicaId>, b: readonly ReplicaId[]): number {
  let n = 0;
  for (const x of a) if (!b.includes(x)) n++;
  for (const x of b) if (!a.has(x)) n++;
  return n;
}

/** Whether a change enters joint consensus (several changes, or asked for). */
export function enterJointRequested(change: ConfChange): boolean {
  if (change.changes.length === 0) return false;
  return change.transition !== 'auto' || change.changes.length > 1;
}

/** Whether a change leaves joint consensus (an empty change list). */
export function leaveJointRequested(change: ConfChange): boolean {
  return change.changes.length === 0;
}

/**
 * The configuration with `changes` applied as a simple change: not allowed in
 * a joint configuration, and at most one voter may change.
 */
export function simpleChange(config: TrackerConfig, changes: readonly ConfChangeSingle[]): TrackerConfig {
  if (isJoint(config)) throw new ConfChangeError('cannot apply a simple change in a joint configuration');
  const d = draftOf(config);
  applyChanges(d, changes);
  if (symmetricDifference(d.voters, config.voters) > 1) {
    throw new ConfChangeError('more than one voter changed without joint consensus');
  }
  if (d.voters.size === 0) throw new ConfChangeError('removed all voters');
  return configOf(d);
}

/** The joint configuration entered by `changes`: the old voters become the outgoing half. */
export function enterJoint(config: TrackerConfig, autoLeave: boolean, changes: readonly ConfChangeSingle[]): TrackerConfig {
  if (isJoint(config)) throw new ConfChangeError('configuration is already joint');
  if (config.voters.length === 0) throw new ConfChangeError('cannot make a zero-voter configuration joint');
  const d = draftOf(config);
  d.votersOutgoing = new Set(config.voters);
  applyChanges(d, changes);
  if (d.voters.size === 0) throw new ConfChangeError('removed all voters');
  d.autoLeave = autoLeave;
  return configOf(d);
}

/** The configuration after leaving joint consensus: the incoming half alone, demoted voters as learners. */
export function leaveJoint(config: TrackerConfig): TrackerConfig {
  if (!isJoint(config)) throw new ConfChangeError('configuration is not joint');
  const d = draftOf(config);
  for (const id of d.learnersNext) d.learners.add(id);
  d.learnersNext.clear();
  d.votersOutgoing.clear();
  d.autoLeave = false;
  return configOf(d);
}

/** The configuration after `change`: simple, entering joint, or (an empty change list) leaving joint. */
export function applyConfChange(config: TrackerConfig, change: ConfChange): TrackerConfig {
  if (change.changes.length > confChangesMax) throw new ConfChangeError(`more than ${confChangesMax} changes`);
  if (leaveJointRequested(change)) return leaveJoint(config);
  if (enterJointRequested(change)) return enterJoint(config, change.transition !== 'jointExplicit', change.changes);
  return simpleChange(config, change.changes);
}

const typeCodes: Readonly<Record<ConfChangeType, number>> = { addVoter: 0, addLearner: 1, removeReplica: 2 };
const typeNames: readonly ConfChangeType[] = ['addVoter', 'addLearner', 'removeReplica'];
const transitions = ['auto', 'joint', 'jointExplicit'] as const;
const encodingVersion = 1;
const headerBytes = 6;
const changeBytes = 9;

/**
 * Encodes a change for a log entry. Format (version 1):
 * version(1)=1 ‖ transition(1) ‖ count(4, big-endian) ‖
 * count × [type(1) ‖ replicaId(8, float64 big-endian)] ‖ context.
 */
export function encodeConfChange(change: ConfChange): Uint8Array {
  const context = change.context ?? new Uint8Array(0);
  const transition = transitions.indexOf(change.transition);
  if (transition < 0) throw new ConfChangeError(`unknown transition ${String(change.transition)}`);
  const out = new Uint8Array(headerBytes + change.changes.length * changeBytes + context.length);
  const view = new DataView(out.buffer);
  out[0] = encodingVersion;
  out[1] = transition;
  view.setUint32(2, change.changes.length);
  let o = headerBytes;
  for (const c of change.changes) {
    const code = typeCodes[c.type];
    if (code === undefined) throw new ConfChangeError(`unknown change type ${String(c.type)}`);
    if (!Number.isSafeInteger(c.replicaId) || c.replicaId <= 0) throw new ConfChangeError(`invalid replica ID ${c.replicaId}`);
    out[o] = code;
    view.setFloat64(o + 1, c.replicaId);
    o += changeBytes;
  }
  out.set(context, o);
  return out;
}

/** Decodes encodeConfChange's bytes; throws ConfChangeError on anything malformed. */
export function decodeConfChange(bytes: Uint8Array): ConfChange {
  if (!(bytes instanceof Uint8Array) || bytes.length < headerBytes || bytes[0] !== encodingVersion) {
    throw new ConfChangeError('malformed conf change');
  }
  const transition = transitions[bytes[1]!];
  if (!transition) throw new ConfChangeError('malformed conf change transition');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const count = view.getUint32(2);
  if (count > confChangesMax) throw new ConfChangeError(`more than ${confChangesMax} changes`);
  if (headerBytes + count * changeBytes > bytes.length) throw new ConfChangeError('truncated conf change');
  const changes: ConfChangeSingle[] = [];
  let o = headerBytes;
  for (let i = 0; i < count; i++) {
    const type = typeNames[bytes[o]!];
    const replicaId = view.getFloat64(o + 1);
    if (!type || !Number.isSafeInteger(replicaId) || replicaId <= 0) throw new ConfChangeError('malformed conf change entry');
    changes.push({ type, replicaId });
    o += changeBytes;
  }
  return { changes, transition, context: bytes.slice(o) };
}

/** A one-line description of a change, e.g. "v4 l5 r2 (joint)", for logs and tests. */
export function describeConfChange(change: ConfChange): string {
  if (change.changes.length === 0) return 'leave joint';
  const letters: Readonly<Record<ConfChangeType, string>> = { addVoter: 'v', addLearner: 'l', removeReplica: 'r' };
  const parts = change.changes.map((c) => `${letters[c.type]}${c.replicaId}`);
  if (change.transition === 'joint') parts.push('(joint)');
  if (change.transition === 'jointExplicit') parts.push('(joint explicit)');
  return parts.join(' ');
}
