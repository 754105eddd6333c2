/**
 * Latency histograms with logarithmic buckets (4 % wide, 0.05 ms to ~2 h), so that workers can
 * ship them every second and the driver can merge any window of them: percentiles are exact to
 * one bucket (reported as the bucket's upper bound, so never optimistic); count, sum and max are
 * exact.
 */

const MIN_MS = 0.05;
const GROWTH = 1.04;
const LOG_GROWTH = Math.log(GROWTH);
export const BUCKETS = 480; // 0.05 · 1.04^480 ≈ 7.2e6 ms

export function bucketOf(ms: number): number {
  if (!(ms > MIN_MS)) return 0;
  return Math.min(BUCKETS - 1, Math.ceil(Math.log(ms / MIN_MS) / LOG_GROWTH));
}

/** The upper bound of a bucket, in ms. */
export function bucketUpperMs(index: number): number {
  return MIN_MS * GROWTH ** index;
}

/** What a histogram looks like on the wire: sparse [bucket, count] pairs. */
export interface HistogramData {
  count: number;
  sum: number;
  max: number;
  buckets: Array<[number, number]>;
}

export class Histogram {
  private readonly counts = new Float64Array(BUCKETS);
  count = 0;
  sum = 0;
  max = 0;

  record(ms: number): void {
    this.counts[bucketOf(ms)]++;
    this.count++;
    this.sum += ms;
    if (ms > this.max) this.max = ms;
  }

  merge(other: Histogram | HistogramData): this {
    if (other instanceof Histogram) {
      for (let i = 0; i < BUCKETS; i++) this.counts[i] += other.counts[i];
    } else {
      for (const [i, n] of other.buckets) this.counts[i] += n;
    }
    this.count += other.count;
    this.sum += other.sum;
    if (other.max > this.max) this.max = other.max;
    return this;
  }

  get mean(): number {
    return this.count ? this.sum / this.count : NaN;
  }

  /** Nearest-rank percentile (0–100), as the upper bound of the bucket holding it, capped at the max. */
  percentile(p: number): number {
    if (this.count === 0) return NaN;
    const rank = Math.max(1, Math.ceil((p / 100) * this.count));
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.counts[i];
      if (seen >= rank) return Math.min(bucketUpperMs(i), this.max);
    }
    return this.max;
  }

  toData(): HistogramData {
    const buckets: Array<[number, number]> = [];
    for (let i = 0; i < BUCKETS; i++) if (this.counts[i]) buckets.push([i, this.counts[i]]);
    return { count: this.count, sum: this.sum, max: this.max, buckets };
  }

  static from(data: HistogramData): Histogram {
    return new Histogram().merge(data);
  }

  summary(): LatencySummary {
    return {
      count: this.count,
      avg: this.mean,
      p50: this.percentile(50),
      p90: this.percentile(90),
      p99: this.percentile(99),
      max: this.count ? this.max : NaN,
    };
  }
}

export interface LatencySummary {
  count: number;
  avg: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}
