import { describe, expect, it } from 'vitest';
import { Progress } from './progress.ts';

function progress(next = 10, inflight = 3): Progress {
  return new Progress(next, false, inflight, 0);
}

describe('Progress', () => {
  it('Progress in probe state pauses after each append until answered', () => {
    const pr = progress();
    expect(pr.state).toBe('probe');
    expect(pr.isPaused()).toBe(false);
    pr.sentEntries(12, 2, 10, 5);
    expect(pr.isPaused()).toBe(true);
    expect(pr.next).toBe(10);
    pr.heartbeatAnswered();
    expect(pr.isPaused()).toBe(false);
  });

  it('Progress in replicate state sends optimistically until the window is full', () => {
    const pr = progress(1, 2);
    pr.maybeUpdate(5);
    pr.becomeReplicate();
    expect(pr.next).toBe(6);
    pr.sentEntries(7, 2, 10, 5);
    expect(pr.next).toBe(8);
    pr.sentEntries(9, 2, 10, 5);
    expect(pr.isPaused()).toBe(true);
    pr.maybeUpdate(7);
    pr.inflights.freeLE(7);
    expect(pr.isPaused()).toBe(false);
    expect(pr.match).toBe(7);
    expect(pr.next).toBe(10);
  });

  it('Progress.heartbeatAnswered frees one slot of a full window', () => {
    const pr = progress(1, 1);
    pr.becomeReplicate();
    pr.sentEntries(3, 2, 10, 0);
    expect(pr.isPaused()).toBe(true);
    pr.heartbeatAnswered();
    expect(pr.isPaused()).toBe(false);
  });

  it('Progress.maybeUpdate ignores stale acknowledgements', () => {
    const pr = progress();
    expect(pr.maybeUpdate(5)).toBe(true);
    expect(pr.maybeUpdate(4)).toBe(false);
    expect(pr.match).toBe(5);
    expect(pr.next).toBe(10);
  });

  it('Progress.maybeDecrTo in replicate state falls back to match+1 and ignores stale rejections', () => {
    const pr = progress(1);
    pr.maybeUpdate(5);
    pr.becomeReplicate();
    pr.sentEntries(9, 4, 10, 5);
    expect(pr.maybeDecrTo(4, 0)).toBe(false);
    expect(pr.maybeDecrTo(7, 3)).toBe(true);
    expect(pr.next).toBe(6);
    expect(pr.sentCommit).toBe(5);
  });

  it('Progress.maybeDecrTo in probe state uses the hint, but never below match+1', () => {
    const pr = progress(10);
    pr.maybeUpdate(2);
    pr.next = 10;
    pr.sentEntries(10, 1, 10, 0);
    expect(pr.maybeDecrTo(8, 3)).toBe(false);
    expect(pr.maybeDecrTo(9, 4)).toBe(true);
    expect(pr.next).toBe(5);
    expect(pr.isPaused()).toBe(false);
    pr.next = 5;
    expect(pr.maybeDecrTo(4, 0)).toBe(true);
    expect(pr.next).toBe(3);
  });

  it('Progress in snapshot state pauses until the snapshot is reported', () => {
    const pr = progress(3);
    pr.becomeSnapshot(20);
    expect(pr.isPaused()).toBe(true);
    expect(pr.canBumpCommit(100)).toBe(false);
    pr.snapshotReported(false);
    expect(pr.state).toBe('probe');
    expect(pr.next).toBe(21);
    expect(pr.isPaused()).toBe(true);
    pr.becomeSnapshot(20);
    pr.snapshotReported(true);
    expect(pr.next).toBe(1);
    expect(pr.pendingSnapshot).toBe(0);
  });

  it('Progress.canBumpCommit is capped by what the follower holds', () => {
    const pr = progress(1);
    pr.maybeUpdate(5);
    pr.becomeReplicate();
    expect(pr.canBumpCommit(3)).toBe(true);
    pr.sentEntries(5, 0, 0, 3);
    expect(pr.canBumpCommit(3)).toBe(false);
    expect(pr.canBumpCommit(9)).toBe(true);
    pr.sentEntries(5, 0, 0, 5);
    expect(pr.canBumpCommit(9)).toBe(false);
  });
});
