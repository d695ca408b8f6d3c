/**
 * The house rules of DESIGN.md section 2, checked on the import graph:
 * consensus/ and sql/ import nothing of ours outside themselves, nothing imports
 * chaos/ or bench/, and a layer is reached only through its index.ts.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const layerRoots = ['consensus', 'sql', 'node', 'chaos'];

/** node/<layer>/ folders, each a layer of its own; top files of node/ compose them. */
function layerOf(file: string): string {
  const parts = file.split(sep);
  if (parts[0] === 'node' && parts.length > 2) return `node/${parts[1]}`;
  if (parts[0] === 'sql' && parts.length > 2) return `sql/${parts[1]}`;
  return parts[0] ?? '';
}

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'testdata') continue;
    const full = join(dir, name);
    if (statSync(full).isDirectory()) out.push(...sourceFiles(full));
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) out.push(full);
  }
  return out;
}

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const found: string[] = [];
  const pattern = /(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;
  for (const match of text.matchAll(pattern)) found.push((match[1] ?? match[2])!);
  return found;
}

interface Edge { from: string; to: string }

function edges(): Edge[] {
  const out: Edge[] = [];
  for (const top of layerRoots) {
    let files: string[] = [];
    try { files = sourceFiles(join(root, top)); } catch { continue; }
    for (const file of files) {
      for (const spec of importsOf(file)) {
        if (!spec.startsWith('.')) continue;
        out.push({ from: relative(root, file), to: relative(root, resolve(dirname(file), spec)) });
      }
    }
  }
  return out;
}

const isTest = (f: string) => f.endsWith('.test.ts') || f.includes(`${sep}sim${sep}`) || f.includes('.sim.');

describe('architecture', () => {
  const all = edges();

  it('consensus imports nothing of ours', () => {
    const bad = all.filter((e) => e.from.startsWith('consensus') && !e.to.startsWith('consensus'));
    expect(bad).toEqual([]);
  });

  it('sql imports nothing of node, chaos or consensus', () => {
    const bad = all.filter((e) => e.from.startsWith('sql') && !e.to.startsWith('sql'));
    expect(bad).toEqual([]);
  });

  it('nothing below chaos imports chaos', () => {
    const bad = all.filter((e) => !e.from.startsWith('chaos') && e.to.startsWith('chaos'));
    expect(bad).toEqual([]);
  });

  it('layers reach each other only through index.ts', () => {
    const bad = all.filter((e) => {
      if (isTest(e.from)) return false;
      const from = layerOf(e.from);
      const to = layerOf(e.to);
      if (from === to) return false;
      // node/assert.ts and node's top files are shared by node's layers.
      if (e.to === join('node', 'assert.ts')) return false;
      const base = e.to.replace(/\.(ts|js)$/, '');
      return !(base.endsWith(`${sep}index`) || base === to);
    });
    expect(bad).toEqual([]);
  });
});
