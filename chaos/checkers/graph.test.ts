import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { classifyComponent, SearchBudget, simpleCycles, type CycleEdge } from './cycles.ts';
import { DependencyGraph, po, rt, rw, wr, ww } from './graph.ts';

function graphOf(n: number, edges: ReadonlyArray<readonly [number, number, number]>): DependencyGraph {
  const g = new DependencyGraph(n);
  for (const [a, b, k] of edges) g.add(a, b, k);
  return g;
}

/** Nodes reachable from `from` (brute force). */
function reach(g: DependencyGraph, from: number): Set<number> {
  const seen = new Set([from]);
  const stack = [from];
  while (stack.length > 0) for (const [to] of g.successors(stack.pop()!)) if (!seen.has(to)) (seen.add(to), stack.push(to));
  return seen;
}

/** Checks that edges form a closed walk of real graph edges. */
function closedWalk(g: DependencyGraph, edges: readonly CycleEdge[]): boolean {
  return edges.every((e, i) => (g.kinds(e.from, e.to) & e.kind) !== 0 && edges[(i + 1) % edges.length]!.from === e.to);
}

describe('DependencyGraph', () => {
  it('components finds exactly the mutually reachable groups', () => {
    const edge = fc.tuple(fc.nat(11), fc.nat(11), fc.constantFrom(ww, wr, rw));
    fc.assert(fc.property(fc.array(edge, { maxLength: 30 }), (edges) => {
      const g = graphOf(12, edges);
      const components = g.components(~0);
      const componentOf = new Map<number, number>();
      components.forEach((c, i) => c.forEach((n) => componentOf.set(n, i)));
      const reachable = Array.from({ length: 12 }, (_, i) => reach(g, i));
      for (let a = 0; a < 12; a++) {
        for (let b = 0; b < 12; b++) {
          if (a === b) continue;
          const mutual = reachable[a]!.has(b) && reachable[b]!.has(a);
          expect(componentOf.get(a) !== undefined && componentOf.get(a) === componentOf.get(b)).toBe(mutual);
        }
      }
    }), { numRuns: 300 });
  });

  it('components ignores edges of kinds not allowed and nodes outside', () => {
    const g = graphOf(3, [[0, 1, ww], [1, 0, rw], [1, 2, ww], [2, 1, ww]]);
    expect(g.components(ww).map((c) => c.sort())).toEqual([[1, 2]]);
    expect(g.components(~0, [0, 1]).map((c) => c.sort())).toEqual([[0, 1]]);
    expect(g.edgeCounts()).toMatchObject({ ww: 3, rw: 1, wr: 0 });
  });

  it('add drops self-edges and merges kinds', () => {
    const g = graphOf(2, [[0, 0, ww], [0, 1, ww], [0, 1, rw]]);
    expect(g.kinds(0, 0)).toBe(0);
    expect(g.kinds(0, 1)).toBe(ww | rw);
  });
});

describe('classifyComponent', () => {
  const classify = (edges: ReadonlyArray<readonly [number, number, number]>, orderKinds = 0) => {
    const g = graphOf(6, edges);
    return g.components(~0).flatMap((c) => classifyComponent(g, c, { orderKinds, budget: new SearchBudget() }).map((f) => f.name));
  };

  it('classifyComponent names each class by its edges', () => {
    expect(classify([[0, 1, ww], [1, 0, ww]])).toEqual(['G0']);
    expect(classify([[0, 1, ww], [1, 0, wr]])).toEqual(['G1c']);
    expect(classify([[0, 1, rw], [1, 0, wr]])).toEqual(['G-single']);
    expect(classify([[0, 1, rw], [1, 0, rw]])).toEqual(['G2']);
    expect(classify([[0, 1, rw], [1, 2, rw], [2, 0, ww]])).toEqual(['G2']);
    expect(classify([[0, 1, rw], [1, 0, rt]], rt)).toEqual(['G-single-realtime']);
    expect(classify([[0, 1, ww], [1, 0, po]], po)).toEqual(['G0-process']);
  });

  it('classifyComponent reports every class a component holds, preferring data edges', () => {
    // 0⇄1 is a write cycle; 1→2→1 a read skew; with realtime 0→2 as well.
    expect(classify([[0, 1, ww], [1, 0, ww], [1, 2, rw], [2, 1, wr], [2, 0, rt]], rt)).toEqual(['G0', 'G-single']);
  });

  it('classifyComponent does not call two G-single cycles through one node G2', () => {
    expect(classify([[0, 1, rw], [1, 0, wr], [0, 2, rw], [2, 0, wr]])).toEqual(['G-single']);
  });

  it('classifyComponent returns closed walks of real edges', () => {
    const edge = fc.tuple(fc.nat(5), fc.nat(5), fc.constantFrom(ww, wr, rw, rt));
    fc.assert(fc.property(fc.array(edge, { maxLength: 20 }), (edges) => {
      const g = graphOf(6, edges);
      for (const c of g.components(~0)) {
        const found = classifyComponent(g, c, { orderKinds: rt, budget: new SearchBudget() });
        expect(found.length).toBeGreaterThan(0);
        for (const f of found) {
          expect(closedWalk(g, f.edges)).toBe(true);
          const rws = f.edges.filter((e) => e.kind === rw).length;
          if (f.cls === 'G0') expect(f.edges.every((e) => e.kind === ww || e.kind === rt)).toBe(true);
          if (f.cls === 'G1c') expect(rws === 0 && f.edges.some((e) => e.kind === wr)).toBe(true);
          if (f.cls === 'G-single') expect(rws).toBe(1);
          if (f.cls === 'G2') expect(rws).toBeGreaterThanOrEqual(2);
          expect(new Set(f.edges.map((e) => e.from)).size).toBe(f.edges.length);
        }
      }
    }), { numRuns: 300 });
  });
});

describe('simpleCycles', () => {
  it('simpleCycles splits a closed walk that passes a node twice', () => {
    const walk: CycleEdge[] = [
      { from: 0, to: 1, kind: rw }, { from: 1, to: 0, kind: wr }, { from: 0, to: 2, kind: rw }, { from: 2, to: 0, kind: wr },
    ];
    expect(simpleCycles(walk).map((c) => c.map((e) => e.from))).toEqual([[0, 1], [0, 2]]);
  });
});
