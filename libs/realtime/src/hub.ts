import { newId } from '#common';
import { WsEvents } from './event-names.js';
import { ConnectionOwner, SocketLike, WebConnection } from './web-connection.js';
import { framePrefix, newEvent, WebSocketEvent } from './websocket-event.js';

/** Answers "who may receive this?" for channel and team broadcasts, always current. */
export interface RecipientResolver {
  channelMemberIds(channelId: string): Promise<ReadonlySet<string>>;
  teamMemberIds(teamId: string): Promise<ReadonlySet<string>>;
}

export interface PresenceListener {
  userConnected(userId: string): void;
  userDisconnected(userId: string): void;
}

export interface HubOptions {
  serverVersion: () => string;
  /** Frames kept per connection for replay (Mattermost keeps 128 sent + 256 queued). */
  replayCapacity: number;
  /** How long a dropped connection can still be resumed. */
  inactiveTimeoutMs: number;
  maxBufferedBytes: number;
}

export type ResumeResult = { resumed: true; connection: WebConnection } | { resumed: false };

/**
 * This node's WebSocket connections and the single place events are filtered and written.
 * Events are handled strictly in publish order, so every client sees them in the same order.
 */
export class Hub {
  private readonly connections = new Map<string, WebConnection>();
  private readonly byUser = new Map<string, Set<WebConnection>>();
  private queue: Promise<void> = Promise.resolve();
  private presence: PresenceListener | null = null;

  constructor(
    private readonly resolver: RecipientResolver,
    private readonly options: HubOptions,
  ) {}

  setPresenceListener(listener: PresenceListener): void {
    this.presence = listener;
  }

  /** A fresh connection: a new connection_id and a `hello`. */
  connect(owner: ConnectionOwner, socket: SocketLike): WebConnection {
    const connection = new WebConnection(newId(), owner, this.options.replayCapacity);
    connection.attach(socket);
    this.connections.set(connection.id, connection);
    let set = this.byUser.get(owner.userId);
    if (!set) this.byUser.set(owner.userId, (set = new Set()));
    const wasOnline = this.activeCountForUser(owner.userId) > 0;
    set.add(connection);
    const hello = newEvent(
      WsEvents.Hello,
      { user_id: owner.userId },
      { server_version: this.options.serverVersion(), connection_id: connection.id },
    );
    connection.send(framePrefix(hello), this.options.maxBufferedBytes);
    if (!wasOnline) this.presence?.userConnected(owner.userId);
    return connection;
  }

  /**
   * Reattaches a socket to a dropped connection and replays what it missed. Fails (and the caller
   * starts afresh) when the id is unknown here, belongs to someone else, or the gap is not held.
   */
  resume(connectionId: string, sequenceNumber: number, owner: ConnectionOwner, socket: SocketLike): ResumeResult {
    const connection = this.connections.get(connectionId);
    if (!connection || connection.userId !== owner.userId) return { resumed: false };
    const wasOnline = this.activeCountForUser(owner.userId) > 0;
    connection.attach(socket);
    Object.assign(connection.owner, owner);
    if (!connection.replayFrom(sequenceNumber)) {
      connection.detach(socket, Date.now());
      this.remove(connection);
      return { resumed: false };
    }
    if (!wasOnline) this.presence?.userConnected(owner.userId);
    return { resumed: true, connection };
  }

  /** The socket went away; the connection stays resumable for a while. */
  disconnected(connection: WebConnection, socket: SocketLike): void {
    if (!connection.detach(socket, Date.now())) return;
    if (this.activeCountForUser(connection.userId) === 0) this.presence?.userDisconnected(connection.userId);
  }

  activeCountForUser(userId: string): number {
    let count = 0;
    for (const c of this.byUser.get(userId) ?? []) if (c.isActive) count++;
    return count;
  }

  connectedUserIds(): string[] {
    return [...this.byUser.keys()].filter((id) => this.activeCountForUser(id) > 0);
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  publish(event: WebSocketEvent): Promise<void> {
    this.queue = this.queue.then(() => this.deliver(event)).catch(() => undefined);
    return this.queue;
  }

  /** Closes and forgets every connection of a session (logout, revoke) or of a user (deactivation). */
  closeSessions(userId: string, token?: string): void {
    // Only a user who was online goes offline: a dropped socket already reported it.
    const wasOnline = this.activeCountForUser(userId) > 0;
    for (const connection of [...(this.byUser.get(userId) ?? [])]) {
      if (token && connection.owner.sessionToken !== token) continue;
      connection.close(1000, 'session ended');
      this.remove(connection);
    }
    if (wasOnline && this.activeCountForUser(userId) === 0) this.presence?.userDisconnected(userId);
  }

  /** Forgets connections that have been dropped longer than the resume window. */
  reapInactive(now = Date.now()): number {
    let reaped = 0;
    for (const connection of [...this.connections.values()]) {
      if (!connection.isActive && now - connection.inactiveSince > this.options.inactiveTimeoutMs) {
        this.remove(connection);
        reaped++;
      }
    }
    return reaped;
  }

  closeAll(): void {
    for (const connection of this.connections.values()) connection.close(1001, 'server shutting down');
    this.connections.clear();
    this.byUser.clear();
  }

  private remove(connection: WebConnection): void {
    this.connections.delete(connection.id);
    const set = this.byUser.get(connection.userId);
    set?.delete(connection);
    if (set && set.size === 0) this.byUser.delete(connection.userId);
  }

  private async deliver(event: WebSocketEvent): Promise<void> {
    const recipients = await this.recipients(event);
    if (recipients.length === 0) return;
    const prefix = framePrefix(event);
    const now = Date.now();
    for (const connection of recipients) {
      // An expired session gets no more events; its socket is closed.
      if (connection.owner.sessionExpiresAt > 0 && connection.owner.sessionExpiresAt < now) {
        const wasActive = connection.isActive;
        connection.close(1000, 'session expired');
        this.remove(connection);
        // close() detaches the socket, so the socket's own close event will not report this.
        if (wasActive && this.activeCountForUser(connection.userId) === 0) this.presence?.userDisconnected(connection.userId);
        continue;
      }
      connection.send(prefix, this.options.maxBufferedBytes);
    }
  }

  private async recipients(event: WebSocketEvent): Promise<WebConnection[]> {
    const b = event.broadcast;
    if (b.connection_id) {
      const c = this.connections.get(b.connection_id);
      return c ? [c] : [];
    }
    let users: Iterable<string>;
    if (b.user_id) {
      users = [b.user_id];
    } else if (b.channel_id) {
      users = await this.resolver.channelMemberIds(b.channel_id);
    } else if (b.team_id) {
      users = await this.resolver.teamMemberIds(b.team_id);
    } else {
      users = this.byUser.keys();
    }
    const out: WebConnection[] = [];
    for (const userId of users) {
      if (b.omit_users?.[userId]) continue;
      const set = this.byUser.get(userId);
      if (!set) continue;
      for (const connection of set) {
        if (connection.id !== b.omit_connection_id) out.push(connection);
      }
    }
    return out;
  }
}
