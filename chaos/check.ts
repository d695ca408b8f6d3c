/**
 * Re-runs a checker on a saved history:
 *
 *   node --import tsx chaos/check.ts --checker linearizable --model cas-register history.jsonl
 *   node --import tsx chaos/check.ts --checker list-append [--realtime] history.jsonl
 *   node --import tsx chaos/check.ts --checker bank --total 1000 history.jsonl
 *   node --import tsx chaos/check.ts --checker set|monotonic|sequential history.jsonl
 *
 * Prints the result as JSON; exits 1 when invalid, 2 on bad usage.
 */
import { parseArgs } from 'node:util';
import {
  checkBank, checkLinearizable, checkListAppend, checkMonotonic, checkSequential, checkSet, models, readHistory,
  type CheckResult,
} from './index.ts';

function main(): number {
  let parsed;
  try {
    parsed = parseArgs({
      allowPositionals: true,
      options: {
        checker: { type: 'string' }, model: { type: 'string', default: 'cas-register' },
        total: { type: 'string' }, realtime: { type: 'boolean', default: false },
      },
    });
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  const path = positionals[0];
  if (!values.checker || !path) {
    process.stderr.write('usage: check.ts --checker <linearizable|list-append|bank|set|monotonic|sequential> [--model M] [--total N] history.jsonl\n');
    return 2;
  }
  const history = readHistory(path);
  let result: CheckResult;
  switch (values.checker) {
    case 'linearizable': {
      const model = models[values.model];
      if (!model) {
        process.stderr.write(`unknown model ${values.model}; known: ${Object.keys(models).join(', ')}\n`);
        return 2;
      }
      result = checkLinearizable(model, history);
      break;
    }
    case 'list-append': result = checkListAppend(history, { realtime: values.realtime }); break;
    case 'bank':
      if (values.total === undefined) {
        process.stderr.write('bank needs --total\n');
        return 2;
      }
      result = checkBank(history, { total: Number(values.total) });
      break;
    case 'set': result = checkSet(history); break;
    case 'monotonic': result = checkMonotonic(history, { realtime: values.realtime }); break;
    case 'sequential': result = checkSequential(history); break;
    default:
      process.stderr.write(`unknown checker ${values.checker}\n`);
      return 2;
  }
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  return result.valid === false ? 1 : 0;
}

process.exitCode = main();
