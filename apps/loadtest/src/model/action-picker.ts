import type { Rand } from '#testing';

/**
 * Picks an action with probability proportional to its weight, as load-test-ng's pickAction
 * (which rounds weights to multiples of the smallest one; here they are used as they are).
 */
export class ActionPicker<T extends string = string> {
  private readonly names: T[] = [];
  private readonly cumulative: number[] = [];
  readonly total: number;

  constructor(weights: Record<T, number> | Array<[T, number]>) {
    const entries = (Array.isArray(weights) ? weights : (Object.entries(weights) as Array<[T, number]>)).filter(([, w]) => w > 0);
    let sum = 0;
    for (const [name, w] of entries) {
      if (!Number.isFinite(w)) throw new Error(`weight of ${name} is not a number`);
      sum += w;
      this.names.push(name);
      this.cumulative.push(sum);
    }
    if (sum <= 0) throw new Error('no action has a positive weight');
    this.total = sum;
  }

  /** The next action: the first whose cumulative weight exceeds rand()·total (binary search). */
  pick(rand: Rand = Math.random): T {
    const x = rand() * this.total;
    let lo = 0;
    let hi = this.cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.cumulative[mid] > x) hi = mid;
      else lo = mid + 1;
    }
    return this.names[lo];
  }

  /** Each action's share of all picks (weight / total). */
  probabilities(): Record<T, number> {
    const out = {} as Record<T, number>;
    let prev = 0;
    this.names.forEach((name, i) => {
      out[name] = (this.cumulative[i] - prev) / this.total;
      prev = this.cumulative[i];
    });
    return out;
  }
}
