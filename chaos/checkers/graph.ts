/**
 * A directed graph between transactions (nodes 0..n-1) whose edges carry a
 * set of dependency kinds as a bitmask, with the searches cycle detection
 * needs: strongly connected components (Tarjan, iterative) and breadth-first
 * shortest paths restricted to some kinds and some nodes.
 */

/** Edge kinds, as bits. */
export const ww = 1;
export const wr = 2;
export const rw = 4;
/** Realtime order: the source completed before the target was invoked. */
export const rt = 8;
/** Process order: the source ran before the target on the same process. */
export const po = 16;

export const dataKinds = ww | wr | rw;
export const orderKinds = rt | po;

const kindNames: ReadonlyArray<readonly [number, string]> = [[ww, 'ww'], [wr, 'wr'], [rw, 'rw'], [rt, 'rt'], [po, 'process']];

/** The name of a single kind bit. */
export function kindName(kind: number): string {
  for (const [bit, name] of kindNames) if (bit === kind) return name;
  return `kind${kind}`;
}

/** The lowest kind bit of `kinds` that `allowed` permits, or 0. */
export function pickKind(kinds: number, allowed: number): number {
  const both = kinds & allowed;
  return both & -both;
}

/** Dependencies between transactions numbered 0..size-1. */
export class DependencyGraph {
  readonly #out: Array<Map<number, number>>;

  constructor(readonly size: number) {
    this.#out = Array.from({ length: size }, () => new Map<number, number>());
  }

  /** Adds `kind` to the edge from → to; self-edges are dropped (a transaction does not depend on itself). */
  add(from: number, to: number, kind: number): void {
    if (from === to) return;
    const targets = this.#out[from]!;
    targets.set(to, (targets.get(to) ?? 0) | kind);
  }

  kinds(from: number, to: number): number {
    return this.#out[from]?.get(to) ?? 0;
  }

  successors(node: number): ReadonlyMap<number, number> {
    return this.#out[node]!;
  }

  /** Edge counts by kind name (an edge with two kinds counts under both). */
  edgeCounts(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const [, name] of kindNames) counts[name] = 0;
    for (const targets of this.#out) {
      for (const kinds of targets.values()) {
        for (const [bit, name] of kindNames) if (kinds & bit) counts[name]!++;
      }
    }
    return counts;
  }

  /**
   * Strongly connected components with more than one node, using only edges
   * with a kind in `allowed` and only nodes for which `within` is true.
   */
  components(allowed: number, within?: (node: number) => boolean): number[][] {
    const n = this.size;
    const index = new Int32Array(n).fill(-1);
    const low = new Int32Array(n);
    const onStack = new Uint8Array(n);
    const stack: number[] = [];
    const result: number[][] = [];
    let counter = 0;
    for (let root = 0; root < n; root++) {
      if (index[root] !== -1 || (within && !within(root))) continue;
      const frames: Array<{ node: number; it: Iterator<[number, number]> }> = [];
      const open = (node: number) => {
        index[node] = low[node] = counter++;
        stack.push(node);
        onStack[node] = 1;
        frames.push({ node, it: this.#out[node]!.entries() });
      };
      open(root);
      while (frames.length > 0) {
        const frame = frames[frames.length - 1]!;
        const step = frame.it.next();
        if (!step.done) {
          const [to, kinds] = step.value;
          if (!(kinds & allowed) || (within && !within(to))) continue;
          if (index[to] === -1) open(to);
          else if (onStack[to]) low[frame.node] = Math.min(low[frame.node]!, index[to]!);
          continue;
        }
        frames.pop();
        const parent = frames[frames.length - 1];
        if (parent) low[parent.node] = Math.min(low[parent.node]!, low[frame.node]!);
        if (low[frame.node] !== index[frame.node]) continue;
        const component: number[] = [];
        let w: number;
        do {
          w = stack.pop()!;
          onStack[w] = 0;
          component.push(w);
        } while (w !== frame.node);
        if (component.length > 1) result.push(component);
      }
    }
    return result;
  }
}
