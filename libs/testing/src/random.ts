/** Random sources: Math.random for simulations, a seeded one for reproducible data sets and fuzzing. */

export type Rand = () => number;

/** A small, fast seeded generator (mulberry32): the same seed gives the same data set. */
export function seededRandom(seed: number): Rand {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** An integer in [min, max] (both included). */
export function randInt(min: number, max: number, rand: Rand = Math.random): number {
  return min + Math.floor(rand() * (max - min + 1));
}

export function pick<T>(items: readonly T[], rand: Rand = Math.random): T | undefined {
  return items.length ? items[Math.floor(rand() * items.length)] : undefined;
}

/** `n` distinct items (all of them when there are fewer), by a partial Fisher–Yates shuffle of a copy. */
export function sample<T>(items: readonly T[], n: number, rand: Rand = Math.random): T[] {
  const copy = [...items];
  const k = Math.min(n, copy.length);
  for (let i = 0; i < k; i++) {
    const j = i + Math.floor(rand() * (copy.length - i));
    [copy[i], copy[j]] = [copy[j], copy[i]];
  }
  return copy.slice(0, k);
}
