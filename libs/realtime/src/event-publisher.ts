import { WebSocketEvent } from './websocket-event.js';

/**
 * The one way domain code sends a WebSocket event. A single node delivers it to its own sockets;
 * the cluster layer swaps in an implementation that also streams it to every peer, so services
 * never know how many nodes there are.
 */
export abstract class EventPublisher {
  /**
   * Sends an event. With `confirm`, the promise resolves once every other node has it (so a
   * request that answers after awaiting it cannot lose its event if this node dies right after);
   * otherwise it resolves at once. Mattermost sends posts and membership events this way.
   */
  abstract publish(event: WebSocketEvent, opts?: { confirm?: boolean }): Promise<void>;
}

/** What a cached value is keyed by; one kind per cache (Mattermost's inv_* cluster events). */
export type InvalidationKind = 'channel_members' | 'team_members' | 'session' | 'user_sessions' | 'user' | 'all';

/** Key of the 'all' kind: every cache drops everything (after this node missed invalidations). */
export const ALL_KEYS = '*';

export type InvalidationHandler = (key: string) => void;

/**
 * Cache invalidation: whoever changes data emits, every cache that holds it listens. On one node
 * handlers run at once; the cluster layer also forwards each emit to the peers.
 */
export abstract class InvalidationBus {
  abstract emit(kind: InvalidationKind, key: string): void;
  abstract on(kind: InvalidationKind, handler: InvalidationHandler): void;
}

export class LocalInvalidationBus extends InvalidationBus {
  private readonly handlers = new Map<InvalidationKind, InvalidationHandler[]>();

  emit(kind: InvalidationKind, key: string): void {
    for (const handler of this.handlers.get(kind) ?? []) handler(key);
  }

  on(kind: InvalidationKind, handler: InvalidationHandler): void {
    const list = this.handlers.get(kind) ?? [];
    list.push(handler);
    this.handlers.set(kind, list);
  }
}

/**
 * How many active WebSocket connections a user has on OTHER nodes. A user goes offline only when
 * no node holds a connection for them (on a single node: never anywhere else).
 */
export abstract class ConnectionCounter {
  abstract countElsewhere(userId: string): Promise<number>;
}

export class SingleNodeConnectionCounter extends ConnectionCounter {
  async countElsewhere(): Promise<number> {
    return 0;
  }
}
