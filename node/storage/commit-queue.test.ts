import { describe, expect, it } from 'vitest';
import { CommitQueue, type Commit } from './commit-queue.ts';
import { groupCommitBytesMax } from './limits.ts';
import { withEngine } from './test-util.test-helper.ts';

/** A writer whose writes finish only when the test says so. */
function controlledWriter() {
  const groups: Array<{ items: string[]; sync: boolean }> = [];
  const finishers: Array<(error?: Error) => void> = [];
  const write = (commits: readonly Commit<string>[], sync: boolean) => new Promise<void>((resolve, reject) => {
    groups.push({ items: commits.flatMap((c) => [...c.items]), sync });
    finishers.push((error) => (error ? reject(error) : resolve()));
  });
  return { groups, finishers, write };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('CommitQueue', () => {
  it('merges commits that arrive during a write into the next one, in order', async () => {
    const { groups, finishers, write } = controlledWriter();
    const queue = new CommitQueue(write);
    const done: string[] = [];
    const first = queue.commit({ items: ['a'], sync: false, bytes: 1 }).then(() => done.push('a'));
    const rest = ['b', 'c', 'd'].map((x, i) => queue.commit({ items: [x], sync: i === 1, bytes: 1 }).then(() => done.push(x)));
    await tick();
    expect(groups).toEqual([{ items: ['a'], sync: false }]);
    finishers[0]!();
    await first;
    await tick();
    // Everything that queued behind the first write goes down together, synced because one asked.
    expect(groups[1]).toEqual({ items: ['b', 'c', 'd'], sync: true });
    expect(done).toEqual(['a']);
    finishers[1]!();
    await Promise.all(rest);
    expect(done).toEqual(['a', 'b', 'c', 'd']);
    await queue.idle();
  });

  it('fails every commit of a failed group and carries on with the next', async () => {
    const { groups, finishers, write } = controlledWriter();
    const queue = new CommitQueue(write);
    const a = queue.commit({ items: ['a'], sync: true, bytes: 1 });
    const b = queue.commit({ items: ['b'], sync: true, bytes: 1 });
    const c = queue.commit({ items: ['c'], sync: true, bytes: 1 });
    await tick();
    finishers[0]!();
    await a;
    await tick();
    finishers[1]!(new Error('disk full'));
    await expect(b).rejects.toThrow('disk full');
    await expect(c).rejects.toThrow('disk full');
    const d = queue.commit({ items: ['d'], sync: false, bytes: 1 });
    await tick();
    finishers[2]!();
    await d;
    expect(groups.map((g) => g.items)).toEqual([['a'], ['b', 'c'], ['d']]);
  });

  it('bounds a group by bytes but always writes a commit, however large', async () => {
    const { groups, finishers, write } = controlledWriter();
    const queue = new CommitQueue(write);
    const commits = [
      queue.commit({ items: ['first'], sync: false, bytes: 1 }),
      queue.commit({ items: ['huge'], sync: false, bytes: groupCommitBytesMax * 2 }),
      queue.commit({ items: ['x'], sync: false, bytes: groupCommitBytesMax / 2 }),
      queue.commit({ items: ['y'], sync: false, bytes: groupCommitBytesMax / 2 }),
      queue.commit({ items: ['z'], sync: false, bytes: 1 }),
    ];
    for (let i = 0; i < 4; i++) {
      await tick();
      finishers[i]!();
    }
    await Promise.all(commits);
    expect(groups.map((g) => g.items)).toEqual([['first'], ['huge'], ['x', 'y'], ['z']]);
  });
});

describe('Engine group commit', () => {
  it('lands concurrent commits, each whole, with later commits winning', () => withEngine(async (engine) => {
    const commits: Array<Promise<void>> = [];
    for (let i = 0; i < 20; i++) {
      const batch = engine.newBatch();
      batch.put(Buffer.from('shared'), Buffer.from(`v${i}`));
      batch.put(Buffer.from(`own${String(i).padStart(2, '0')}`), Buffer.from(`v${i}`));
      commits.push(batch.commit({ sync: i % 3 === 0 }));
    }
    await Promise.all(commits);
    expect(engine.getSync(Buffer.from('shared'))?.toString()).toBe('v19');
    for (let i = 0; i < 20; i++) expect(engine.getSync(Buffer.from(`own${String(i).padStart(2, '0')}`))?.toString()).toBe(`v${i}`);
  }));

  it('finishes queued commits before closing', () => withEngine(async (engine, dir) => {
    const batch = engine.newBatch();
    batch.put(Buffer.from('k'), Buffer.from('v'));
    const committed = batch.commit({ sync: true });
    await engine.close();
    await committed;
    await engine.db.open();
    expect(engine.getSync(Buffer.from('k'))?.toString()).toBe('v');
    expect(dir).toBeTruthy();
  }));
});
