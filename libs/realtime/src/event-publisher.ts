import { Logger } from '@nestjs/common';
import { WebSocketEvent } from './websocket-event.js';

/**
 * The one way domain code sends a WebSocket event. A single node delivers it to its own sockets;
 * the cluster layer swaps in an implementation that also streams it to every peer, so services
 * never know how many nodes there are.
 */
export abstract class EventPublisher {
  private readonly logger = new Logger('publisher');

  /**
   * Sends an event without waiting for it to arrive anywhere. It never throws and never rejects:
   * a failure is logged and costs that one event (Mattermost's Publish returns nothing either).
   */
  publish(event: WebSocketEvent): void {
    try {
      this.send(event).catch((err: unknown) => this.failed(event, err));
    } catch (err) {
      this.failed(event, err);
    }
  }

  /**
   * Sends an event and resolves once every other node has it, so a request that answers after
   * awaiting it cannot lose its event if this node dies right after (a peer that does not answer
   * in time is not waited for). Used for `posted` and `post_edited`, two of the events Mattermost
   * sends to other nodes on its reliable channel.
   */
  abstract publishConfirmed(event: WebSocketEvent): Promise<void>;

  /** Delivers one event; `publish` handles its failure. */
  protected abstract send(event: WebSocketEvent): Promise<void>;

  private failed(event: WebSocketEvent, err: unknown): void {
    this.logger.error(`could not publish ${event.event}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** What a cached value is keyed by; one kind per cache (Mattermost's inv_* cluster events). */
export type InvalidationKind =
  | 'channel_members'
  | 'team_members'
  | 'session'
  | 'user_sessions'
  | 'user'
  // ---- caches of rows (issue 17): a user's row changed (UsersRepository's cache), a user's
  // status changed (StatusRepository's), keyed by user id; a channel's row changed
  // (ChannelsRepository's), keyed by channel id; ALL_KEYS for every row.
  | 'profile'
  | 'status'
  | 'channel'
  // A channel's member, guest or pinned post counts changed (ChannelsRepository's counts cache),
  // keyed by channel id: its pins; member changes come as 'channel_members', deactivations as 'user'.
  | 'channel_counts'
  // Only a channel's last post times and message counts changed (a post, an edit, an import):
  // ChannelsRepository's row cache drops the row; caches that hold what a channel's team or type
  // decides (the members' permission roles) keep theirs, which every post used to drop.
  | 'channel_posted'
  // A team's outgoing webhooks changed (OutgoingWebhooksRepository's cache), keyed by team id.
  | 'outgoing_webhooks'
  | 'all'
  // ---- roles (issue 10): the roles table changed; every node reloads its snapshot.
  | 'roles';

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
