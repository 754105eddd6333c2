/**
 * Plain counters that a library keeps for whoever wants to read them (the metrics endpoint reads
 * them at each scrape): no Prometheus here, and nothing on the counted path beyond a number added.
 */

/** Counts by a name from a small fixed set (event names, message types, job types). */
export class NamedCounts {
  private readonly values = new Map<string, number>();

  inc(name: string, by = 1): void {
    this.values.set(name, (this.values.get(name) ?? 0) + by);
  }

  /** For counts that go down as well (work in progress). */
  dec(name: string): void {
    this.values.set(name, (this.values.get(name) ?? 0) - 1);
  }

  get(name: string): number {
    return this.values.get(name) ?? 0;
  }

  entries(): IterableIterator<[string, number]> {
    return this.values.entries();
  }
}

/** Prometheus' default buckets (seconds), which Mattermost's histograms use. */
export const DEFAULT_SECONDS_BUCKETS: readonly number[] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * Durations in fixed buckets: per bucket how many fell in it (not cumulative; the last slot is
 * above every bound), their sum and count. Observing scans the bounds, a dozen comparisons.
 */
export class DurationHistogram {
  readonly counts: number[];
  sum = 0;
  count = 0;

  constructor(readonly bounds: readonly number[] = DEFAULT_SECONDS_BUCKETS) {
    this.counts = new Array<number>(bounds.length + 1).fill(0);
  }

  observe(seconds: number): void {
    let i = 0;
    while (i < this.bounds.length && seconds > this.bounds[i]) i++;
    this.counts[i]++;
    this.sum += seconds;
    this.count++;
  }
}
