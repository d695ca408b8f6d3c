/** Operations and values in words, for anomaly descriptions. */
import type { HistoryValue } from '../history/event.ts';
import type { Operation } from '../history/operation.ts';

const nanosPerMilli = 1_000_000;

/** A value as short JSON text. */
export function show(value: HistoryValue | undefined): string {
  return value === undefined ? '?' : JSON.stringify(value);
}

/** Milliseconds since the recording began, e.g. "12.345"; "∞" for never. */
export function showMillis(nanos: number): string {
  return Number.isFinite(nanos) ? (nanos / nanosPerMilli).toFixed(3) : '∞';
}

/**
 * An operation in one line: "p3 read → 2 (#41, 1.250–1.900 ms)" (milliseconds since the recording began). Writes show
 * their input, reads their output, indeterminate ones say so.
 */
export function describeOp(op: Operation): string {
  const io = op.status === 'ok' && op.output !== undefined && canonicalDiffers(op.input, op.output)
    ? `${op.input === null ? '' : `${show(op.input)} `}→ ${show(op.output)}`
    : show(op.input);
  const status = op.status === 'ok' ? '' : ` [${op.status === 'info' ? 'indeterminate' : 'failed'}]`;
  return `p${op.process} ${op.f} ${io}${status} (#${op.index}, ${showMillis(op.invokeTime)}–${showMillis(op.completeTime)} ms)`;
}

function canonicalDiffers(a: HistoryValue, b: HistoryValue): boolean {
  return JSON.stringify(a) !== JSON.stringify(b);
}
