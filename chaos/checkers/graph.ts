/**
 * A dependency graph between transactions with labelled edges, strongly
 * connected components (Tarjan) and shortest cycles restricted to edge kinds.
 */

export type EdgeKind = 'ww' | 'wr' | 'rw' | 'rt' | 'process';

export class DependencyGraph {
  readonly out = new Map<number, Map<number, Set<EdgeKind>>>();
  /** Why each edge exists, for explanations: `${from}->${to}:${kind}` → text. */
  readonly reasons = new Map<string, string>();

  addEdge(from: number, to: number, kind: EdgeKind, reason?: string): void {
    if (from === to) return;
    let targets = this.out.get(from);
    if (!targets) this.out.set(from, (targets = new Map()));
    let kinds = targets.get(to);
    if (!kinds) targets.set(to, (kinds = new Set()));
    kinds.add(kind);
    if (!this.out.has(to)) this.out.set(to, new Map());
    const key = `${from}->${to}:${kind}`;
    if (reason && !this.reasons.has(key)) this.reasons.set(key, reason);
  }

  edgeCount(): number {
    let n = 0;
    for (const t of this.out.values()) n += t.size;
    return n;
  }

  /** Strongly connected components with more than one node (iterative Tarjan). */
  components(allowed: ReadonlySet<EdgeKind>): number[][] {
    let index = 0;
    const indexOf = new Map<number, number>();
    const low = new Map<number, number>();
    const onStack = new Set<number>();
    const stack: number[] = [];
    const result: number[][] = [];
    for (const root of this.out.keys()) {
      if (indexOf.has(root)) continue;
      const work: Array<{ node: number; it: Iterator<[number, Set<EdgeKind>]> }> = [];
      const visit = (node: number) => {
        indexOf.set(node, index);
        low.set(node, index);
        index++;
        stack.push(node);
        onStack.add(node);
        work.push({ node, it: (this.out.get(node) ?? new Map()).entries() });
      };
      visit(root);
      while (work.length > 0) {
        const frame = work[work.length - 1]!;
        const step = frame.it.next();
        if (!step.done) {
          const [to, kinds] = step.value;
          if (![...kinds].some((k) => allowed.has(k))) continue;
          if (!indexOf.has(to)) visit(to);
          else if (onStack.has(to)) low.set(frame.node, Math.min(low.get(frame.node)!, indexOf.get(to)!));
          continue;
        }
        work.pop();
        const parent = work[work.length - 1];
        if (parent) low.set(parent.node, Math.min(low.get(parent.node)!, low.get(frame.node)!));
        if (low.get(frame.node) === indexOf.get(frame.node)) {
          const component: number[] = [];
          let w: number;
          do {
            w = stack.pop()!;
            onStack.delete(w);
            component.push(w);
          } while (w !== frame.node);
          if (component.length > 1) result.push(component);
        }
      }
    }
    return result;
  }

  /** The shortest path from `from` to `to` using only allowed edge kinds, within `within`. */
  shortestPath(from: number, to: number, allowed: ReadonlySet<EdgeKind>, within: ReadonlySet<number>): Array<{ from: number; to: number; kind: EdgeKind }> | null {
    const parent = new Map<number, { from: number; kind: EdgeKind }>();
    const queue = [from];
    const seen = new Set([from]);
    while (queue.length > 0) {
      const node = queue.shift()!;
      for (const [next, kinds] of this.out.get(node) ?? []) {
        if (!within.has(next) || seen.has(next)) continue;
        const kind = [...kinds].find((k) => allowed.has(k));
        if (!kind) continue;
        seen.add(next);
        parent.set(next, { from: node, kind });
        if (next === to) {
          const path: Array<{ from: number; to: number; kind: EdgeKind }> = [];
          let at = to;
          while (at !== from) {
            const p = parent.get(at)!;
            path.unshift({ from: p.from, to: at, kind: p.kind });
            at = p.from;
          }
          return path;
        }
        queue.push(next);
      }
    }
    return null;
  }

  /** Edges (from, to, kind) inside a component, of one kind. */
  edgesOfKind(within: ReadonlySet<number>, kind: EdgeKind): Array<{ from: number; to: number }> {
    const out: Array<{ from: number; to: number }> = [];
    for (const from of within) {
      for (const [to, kinds] of this.out.get(from) ?? []) if (within.has(to) && kinds.has(kind)) out.push({ from, to });
    }
    return out;
  }
}
