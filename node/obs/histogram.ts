/**
 * A Prometheus-style latency histogram with fixed buckets: cheap to record
 * (one array increment) and rendered in the text exposition format.
 */
const defaultBucketsSeconds = [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10];

export class LatencyHistogram {
  readonly #counts: number[];
  #sum = 0;
  #count = 0;

  constructor(readonly name: string, readonly help: string, readonly bucketsSeconds: readonly number[] = defaultBucketsSeconds) {
    this.#counts = bucketsSeconds.map(() => 0);
  }

  /** Records one observation in seconds. */
  observe(seconds: number): void {
    this.#sum += seconds;
    this.#count++;
    for (let i = 0; i < this.bucketsSeconds.length; i++) {
      if (seconds <= this.bucketsSeconds[i]!) {
        this.#counts[i]!++;
        return;
      }
    }
  }

  get count(): number {
    return this.#count;
  }

  /** The histogram in Prometheus text format (cumulative buckets). */
  render(labels = ''): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} histogram`];
    let cumulative = 0;
    const sep = labels ? `${labels},` : '';
    for (let i = 0; i < this.bucketsSeconds.length; i++) {
      cumulative += this.#counts[i]!;
      lines.push(`${this.name}_bucket{${sep}le="${this.bucketsSeconds[i]}"} ${cumulative}`);
    }
    lines.push(`${this.name}_bucket{${sep}le="+Inf"} ${this.#count}`);
    lines.push(`${this.name}_sum${labels ? `{${labels}}` : ''} ${this.#sum}`);
    lines.push(`${this.name}_count${labels ? `{${labels}}` : ''} ${this.#count}`);
    return lines.join('\n');
  }
}
