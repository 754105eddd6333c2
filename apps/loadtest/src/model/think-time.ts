import type { Rand } from '#testing';

/**
 * Idle time between two actions, as load-test-ng's PickIdleTimeMs: uniform over
 * [min, 2·avg − min), so that its mean is `avg`, then scaled by the user's rate.
 */
export function pickIdleTimeMs(minMs: number, avgMs: number, rate: number, rand: Rand = Math.random): number {
  const span = 2 * avgMs - 2 * minMs;
  return (minMs + rand() * span) * rate;
}

/** The mean of pickIdleTimeMs. */
export function meanIdleTimeMs(avgMs: number, rate: number): number {
  return avgMs * rate;
}

/** The bounds [low, high) of pickIdleTimeMs. */
export function idleTimeRangeMs(minMs: number, avgMs: number, rate: number): [number, number] {
  return [minMs * rate, (2 * avgMs - minMs) * rate];
}
