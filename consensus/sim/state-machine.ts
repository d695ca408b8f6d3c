/**
 * The replicated state machine of the simulation: a hash chain over every
 * applied entry (index, term, type, data), so two replicas that applied the
 * same entries in the same order hold the same 52-bit value, and any
 * difference anywhere in the prefix shows at every later index. It also
 * counts client payloads and keeps the membership as of the applied index,
 * which a restart must hand back to Raft (RaftStorage.initialState).
 *
 * A snapshot's data is this state, encoded with a filler whose length grows
 * with the state, so streaming a snapshot takes several chunks.
 */
import type { ConfState, Entry, LogIndex } from '../index.ts';

/** The state of one replica's state machine, as of `applied`. */
export interface MachineState {
  readonly applied: LogIndex;
  /** Hash chain over entries 1..applied (see chainHash). */
  readonly hash: number;
  /** Client (non-empty, normal) entries applied. */
  readonly payloads: number;
  readonly confState: ConfState;
}

const fnvOffset = 0x811c9dc5;
const fnvPrime = 0x01000193;
/** 2^21: the low part of a 52-bit digest. */
const lowSpan = 0x20_0000;

function fnvWord(h: number, word: number): number {
  h = Math.imul(h ^ (word & 0xff), fnvPrime);
  h = Math.imul(h ^ ((word >>> 8) & 0xff), fnvPrime);
  h = Math.imul(h ^ ((word >>> 16) & 0xff), fnvPrime);
  return Math.imul(h ^ (word >>> 24), fnvPrime);
}

/** Two independent 32-bit FNV-1a lanes folded into a safe integer (< 2^53). */
function fold(a: number, b: number): number {
  return (a >>> 0) * lowSpan + ((b >>> 0) & (lowSpan - 1));
}

/**
 * A 52-bit digest of an entry's identity: term, type and data (the index is
 * positional). Two entries at one index with one term must have equal digests.
 */
export function entryDigest(e: Entry): number {
  let a = fnvWord(fnvOffset, e.term);
  let b = fnvWord(0x6a09e667, e.term ^ 0x5bd1e995);
  const type = e.type === 'confChange' ? 1 : 0;
  a = fnvWord(a, type);
  b = fnvWord(b, type + 7);
  for (let i = 0; i < e.data.length; i++) {
    const byte = e.data[i]!;
    a = Math.imul(a ^ byte, fnvPrime);
    b = Math.imul(b ^ ((byte + 0x9e) & 0xff), 0x01000197);
  }
  a = fnvWord(a, e.data.length);
  b = fnvWord(b, e.data.length);
  return fold(a, b);
}

/** The chain value after applying entry `e` (with digest `digest`) on top of `previous`. */
export function chainHash(previous: number, index: LogIndex, digest: number): number {
  const hi = Math.floor(previous / lowSpan);
  const lo = previous % lowSpan;
  let a = fnvWord(fnvWord(fnvOffset, hi), lo);
  let b = fnvWord(fnvWord(0x3c6ef372, lo), hi);
  a = fnvWord(fnvWord(a, index), Math.floor(digest / lowSpan));
  b = fnvWord(fnvWord(b, index ^ 0x27d4eb2f), digest % lowSpan);
  return fold(a, b);
}

/** The state before anything is applied, for a replica bootstrapped with `confState` at `applied`. */
export function initialMachine(confState: ConfState, applied: LogIndex): MachineState {
  return { applied, hash: 0, payloads: 0, confState };
}

/** The state after applying `e`; a conf change's resulting configuration comes from Raft. */
export function applyEntry(state: MachineState, e: Entry, confState: ConfState): MachineState {
  return {
    applied: e.index,
    hash: chainHash(state.hash, e.index, entryDigest(e)),
    payloads: state.payloads + (e.type === 'normal' && e.data.length > 0 ? 1 : 0),
    confState,
  };
}

const magic = 0x4d534d31; // "MSM1"
const headerBytes = 4 + 8 * 3;

/** Snapshot data for `state`: header (magic, applied, hash, payloads) and a deterministic filler. */
export function encodeMachine(state: MachineState): Uint8Array {
  const filler = 16 + (state.payloads % 113);
  const out = new Uint8Array(headerBytes + filler);
  const view = new DataView(out.buffer);
  view.setUint32(0, magic);
  view.setFloat64(4, state.applied);
  view.setFloat64(12, state.hash);
  view.setFloat64(20, state.payloads);
  for (let i = 0; i < filler; i++) out[headerBytes + i] = (state.hash + i * 31) & 0xff;
  return out;
}

/**
 * Decodes encodeMachine's bytes, with the configuration from the snapshot's
 * metadata. Throws on bytes it did not write: a snapshot that arrives damaged
 * (say, chunks reassembled wrongly) is a bug to surface, not to tolerate.
 */
export function decodeMachine(data: Uint8Array, confState: ConfState): MachineState {
  if (data.length < headerBytes) throw new Error(`snapshot data too short (${data.length} bytes)`);
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  if (view.getUint32(0) !== magic) throw new Error('snapshot data has a bad magic number');
  const applied = view.getFloat64(4);
  const hash = view.getFloat64(12);
  const payloads = view.getFloat64(20);
  const filler = 16 + (payloads % 113);
  if (data.length !== headerBytes + filler) throw new Error(`snapshot data has ${data.length} bytes, expected ${headerBytes + filler}`);
  for (let i = 0; i < filler; i++) {
    if (data[headerBytes + i] !== ((hash + i * 31) & 0xff)) throw new Error(`snapshot data corrupt at byte ${headerBytes + i}`);
  }
  return { applied, hash, payloads, confState };
}
