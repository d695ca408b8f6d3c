/**
 * Checker speed on histories of the sizes chaos runs produce: a 5,000-op
 * register history at concurrency ~10 and a 2,000-transaction list-append
 * history. The bounds are loose (a shared 2-core machine); the timings are
 * printed so a slowdown is visible before it fails.
 */
import { describe, expect, it } from 'vitest';
import type { HistoryEvent } from '../history/event.ts';
import { layOut, planListAppend, planRegister, rng } from './generate.test-helper.ts';
import { checkLinearizable } from './linearizable.ts';
import { checkListAppend } from './list-append.ts';
import { casRegisterModel, registerModel } from './models.ts';
import type { CheckResult } from './result.ts';

const boundMs = 10_000;

function timed(name: string, history: readonly HistoryEvent[], check: () => CheckResult): CheckResult {
  const started = performance.now();
  const result = check();
  const ms = performance.now() - started;
  const processes = new Set(history.map((e) => e.process)).size;
  console.log(`${name}: ${history.length} events, ${processes} processes, ${ms.toFixed(0)} ms, ${JSON.stringify(result.stats)}`);
  expect(ms).toBeLessThan(boundMs);
  return result;
}

/** Mean number of operations in flight at an operation's invocation. */
function concurrency(history: readonly HistoryEvent[]): number {
  let open = 0;
  let sum = 0;
  let invocations = 0;
  for (const e of history) {
    if (e.type === 'invoke') {
      sum += ++open;
      invocations++;
    } else open--;
  }
  return sum / Math.max(1, invocations);
}

describe('checker speed', () => {
  it('checkLinearizable checks 5,000 register operations at concurrency ~10', () => {
    const r = rng(42);
    const h = layOut(planRegister(r, { ops: 5000, cas: false, keys: 0, infoRate: 0.05, failRate: 0.02 }), r, { spacing: 10, windowMax: 100 });
    expect(concurrency(h)).toBeGreaterThan(8);
    expect(timed('register', h, () => checkLinearizable(registerModel, h)).valid).toBe(true);
  });

  it('checkLinearizable checks 5,000 compare-and-set register operations at concurrency ~10', () => {
    const r = rng(43);
    const h = layOut(planRegister(r, { ops: 5000, cas: true, keys: 0, infoRate: 0.05, failRate: 0.02 }), r, { spacing: 10, windowMax: 100 });
    expect(timed('cas-register', h, () => checkLinearizable(casRegisterModel, h)).valid).toBe(true);
  });

  it('checkLinearizable finds a stale read near the end of 5,000 operations, with and without quick refutation', () => {
    const r = rng(45);
    const plan = planRegister(r, { ops: 5000, cas: false, keys: 0, infoRate: 0.05, failRate: 0 });
    const i = plan.findIndex((p, j) => j > 4900 && p.f === 'read' && p.status === 'ok');
    plan[i] = { ...plan[i]!, output: 1 };
    const h = layOut(plan, r, { spacing: 10, windowMax: 40 });
    expect(timed('register stale read', h, () => checkLinearizable(registerModel, h)).valid).toBe(false);
    expect(timed('register stale read, search only', h, () => checkLinearizable(registerModel, h, { refute: false })).valid).toBe(false);
  });

  it('checkListAppend checks 2,000 transactions with realtime and process order', () => {
    const r = rng(46);
    const h = layOut(planListAppend(r, { txns: 2000, keys: 10, microOpsMax: 4, infoRate: 0.05, failRate: 0.05 }), r, { spacing: 10, windowMax: 100 });
    expect(timed('list-append', h, () => checkListAppend(h, { realtime: true, process: true })).valid).toBe(true);
  });
});
