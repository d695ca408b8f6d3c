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
   * with a kind in `allowed` and only the given nodes (all by default).
   */
  components(allowed: number, nodes?: readonly number[]): number[][] {
    const { compOf, count } = this.condense(allowed, nodes);
    const groups: number[][] = Array.from({ length: count }, () => []);
    for (const [node, c] of compOf) groups[c]!.push(node);
    return groups.filter((g) => g.length > 1);
  }

  /**
   * Tarjan's algorithm (iterative): every given node's component number,
   * using only `allowed` edges between given nodes. Components are numbered
   * in the order Tarjan completes them, which is reverse topological: an
   * edge between two components always goes to the lower number.
   */
  condense(allowed: number, nodes?: readonly number[]): { readonly compOf: ReadonlyMap<number, number>; readonly count: number } {
    const members = nodes ? new Set(nodes) : null;
    const roots = nodes ?? Array.from({ length: this.size }, (_, i) => i);
    const index = new Map<number, number>();
    const low = new Map<number, number>();
    const compOf = new Map<number, number>();
    const stack: number[] = [];
    let counter = 0;
    let count = 0;
    for (const root of roots) {
      if (index.has(root)) continue;
      const frames: Array<{ node: number; it: Iterator<[number, number]> }> = [];
      const open = (node: number) => {
        index.set(node, counter);
        low.set(node, counter++);
        stack.push(node);
        frames.push({ node, it: this.#out[node]!.entries() });
      };
      open(root);
      while (frames.length > 0) {
        const frame = frames[frames.length - 1]!;
        const step = frame.it.next();
        if (!step.done) {
          const [to, kinds] = step.value;
          if (!(kinds & allowed) || (members && !members.has(to))) continue;
          // On the stack: visited and not yet assigned a component.
          if (!index.has(to)) open(to);
          else if (!compOf.has(to)) low.set(frame.node, Math.min(low.get(frame.node)!, index.get(to)!));
          continue;
        }
        frames.pop();
        const parent = frames[frames.length - 1];
        if (parent) low.set(parent.node, Math.min(low.get(parent.node)!, low.get(frame.node)!));
        if (low.get(frame.node) !== index.get(frame.node)) continue;
        let w: number;
        do {
          w = stack.pop()!;
          compOf.set(w, count);
        } while (w !== frame.node);
        count++;
      }
    }
    return { compOf, count };
  }
}

/**
 * Which nodes reach which, over `allowed` edges among `nodes`: the
 * transitive closure of the condensation, one bitset of components per
 * component. Quadratic in components, so only built for components up to
 * `reachabilityComponentsMax`.
 */
export class Reachability {
  readonly #compOf: ReadonlyMap<number, number>;
  readonly #reach: Uint32Array[];

  constructor(graph: DependencyGraph, allowed: number, nodes: readonly number[]) {
    const { compOf, count } = graph.condense(allowed, nodes);
    this.#compOf = compOf;
    const words = Math.ceil(count / 32);
    const members = new Set(nodes);
    const byComp: number[][] = Array.from({ length: count }, () => []);
    for (const [node, c] of compOf) byComp[c]!.push(node);
    this.#reach = [];
    // Successor components have lower numbers, so they are complete when needed.
    for (let c = 0; c < count; c++) {
      const reach = new Uint32Array(words);
      reach[c >>> 5]! |= 1 << (c & 31);
      for (const node of byComp[c]!) {
        for (const [to, kinds] of graph.successors(node)) {
          if (!(kinds & allowed) || !members.has(to)) continue;
          const d = compOf.get(to)!;
          if (d === c) continue;
          const theirs = this.#reach[d]!;
          for (let i = 0; i < words; i++) reach[i]! |= theirs[i]!;
        }
      }
      this.#reach.push(reach);
    }
  }

  /** True when a path (possibly empty) leads from `from` to `to`. */
  reaches(from: number, to: number): boolean {
    const a = this.#compOf.get(from);
    const b = this.#compOf.get(to);
    if (a === undefined || b === undefined) return false;
    return ((this.#reach[a]![b >>> 5]! >>> (b & 31)) & 1) === 1;
  }
}
