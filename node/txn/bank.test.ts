import { describe, expect, it } from 'vitest';
import { seededRng, k, str, v, withEnv } from './test-util.test-helper.ts';

const accounts = 6;
const initial = 100;
const acct = (i: number): Buffer => k(`acct/${i}`);

describe('bank invariant', () => {
  for (const seed of [1, 2, 3]) {
    it(`concurrent transfers keep the total constant (seed ${seed})`, async () => {
      await withEnv(async ({ db, sender, clock }) => {
        await db.run(async (t) => { for (let i = 0; i < accounts; i++) await t.put(acct(i), v(String(initial))); });
        const rng = seededRng(seed * 7919);
        const audits: number[] = [];
        const work = Array.from({ length: 12 }, (_, w) => (async () => {
          for (let n = 0; n < 3; n++) {
            const from = rng() % accounts;
            const to = (from + 1 + (rng() % (accounts - 1))) % accounts;
            const amount = 1 + (rng() % 20);
            const pause = rng() % 3;
            if (w % 4 === 0) {
              audits.push(await db.run(async (t) => {
                const rows = (await t.scan({ key: acct(0), endKey: acct(accounts) })).rows;
                return rows.reduce((s, r) => s + Number(str(r.value)), 0);
              }));
              continue;
            }
            await db.run(async (t) => {
              const a = Number(str(await t.get(acct(from))));
              for (let i = 0; i < pause; i++) await new Promise((r) => setTimeout(r, 0));
              const b = Number(str(await t.get(acct(to))));
              await t.put(acct(from), v(String(a - amount)));
              await t.put(acct(to), v(String(b + amount)));
            });
            clock.advance(1 + (rng() % 50));
          }
        })());
        await Promise.all(work);
        await db.quiesce();
        const total = await db.run(async (t) => {
          let sum = 0;
          for (let i = 0; i < accounts; i++) sum += Number(str(await t.get(acct(i))));
          return sum;
        });
        expect(total).toBe(accounts * initial);
        for (const audit of audits) expect(audit).toBe(accounts * initial);
        expect(sender.stats.intentCount).toBe(0);
      }, { seed });
    });
  }
});
