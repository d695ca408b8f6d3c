/**
 * Re-runs a checker on a saved history and prints the result as JSON:
 *
 *   node --import tsx chaos/check.ts --checker linearizable --model cas-register history.jsonl
 *   node --import tsx chaos/check.ts --checker list-append [--realtime] [--process] history.jsonl
 *   node --import tsx chaos/check.ts --checker bank --total 1000 [--accounts a,b,c] [--allow-negative] history.jsonl
 *   node --import tsx chaos/check.ts --checker set|monotonic|sequential history.jsonl
 *
 * Exit codes: 0 valid, 1 invalid, 2 bad usage or an unreadable or malformed
 * history, 3 unknown (a search ran out of budget).
 */
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import {
  checkBank, checkLinearizable, checkListAppend, checkMonotonic, checkSequential, checkSet, HistoryError, models, readHistory,
  type CheckResult, type HistoryEvent,
} from './index.ts';

/** Exit codes of the command line. */
export const exitValid = 0;
export const exitInvalid = 1;
export const exitUsage = 2;
export const exitUnknown = 3;

const usage = `usage: check.ts --checker <linearizable|list-append|bank|set|monotonic|sequential> [options] history.jsonl
  linearizable:  --model <${Object.keys(models).join('|')}> (default cas-register) [--step-budget N] [--no-refute]
  list-append:   [--realtime] [--process]
  bank:          --total N [--accounts a,b,c] [--allow-negative]
  monotonic:     [--realtime]
`;

/** What the command line prints and exits with. */
export interface CliOutcome {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

class UsageError extends Error {}

const options = {
  checker: { type: 'string' },
  model: { type: 'string', default: 'cas-register' },
  'step-budget': { type: 'string' },
  'no-refute': { type: 'boolean', default: false },
  realtime: { type: 'boolean', default: false },
  process: { type: 'boolean', default: false },
  total: { type: 'string' },
  accounts: { type: 'string' },
  'allow-negative': { type: 'boolean', default: false },
  help: { type: 'boolean', default: false },
} as const;

type Values = ReturnType<typeof parseArgs<{ options: typeof options; allowPositionals: true }>>['values'];

function numberOption(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isFinite(n)) throw new UsageError(`--${name} must be a number, not ${JSON.stringify(text)}`);
  return n;
}

function check(values: Values, history: readonly HistoryEvent[]): CheckResult {
  switch (values.checker) {
    case 'linearizable': {
      const model = models[values.model];
      if (!model) throw new UsageError(`unknown model ${JSON.stringify(values.model)}`);
      const stepBudget = numberOption('step-budget', values['step-budget']);
      return checkLinearizable(model, history, { ...(stepBudget === undefined ? {} : { stepBudget }), refute: !values['no-refute'] });
    }
    case 'list-append': return checkListAppend(history, { realtime: values.realtime, process: values.process });
    case 'bank': {
      const total = numberOption('total', values.total);
      if (total === undefined) throw new UsageError('bank needs --total');
      const accounts = values.accounts?.split(',').filter((a) => a.length > 0);
      return checkBank(history, { total, allowNegative: values['allow-negative'], ...(accounts ? { accounts } : {}) });
    }
    case 'set': return checkSet(history);
    case 'monotonic': return checkMonotonic(history, { realtime: values.realtime });
    case 'sequential': return checkSequential(history);
    default: throw new UsageError(`unknown checker ${JSON.stringify(values.checker)}`);
  }
}

/** Runs the command line on `argv` (without node and the script) and returns what it would print and exit with. */
export function runCli(argv: readonly string[]): CliOutcome {
  try {
    const { values, positionals } = parseArgs({ args: [...argv], options, allowPositionals: true, strict: true });
    if (values.help) return { code: exitValid, stdout: usage, stderr: '' };
    if (!values.checker) throw new UsageError('--checker is required');
    if (positionals.length !== 1) throw new UsageError('give exactly one history file');
    const torn: string[] = [];
    const history = readHistory(positionals[0]!, { onTornLine: (line) => torn.push(line) });
    const result = check(values, history);
    const code = result.valid === true ? exitValid : result.valid === false ? exitInvalid : exitUnknown;
    const stderr = torn.length > 0 ? `ignored a torn last line (${torn[0]!.length} characters)\n` : '';
    return { code, stdout: `${JSON.stringify(result, null, 2)}\n`, stderr };
  } catch (error) {
    if (error instanceof UsageError) return { code: exitUsage, stdout: '', stderr: `${error.message}\n${usage}` };
    if (error instanceof HistoryError) return { code: exitUsage, stdout: '', stderr: `malformed history: ${error.message}\n` };
    const code = (error as { code?: unknown }).code;
    if (code === 'ENOENT' || code === 'EACCES' || code === 'EISDIR') return { code: exitUsage, stdout: '', stderr: `${(error as Error).message}\n` };
    if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS')) return { code: exitUsage, stdout: '', stderr: `${(error as Error).message}\n${usage}` };
    throw error;
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const outcome = runCli(process.argv.slice(2));
  process.stdout.write(outcome.stdout);
  process.stderr.write(outcome.stderr);
  process.exitCode = outcome.code;
}
