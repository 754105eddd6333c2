import { WebSocketEvent } from './websocket-event.js';

/** Where an event was published and its number there: unique across the cluster. */
export interface EventId {
  origin: string;
  seq: number;
}

/** An event with its cluster-wide identity, as it travels between nodes. */
export interface StampedEvent {
  id: EventId;
  event: WebSocketEvent;
}

/**
 * For each origin node, the highest event number processed. Events from one origin are always
 * processed in order, so this describes exactly which events a hub has seen.
 */
export type Vector = Record<string, number>;

export function covers(vector: Vector, id: EventId): boolean {
  return id.seq <= (vector[id.origin] ?? 0);
}

/** True when `a` has processed everything `b` has. */
export function dominates(a: Vector, b: Vector): boolean {
  return Object.entries(b).every(([origin, seq]) => (a[origin] ?? 0) >= seq);
}

export function eventKey(id: EventId): string {
  return `${id.origin}:${id.seq}`;
}
