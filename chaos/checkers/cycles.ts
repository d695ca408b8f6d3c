/**
 * Finds and classifies dependency cycles, after Adya's phenomena as Elle
 * reports them:
 *
 * - G0: a cycle of write-write (ww) edges only (a write cycle);
 * - G1c: ww and write-read (wr) edges, at least one wr (circular information flow);
 * - G-single: exactly one read-write anti-dependency (rw) edge (read skew, lost update);
 * - G2: two or more rw edges (write skew).
 *
 * With realtime or process order edges, a cycle that needs them is reported
 * with a `-realtime` or `-process` suffix (a strict-serializability
 * violation, not a serializability one).
 *
 * Each cycle is found from one designated edge a→b of the class's defining
 * kind plus a shortest path b→a (breadth-first) over the kinds the class
 * allows, inside one strongly connected component. For every class but G2,
 * a reachability table over the allowed kinds first says which designated
 * edges close a cycle at all, so only a search that succeeds is run. A G2
 * path must itself hold an rw edge, so that search walks (node, saw-rw)
 * pairs, trying designated edges until one closes a simple cycle. All searches of
 * one check share a visit budget; a component whose class searches run out
 * still gets a plain cycle, since any component of two or more nodes holds one.
 */
import { cycleSearchVisitsMax, reachabilityNodesMax } from './limits.ts';
import { DependencyGraph, orderKinds, pickKind, po, Reachability, rt, rw, wr, ww } from './graph.ts';

export type CycleClass = 'G0' | 'G1c' | 'G-single' | 'G2' | 'cycle';

export interface CycleEdge {
  readonly from: number;
  readonly to: number;
  /** A single kind bit. */
  readonly kind: number;
}

export interface FoundCycle {
  readonly cls: CycleClass;
  /** The class with a -realtime or -process suffix when the cycle needs order edges. */
  readonly name: string;
  readonly edges: readonly CycleEdge[];
}

export interface CycleSearchOptions {
  /** Order edge kinds present in the graph (rt, po), tried only when data edges alone find no cycle of a class. */
  readonly orderKinds: number;
  /** Shared by every component of one check, so a badly broken history stays bounded. */
  readonly budget: SearchBudget;
}

interface ClassSpec {
  readonly cls: Exclude<CycleClass, 'cycle'>;
  /** The defining kind of the designated edge. */
  readonly designated: number;
  /** Kinds the path back may use. */
  readonly path: number;
  /** The path back must hold an rw edge too (G2). */
  readonly pathNeedsRw: boolean;
}

const classes: readonly ClassSpec[] = [
  { cls: 'G0', designated: ww, path: ww, pathNeedsRw: false },
  { cls: 'G1c', designated: wr, path: ww | wr, pathNeedsRw: false },
  { cls: 'G-single', designated: rw, path: ww | wr, pathNeedsRw: false },
  { cls: 'G2', designated: rw, path: ww | wr | rw, pathNeedsRw: true },
];

/** Breadth-first visits left for classifying cycles. */
export class SearchBudget {
  visits = 0;
  constructor(readonly max: number = cycleSearchVisitsMax) {}
  spend(): boolean {
    return ++this.visits <= this.max;
  }
}

/** One cycle of each class found in a strongly connected component. */
export function classifyComponent(graph: DependencyGraph, component: readonly number[], options: CycleSearchOptions): FoundCycle[] {
  const members = new Set(component);
  const budget = options.budget;
  const found: FoundCycle[] = [];
  for (const spec of classes) {
    let edges = findClassCycle(graph, members, spec, 0, budget);
    if (!edges && options.orderKinds) edges = findClassCycle(graph, members, spec, options.orderKinds & orderKinds, budget);
    if (edges) found.push({ cls: spec.cls, name: spec.cls + suffix(edges), edges });
  }
  if (found.length === 0) {
    const any: ClassSpec = { cls: 'G2', designated: ~0, path: ~0, pathNeedsRw: false };
    const edges = findClassCycle(graph, members, any, 0, new SearchBudget(Infinity));
    if (edges) found.push({ cls: 'cycle', name: 'cycle' + suffix(edges), edges });
  }
  return found;
}

function suffix(edges: readonly CycleEdge[]): string {
  if (edges.some((e) => e.kind === rt)) return '-realtime';
  if (edges.some((e) => e.kind === po)) return '-process';
  return '';
}

function findClassCycle(
  graph: DependencyGraph, members: ReadonlySet<number>, spec: ClassSpec, extra: number, budget: SearchBudget,
): CycleEdge[] | null {
  // Designated edges a→b inside the component, grouped by b: one search from b serves them all.
  const reach = !spec.pathNeedsRw && members.size <= reachabilityNodesMax ? new Reachability(graph, spec.path | extra, [...members]) : null;
  const sourcesOf = new Map<number, number[]>();
  for (const a of members) {
    for (const [b, kinds] of graph.successors(a)) {
      if (!(kinds & spec.designated) || !members.has(b)) continue;
      if (reach && !reach.reaches(b, a)) continue;
      const list = sourcesOf.get(b);
      if (list) list.push(a);
      else sourcesOf.set(b, [a]);
    }
  }
  for (const [b, sources] of sourcesOf) {
    const paths = searchFrom(graph, members, b, spec.path | extra, spec.pathNeedsRw, budget);
    if (paths === null) return null;
    const candidates: CycleEdge[][] = [];
    for (const a of sources) {
      const back = paths(a);
      if (back) candidates.push([{ from: a, to: b, kind: pickKind(graph.kinds(a, b), spec.designated) }, ...back]);
    }
    candidates.sort((x, y) => x.length - y.length);
    for (const walk of candidates) {
      const cycle = spec.pathNeedsRw ? simpleCycles(walk).find((c) => countKind(c, rw) >= 2) : walk;
      if (cycle) return cycle;
    }
  }
  return null;
}

function countKind(edges: readonly CycleEdge[], kind: number): number {
  let n = 0;
  for (const e of edges) if (e.kind === kind) n++;
  return n;
}

/**
 * Splits a closed walk into simple cycles. A (node, saw-rw) search can pass a
 * node twice; such a walk with two rw edges may just be two G-single cycles
 * sharing a node, so only a simple cycle counts as a G2 witness.
 */
export function simpleCycles(walk: readonly CycleEdge[]): CycleEdge[][] {
  const cycles: CycleEdge[][] = [];
  const stack: CycleEdge[] = [];
  const position = new Map<number, number>();
  const start = walk[0]?.from;
  if (start !== undefined) position.set(start, 0);
  for (const edge of walk) {
    stack.push(edge);
    const seen = position.get(edge.to);
    if (seen === undefined) {
      position.set(edge.to, stack.length);
      continue;
    }
    const cycle = stack.splice(seen);
    for (const e of cycle) if (e.to !== edge.to) position.delete(e.to);
    cycles.push(cycle);
  }
  return cycles;
}

/**
 * Breadth-first search from `start` over `allowed` kinds inside `members`.
 * States are (node, saw-rw) when `needRw`, so a path found to (target, 1)
 * holds an rw edge. Returns a function giving the shortest path to a target,
 * or null when the budget ran out.
 */
function searchFrom(
  graph: DependencyGraph, members: ReadonlySet<number>, start: number, allowed: number, needRw: boolean, budget: SearchBudget,
): ((target: number) => CycleEdge[] | null) | null {
  const parent = new Map<number, { readonly state: number; readonly kind: number }>();
  const startState = start * 2;
  parent.set(startState, { state: -1, kind: 0 });
  const queue = [startState];
  for (let head = 0; head < queue.length; head++) {
    if (!budget.spend()) return null;
    const state = queue[head]!;
    const node = state >> 1;
    const sawRw = state & 1;
    for (const [to, kinds] of graph.successors(node)) {
      if (!members.has(to) || !(kinds & allowed)) continue;
      // Without counting, any allowed kind will do; with counting, try a non-rw step and an rw step.
      const nonRw = pickKind(kinds, allowed & ~rw);
      const steps: Array<readonly [number, number]> = [];
      if (nonRw) steps.push([nonRw, sawRw]);
      if (kinds & allowed & rw) steps.push([rw, needRw ? 1 : sawRw]);
      for (const [kind, nextRw] of needRw ? steps : steps.slice(0, 1)) {
        const next = to * 2 + nextRw;
        if (parent.has(next)) continue;
        parent.set(next, { state, kind });
        queue.push(next);
      }
    }
  }
  return (target) => {
    const goal = target * 2 + (needRw ? 1 : 0);
    if (!parent.has(goal) || goal === startState) return null;
    const path: CycleEdge[] = [];
    for (let at = goal; at !== startState;) {
      const p = parent.get(at)!;
      path.push({ from: p.state >> 1, to: at >> 1, kind: p.kind });
      at = p.state;
    }
    return path.reverse();
  };
}
