/**
 * Range leases: the one replica allowed to serve reads from its local state
 * and to sequence writes. Leases are expiration-based and replicated through
 * Raft like any command, so every replica agrees on the holder.
 *
 * Why two leases never overlap (with every clock within `maxOffset` of every
 * other, which node heartbeats enforce by fencing a node that drifts too far):
 * - A lease is only accepted at apply time if it names the sequence of the
 *   lease it replaces, so leases form one chain decided by the Raft log.
 * - A replica other than the holder may only take over with a lease that
 *   starts after the previous one expired (checked at apply), and it proposes
 *   only once its own clock has passed that expiration.
 * - A holder serves only while its clock reads before `expiration - maxOffset`
 *   (the stasis period). When the next holder's clock passes the expiration,
 *   the old holder's clock is at least `expiration - maxOffset`, so it has
 *   already stopped: in real time the two serving intervals are disjoint.
 * - A transfer is proposed by the holder, which stops serving under its lease
 *   at that moment, whatever happens to the proposal.
 * Writes carry the lease sequence they were proposed under; a write that
 * reaches the log after its lease was replaced is rejected on every replica.
 */

export interface Lease {
  /** Increases each time the holder changes; extensions keep it. */
  readonly sequence: number;
  readonly replicaId: number;
  readonly nodeId: number;
  /** HLC wall time the lease starts at (µs). */
  readonly startMicros: number;
  /** HLC wall time the lease ends at (µs). */
  readonly expirationMicros: number;
}

/** A replicated lease change: the lease it replaces (by sequence) and the new one. */
export interface LeaseChange {
  readonly previousSequence: number;
  readonly lease: Lease;
  /** Proposed by the current holder, handing the lease over before it expires. */
  readonly transfer: boolean;
}

export type LeaseStatus =
  /** The holder may serve. */
  | 'valid'
  /** Near expiration: the holder must not serve, nobody else may take over yet; the holder may extend. */
  | 'stasis'
  /** Anyone may take over. */
  | 'expired';

export function leaseStatus(lease: Lease | null, nowMicros: number, maxOffsetMicros: number): LeaseStatus {
  if (!lease || nowMicros >= lease.expirationMicros) return 'expired';
  return nowMicros < lease.expirationMicros - maxOffsetMicros ? 'valid' : 'stasis';
}

/**
 * Whether a lease change applies on top of `current`. Deterministic: every
 * replica decides the same from the same log.
 */
export function leaseChangeApplies(current: Lease | null, change: LeaseChange): boolean {
  const currentSequence = current?.sequence ?? 0;
  if (change.previousSequence !== currentSequence) return false;
  const next = change.lease;
  if (next.expirationMicros <= next.startMicros) return false;
  if (!current) return next.sequence === 1;
  if (next.replicaId === current.replicaId) {
    // An extension (or renewal after expiry: nobody held it in between).
    return next.sequence === current.sequence && next.startMicros === current.startMicros;
  }
  if (next.sequence !== current.sequence + 1) return false;
  // A takeover starts after the old lease ended; a transfer by the holder may start earlier.
  return change.transfer || next.startMicros > current.expirationMicros;
}

export function encodeLease(lease: Lease): Record<string, number> {
  return { ...lease };
}

export function decodeLease(raw: unknown): Lease | null {
  if (!raw || typeof raw !== 'object') return null;
  const r = raw as Record<string, unknown>;
  const fields = ['sequence', 'replicaId', 'nodeId', 'startMicros', 'expirationMicros'] as const;
  for (const f of fields) if (!Number.isSafeInteger(r[f])) return null;
  return {
    sequence: r.sequence as number, replicaId: r.replicaId as number, nodeId: r.nodeId as number,
    startMicros: r.startMicros as number, expirationMicros: r.expirationMicros as number,
  };
}
