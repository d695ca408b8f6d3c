import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { exitInvalid, exitUnknown, exitUsage, exitValid, runCli } from './check.ts';
import { history, read, txn, write, type OpSpec } from './checkers/history.test-helper.ts';
import { writeHistory } from './index.ts';

const dir = mkdtempSync(join(tmpdir(), 'meridian-check-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function saved(name: string, ops: readonly OpSpec[]): string {
  const path = join(dir, `${name}.jsonl`);
  writeHistory(path, history(ops));
  return path;
}

const validRegister = saved('register-ok', [write(1, 1, [0, 10]), read(2, 1, [20, 30])]);
const staleRegister = saved('register-stale', [write(1, 1, [0, 10]), write(1, 2, [20, 30]), read(2, 1, [40, 50])]);
const concurrent = saved('register-concurrent', [write(1, 1, [0, 100]), write(2, 2, [0, 100]), read(3, 2, [0, 100]), read(4, 1, [0, 100])]);
const writeSkew = saved('write-skew', [
  txn(1, [['r', 'x', []], ['append', 'y', 1]], [0, 10]),
  txn(2, [['r', 'y', []], ['append', 'x', 1]], [0, 10]),
  txn(3, [['r', 'x', [1]], ['r', 'y', [1]]], [11, 12]),
]);
const bank = saved('bank', [{ p: 1, f: 'read', in: null, out: { a: 60, b: 50 }, at: [0, 1] }]);
const set = saved('set', [{ p: 1, f: 'add', in: 1, at: [0, 1] }, read(2, [], [2, 3])]);
const monotonic = saved('monotonic', [read(1, 2, [0, 1]), read(1, 1, [2, 3])]);
const sequential = saved('sequential', [{ p: 1, f: 'read', in: ['k2', 'k1'], out: ['v', null], at: [0, 1] }]);

describe('check.ts', () => {
  it('runCli exits 0 on a valid history and prints the result as JSON', () => {
    const out = runCli(['--checker', 'linearizable', '--model', 'register', validRegister]);
    expect(out.code).toBe(exitValid);
    expect(JSON.parse(out.stdout)).toMatchObject({ valid: true, anomalies: [] });
  });

  it.each([
    ['linearizable', ['--checker', 'linearizable', '--model', 'cas-register', staleRegister], 'nonlinearizable'],
    ['list-append', ['--checker', 'list-append', writeSkew], 'G2'],
    ['bank', ['--checker', 'bank', '--total', '100', bank], 'wrong-total'],
    ['set', ['--checker', 'set', set], 'lost'],
    ['monotonic', ['--checker', 'monotonic', monotonic], 'regression'],
    ['sequential', ['--checker', 'sequential', sequential], 'out-of-order'],
  ])('runCli exits 1 on an invalid %s history', (_name, argv, kind) => {
    const out = runCli(argv);
    expect(out.code).toBe(exitInvalid);
    const result = JSON.parse(out.stdout) as { valid: unknown; anomalies: Array<{ kind: string }> };
    expect(result.valid).toBe(false);
    expect(result.anomalies.map((a) => a.kind)).toContain(kind);
  });

  it('runCli exits 3 when the search runs out of budget', () => {
    expect(runCli(['--checker', 'linearizable', '--model', 'register', '--step-budget', '1', '--no-refute', concurrent]).code).toBe(exitUnknown);
    // A bank history with no reads has nothing to judge.
    expect(runCli(['--checker', 'bank', '--total', '1', writeSkew]).code).toBe(exitUnknown);
  });

  it('runCli exits 2 on bad usage and bad histories', () => {
    const malformed = join(dir, 'malformed.jsonl');
    writeFileSync(malformed, '{"type":"ok","process":1,"f":"read","value":1,"time":0,"index":0}\n');
    const cases: string[][] = [
      [],
      [validRegister],
      ['--checker', 'linearizable'],
      ['--checker', 'nope', validRegister],
      ['--checker', 'linearizable', '--model', 'nope', validRegister],
      ['--checker', 'bank', bank],
      ['--checker', 'bank', '--total', 'lots', bank],
      ['--checker', 'set', '--frobnicate', set],
      ['--checker', 'set', join(dir, 'missing.jsonl')],
      ['--checker', 'set', malformed],
    ];
    for (const argv of cases) {
      const out = runCli(argv);
      expect(out.code, argv.join(' ')).toBe(exitUsage);
      expect(out.stderr.length, argv.join(' ')).toBeGreaterThan(0);
    }
    expect(runCli(['--checker', 'set', malformed]).stderr).toMatch(/malformed history: .*no open invocation/);
  });

  it('check.ts runs from the command line', () => {
    const script = join(dirname(fileURLToPath(import.meta.url)), 'check.ts');
    const run = spawnSync(process.execPath, ['--import', 'tsx', script, '--checker', 'list-append', writeSkew], { encoding: 'utf8' });
    expect(run.status).toBe(exitInvalid);
    expect(JSON.parse(run.stdout).anomalies[0].kind).toBe('G2');
  });
});
