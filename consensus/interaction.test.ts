/**
 * Data-driven interaction tests: each testdata/*.txt file is a script of
 * commands (see interaction-env.ts), each followed by `----` and the output
 * it must produce; comments (#) and blank lines separate them (the
 * etcd-io/raft interaction_test.go idea). Regenerate the expectations, then
 * review the diff:
 *   REWRITE=1 npx vitest run consensus/interaction.test.ts
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { InteractionEnv } from './interaction-env.ts';

const dir = join(dirname(fileURLToPath(import.meta.url)), 'testdata');
const rewrite = process.env.REWRITE === '1';

/** A script: verbatim lines (comments, blanks) and command blocks, in order. */
type Part = { kind: 'text'; line: string } | { kind: 'command'; command: string; expected: string; line: number };

function parseScript(text: string, file: string): Part[] {
  const lines = text.replace(/\n+$/, '').split('\n');
  const parts: Part[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim() === '' || line.startsWith('#')) {
      parts.push({ kind: 'text', line });
      continue;
    }
    if (lines[i + 1] !== '----') throw new Error(`${file}:${i + 1}: expected ---- after "${line}"`);
    const start = i + 1;
    i += 2;
    const out: string[] = [];
    while (i < lines.length && lines[i] !== '') out.push(lines[i++]!);
    parts.push({ kind: 'command', command: line, expected: out.join('\n'), line: start });
  }
  return parts;
}

function render(parts: readonly Part[], outputs: ReadonlyMap<Part, string>): string {
  const lines: string[] = [];
  for (const p of parts) {
    if (p.kind === 'text') lines.push(p.line);
    else lines.push(p.command, '----', outputs.get(p) ?? p.expected, '');
  }
  // Collapse the blank line a command block ends with into a following blank.
  return `${lines.join('\n').replace(/\n\n\n+/g, '\n\n').replace(/\n+$/, '')}\n`;
}

describe('raft interactions', () => {
  const files = readdirSync(dir).filter((f) => f.endsWith('.txt')).sort();
  it('testdata holds scenarios', () => {
    expect(files.length).toBeGreaterThan(0);
  });
  for (const file of files) {
    it(file, () => {
      const path = join(dir, file);
      const parts = parseScript(readFileSync(path, 'utf8'), file);
      const env = new InteractionEnv();
      const outputs = new Map<Part, string>();
      for (const p of parts) {
        if (p.kind !== 'command') continue;
        let output: string;
        try {
          output = env.run(p.command);
        } catch (error) {
          output = `panic: ${(error as Error).message}`;
        }
        outputs.set(p, output);
        if (!rewrite) expect(output, `${file}:${p.line}: ${p.command}`).toBe(p.expected);
      }
      if (rewrite) writeFileSync(path, render(parts, outputs));
    });
  }
});
