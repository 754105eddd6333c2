import { performance } from 'node:perf_hooks';
import { DurationHistogram, NamedCounts, newId } from '#common';
import { WsEvents } from './event-names.js';
import { covers, EventId, StampedEvent, Vector } from './event-id.js';
import { EventLog } from './event-log.js';
import { ConnectionOwner, ConnectionPresence, SessionState, SocketLike, WebConnection } from './web-connection.js';
import { Broadcast, framePrefix, newEvent, WebSocketEvent } from './websocket-event.js';

/**
 * Answers "who may receive this?" for channel and team broadcasts, always current. The hub asks
 * early for events that wait their turn and again at delivery, so an implementation that reads a
 * database should let the second ask share the first's read (MembershipCache).
 */
export interface RecipientResolver {
  channelMemberIds(channelId: string): Promise<ReadonlySet<string>>;
  teamMemberIds(teamId: string): Promise<ReadonlySet<string>>;
}

export interface PresenceListener {
  userConnected(userId: string): void;
  userDisconnected(userId: string): void;
}

/** A connection as peers track it (to take it over if this node goes away). */
export interface ConnectionInfo {
  index: number;
  id: string;
  userId: string;
  nextSeq: number;
}

/** Which of this node's connections an event went to, in processing order. */
export interface DeliveryRecord {
  id: EventId;
  conns: number[];
}

/** Told everything peers need to mirror this node's connections (the cluster layer listens). */
export interface HubObserver {
  connectionOpened(info: ConnectionInfo): void;
  connectionClosed(index: number): void;
  delivered(record: DeliveryRecord): void;
}

export interface HubOptions {
  serverVersion: () => string;
  /** Frames kept per connection for replay (Mattermost keeps 128 sent + 256 queued). */
  replayCapacity: number;
  /** How long a dropped connection can still be resumed. */
  inactiveTimeoutMs: number;
  maxBufferedBytes: number;
  /** This node's id: the origin of the events it publishes. */
  nodeId?: string;
  /** Recent events kept for clients that move here from another node. */
  logCapacity?: number;
  logMaxAgeMs?: number;
  /**
   * FeatureFlags.WebSocketEventScope: typing and reaction events of a channel skip the connections
   * whose client said it looks elsewhere (web_conn.go ShouldSendEvent).
   */
  eventScope?: () => boolean;
}

/** Buckets of the hub's event timings, seconds: a delivery takes from well under a millisecond to, overloaded, seconds. */
export const EVENT_SECONDS_BUCKETS: readonly number[] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

/** The channel events that only go to connections looking at the channel, with the event scope on. */
const SCOPED_EVENTS: ReadonlySet<string> = new Set([WsEvents.Typing, WsEvents.ReactionAdded, WsEvents.ReactionRemoved]);

export type ResumeResult = { resumed: true; connection: WebConnection } | { resumed: false };

/** A connection's state as handed from one node to another. */
export interface HandoverState {
  firstSeq: number;
  frames: string[];
  nextSeq: number;
  /** What the old node had processed when it let go: the new node skips these events. */
  processed: Vector;
  /** Where the client was looking (absent when the state was rebuilt without the old node). */
  presence?: ConnectionPresence;
  postedAck?: boolean;
}

/**
 * This node's WebSocket connections and the single place events are filtered and written.
 * Events are handled strictly one after another, so every client sees them in the same order,
 * and each event is processed once even if it arrives twice.
 */
export class Hub {
  private readonly connections = new Map<string, WebConnection>();
  private readonly byUser = new Map<string, Set<WebConnection>>();
  private queue: Promise<unknown> = Promise.resolve();
  /** Work items queued or running (events, hand-overs, session refreshes). */
  private backlog = 0;
  private presence: PresenceListener | null = null;
  private observer: HubObserver | null = null;
  readonly nodeId: string;
  private originSeq = 0;
  private readonly processed: Vector = {};
  readonly log: EventLog;
  /** Events taken (process, processAfter) and waiting for their turn, by origin and sequence. */
  private readonly waiting = new Map<string, StampedEvent>();
  private nextIndex = 1;
  private gapListener: ((origin: string, expected: number, got: number) => void) | null = null;
  /**
   * Events published from this node by name (Mattermost's Publish counts them as
   * websocket_event_total), and events this hub processed, from here or from peers (its hub
   * Broadcast counts them as websocket_broadcasts_total). Read by the metrics endpoint.
   */
  readonly published = new NamedCounts();
  readonly broadcasts = new NamedCounts();
  /**
   * Where an event's delivery time goes (issue 17: delivery p99): `queued`, from its turn being
   * taken to its delivery starting (waiting behind earlier events and, in a cluster, for the peers'
   * confirmations); `delivering`, from there to its last frame handed to the sockets (finding the
   * recipients, a membership load when not cached, and writing). Read by the metrics endpoint.
   */
  readonly eventTimes = { queued: new DurationHistogram(EVENT_SECONDS_BUCKETS), delivering: new DurationHistogram(EVENT_SECONDS_BUCKETS) };

  constructor(
    private readonly resolver: RecipientResolver,
    private readonly options: HubOptions,
  ) {
    this.nodeId = options.nodeId ?? newId();
    this.log = new EventLog(options.logCapacity ?? 20_000, options.logMaxAgeMs ?? 10 * 60_000);
  }

  setPresenceListener(listener: PresenceListener): void {
    this.presence = listener;
  }

  setObserver(observer: HubObserver): void {
    this.observer = observer;
  }

  /**
   * Called when events from an origin arrive with a hole in their numbering: some were lost
   * (this node was cut off). The cluster layer then resets this node's connections.
   */
  onGap(listener: (origin: string, expected: number, got: number) => void): void {
    this.gapListener = listener;
  }

  /**
   * Drops every connection without keeping it resumable: after lost events, clients must get a
   * fresh `hello` and refetch, never a replay with a hole in it.
   */
  resetConnections(reason: string): Promise<number> {
    return this.enqueue(() => {
      const users = this.connectedUserIds();
      const count = this.connections.size;
      for (const connection of [...this.connections.values()]) {
        connection.close(1012, reason);
        this.remove(connection);
      }
      for (const userId of users) this.presence?.userDisconnected(userId);
      return count;
    });
  }

  /** Re-checks a user's presence (e.g. after the node that held their socket died). */
  recheckPresence(userId: string): void {
    if (this.activeCountForUser(userId) === 0) this.presence?.userDisconnected(userId);
  }

  /** A fresh connection: a new connection_id and a `hello`. */
  connect(owner: ConnectionOwner, socket: SocketLike): WebConnection {
    const connection = new WebConnection(newId(), owner, this.options.replayCapacity, this.nextIndex++);
    connection.attach(socket);
    const hello = newEvent(WsEvents.Hello, { user_id: owner.userId }, { server_version: this.options.serverVersion(), connection_id: connection.id });
    connection.send(framePrefix(hello), this.options.maxBufferedBytes);
    this.add(connection);
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

  /** Whether this node holds the connection (active or resumable). */
  has(connectionId: string): boolean {
    return this.connections.has(connectionId);
  }

  /**
   * Lets go of a connection for another node: returns its frames, numbering and this hub's
   * processed vector at that instant (taken between two events, so nothing is half-delivered).
   */
  handover(connectionId: string, userId: string): Promise<HandoverState | null> {
    return this.enqueue(() => {
      const connection = this.connections.get(connectionId);
      if (!connection || connection.userId !== userId) return null;
      const wasActive = connection.isActive;
      connection.close(1000, 'moved to another node');
      this.remove(connection);
      if (wasActive && this.activeCountForUser(userId) === 0) this.presence?.userDisconnected(userId);
      return { ...connection.snapshot(), processed: { ...this.processed }, presence: { ...connection.presence }, postedAck: connection.postedAck };
    });
  }

  /**
   * Lets go of every connection because this node is shutting down (Server.Shutdown's hub stop in
   * Mattermost, which simply drops the sockets). Between two events, each connection's state is
   * given to `handOff` (the cluster sends it to the peers, where its client will land) before its
   * socket is closed with `code`, so the client reconnects elsewhere and resumes with
   * connection_id + sequence_number: frames this node sent are replayed from the state, and the
   * events it had not processed yet reach the client from the new node. No presence change is
   * reported: the user is moving, not leaving. Returns how many connections were let go.
   */
  drain(handOff: ((connectionId: string, userId: string, state: HandoverState) => void) | null, code: number, reason: string): Promise<number> {
    return this.enqueue(() => {
      const connections = [...this.connections.values()];
      for (const connection of connections) {
        const state: HandoverState = {
          ...connection.snapshot(),
          processed: { ...this.processed },
          presence: { ...connection.presence },
          postedAck: connection.postedAck,
        };
        handOff?.(connection.id, connection.userId, state);
        connection.close(code, reason);
        this.remove(connection);
      }
      return connections.length;
    });
  }

  /**
   * Takes over a connection another node held: replays what the client missed from that node's
   * state, then sends what this node processed after the other node's cut, and from then on skips
   * events the other node had already delivered. Null when the client's position is not covered.
   */
  adopt(connectionId: string, sequenceNumber: number, owner: ConnectionOwner, socket: SocketLike, state: HandoverState): Promise<WebConnection | null> {
    return this.enqueue(async () => {
      if (this.connections.has(connectionId)) return null;
      const connection = new WebConnection(connectionId, owner, this.options.replayCapacity, this.nextIndex++);
      connection.continueFrom(state.firstSeq, state.frames, state.nextSeq, state.processed);
      if (state.presence) connection.setPresence(state.presence);
      connection.postedAck = state.postedAck ?? false;
      connection.attach(socket);
      if (!connection.replayFrom(sequenceNumber)) {
        connection.detach(socket, Date.now());
        return null;
      }
      // What was published while the client was between nodes, as this node processed it.
      for (const stamped of this.log.all()) {
        if (covers(state.processed, stamped.id)) continue;
        const recipients = await this.recipients(stamped.event, [connection]);
        if (recipients.length > 0) connection.send(framePrefix(stamped.event), this.options.maxBufferedBytes);
      }
      this.add(connection);
      return connection;
    });
  }

  /** The socket went away; the connection stays resumable for a while. */
  disconnected(connection: WebConnection, socket: SocketLike): void {
    if (!connection.detach(socket, Date.now())) return;
    if (this.activeCountForUser(connection.userId) === 0) this.presence?.userDisconnected(connection.userId);
  }

  /**
   * Where the user's open sockets on this node say the user is looking, one entry per active
   * connection (for notifications: Mattermost skips some for a user viewing the channel).
   */
  presenceOf(userId: string): ConnectionPresence[] {
    const out: ConnectionPresence[] = [];
    for (const c of this.byUser.get(userId) ?? []) if (c.isActive) out.push({ ...c.presence });
    return out;
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

  /** Frames held for replay by all connections (active and resumable), for the metrics endpoint. */
  replayFrames(): number {
    let frames = 0;
    for (const connection of this.connections.values()) frames += connection.heldFrames;
    return frames;
  }

  /** Snapshot of what this hub has processed, per origin node. */
  processedVector(): Vector {
    return { ...this.processed };
  }

  /** Gives a locally published event its cluster-wide identity. */
  stamp(event: WebSocketEvent): StampedEvent {
    this.published.inc(event.event);
    return { id: { origin: this.nodeId, seq: ++this.originSeq }, event };
  }

  /** Publishes an event from this node (single-node use; the cluster layer stamps and processes). */
  publish(event: WebSocketEvent): Promise<void> {
    return this.process(this.stamp(event));
  }

  /** Delivers a stamped event (from here or from a peer) to this node's sockets, once. */
  process(stamped: StampedEvent): Promise<void> {
    // A failed membership lookup loses that one broadcast, never the queue behind it.
    const takenAt = performance.now();
    return this.take(stamped, () => this.deliver(stamped, takenAt));
  }

  /** The events this node has: those delivered (the recent log) and those waiting for their turn. */
  *held(): Iterable<StampedEvent> {
    yield* this.waiting.values();
    yield* this.log.all();
  }

  /**
   * Delivers a stamped event once `ready` settles, holding this node's later events behind it (in
   * stamp order). The cluster publisher passes the other nodes' confirmations: a node that dies
   * before its peers have an event has then shown it to no one, so the survivor that publishes it
   * for the dead node (the outbox) cannot make anyone see it twice.
   */
  processAfter(stamped: StampedEvent, ready: Promise<unknown>): Promise<void> {
    const takenAt = performance.now();
    return this.take(stamped, async () => {
      await ready.catch(() => undefined);
      await this.deliver(stamped, takenAt);
    });
  }

  /** Queues an event's delivery; until its turn comes it counts among the events held. */
  private take(stamped: StampedEvent, deliver: () => Promise<void>): Promise<void> {
    const key = `${stamped.id.origin}:${stamped.id.seq}`;
    this.waiting.set(key, stamped);
    if (this.backlog > 0) this.startRecipientLookup(stamped.event);
    return this.enqueue(deliver)
      .catch(() => undefined)
      .finally(() => {
        if (this.waiting.get(key) === stamped) this.waiting.delete(key);
      });
  }

  /**
   * Starts reading the members of an event's channel or team while the event waits for its turn,
   * so that the reads of queued events overlap rather than add up. Delivery asks the resolver
   * again when the turn comes; the resolver answers from this read unless the membership changed
   * since it began (MembershipCache). Issue 17: under load an uncached read took 1–2.5 s, and
   * events queued behind one another's reads until they reached the clients half a minute late.
   */
  private startRecipientLookup(event: WebSocketEvent): void {
    this.memberRead(event.broadcast)?.catch(() => undefined); // delivery asks again and handles the failure
  }

  /** The read of the members a channel or team broadcast is filtered by; none when it targets a connection, a user or everyone. */
  private memberRead(b: Broadcast): Promise<ReadonlySet<string>> | undefined {
    if (b.connection_id || b.user_id) return undefined;
    if (b.channel_id) return this.resolver.channelMemberIds(b.channel_id);
    if (b.team_id) return this.resolver.teamMemberIds(b.team_id);
    return undefined;
  }

  /** Closes and forgets every connection of a session (logout, revoke) or of a user (deactivation). */
  closeSessions(userId: string, sessionId?: string): void {
    this.closeWhere(userId, (connection) => !sessionId || connection.owner.sessionId === sessionId);
  }

  /**
   * Brings what a user's connections know of their sessions up to date (their roles changed, some
   * were revoked), as Mattermost's hub re-reads a WebConn's session when the user's session cache is
   * invalidated: `current` answers the user's live sessions by id; a connection takes its session's
   * roles and expiry, and one whose session is gone is closed. It runs in event order, so an event
   * published after the change (an admin-only job_updated after a demotion) is filtered with the new
   * roles. If `current` fails the connections are closed: their clients reconnect and authenticate
   * afresh, where keeping them could leave a demoted user with an admin's socket.
   */
  refreshSessions(userId: string, current: () => Promise<ReadonlyMap<string, SessionState>>): Promise<void> {
    if (!this.byUser.has(userId)) return Promise.resolve();
    return this.enqueue(async () => {
      const sessions = await current().catch(() => new Map<string, SessionState>());
      const stale = new Set<WebConnection>();
      for (const connection of this.byUser.get(userId) ?? []) {
        const state = sessions.get(connection.owner.sessionId);
        if (state) Object.assign(connection.owner, { roles: state.roles, sessionExpiresAt: state.sessionExpiresAt });
        else stale.add(connection);
      }
      this.closeWhere(userId, (connection) => stale.has(connection));
    });
  }

  private closeWhere(userId: string, matches: (connection: WebConnection) => boolean): void {
    // Only a user who was online goes offline: a dropped socket already reported it.
    const wasOnline = this.activeCountForUser(userId) > 0;
    for (const connection of [...(this.byUser.get(userId) ?? [])]) {
      if (!matches(connection)) continue;
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

  /** Runs `work` in event order, so it never interleaves with a delivery. */
  private enqueue<T>(work: () => T | Promise<T>): Promise<T> {
    this.backlog++;
    const result = this.queue.then(work).finally(() => this.backlog--);
    this.queue = result.catch(() => undefined);
    return result;
  }

  private add(connection: WebConnection): void {
    const wasOnline = this.activeCountForUser(connection.userId) > 0;
    this.connections.set(connection.id, connection);
    let set = this.byUser.get(connection.userId);
    if (!set) this.byUser.set(connection.userId, (set = new Set()));
    set.add(connection);
    this.observer?.connectionOpened({ index: connection.index, id: connection.id, userId: connection.userId, nextSeq: connection.sequence });
    if (!wasOnline && connection.isActive) this.presence?.userConnected(connection.userId);
  }

  private remove(connection: WebConnection): void {
    if (this.connections.get(connection.id) !== connection) return;
    this.connections.delete(connection.id);
    const set = this.byUser.get(connection.userId);
    set?.delete(connection);
    if (set && set.size === 0) this.byUser.delete(connection.userId);
    this.observer?.connectionClosed(connection.index);
  }

  private async deliver(stamped: StampedEvent, takenAt: number): Promise<void> {
    const { id, event } = stamped;
    if (covers(this.processed, id)) return; // already processed: a duplicate
    const startedAt = performance.now();
    this.eventTimes.queued.observe((startedAt - takenAt) / 1000);
    const last = this.processed[id.origin];
    if (last !== undefined && id.seq !== last + 1) this.gapListener?.(id.origin, last + 1, id.seq);
    this.processed[id.origin] = id.seq;
    this.broadcasts.inc(event.event);
    this.log.add(stamped);
    const recipients = await this.recipients(event);
    const delivered: number[] = [];
    const prefix = recipients.length > 0 ? framePrefix(event) : '';
    const now = Date.now();
    for (const connection of recipients) {
      if (!connection.wants(id, this.processed)) continue;
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
      delivered.push(connection.index);
    }
    this.eventTimes.delivering.observe((performance.now() - startedAt) / 1000);
    this.observer?.delivered({ id, conns: delivered });
  }

  /** The connections an event goes to: among `candidates` if given, else this node's. */
  private async recipients(event: WebSocketEvent, candidates?: WebConnection[]): Promise<WebConnection[]> {
    const b = event.broadcast;
    const pool = candidates ? new Map(candidates.map((c) => [c.id, c])) : this.connections;
    if (b.connection_id) {
      const c = pool.get(b.connection_id);
      return c ? [c] : [];
    }
    const byUser = candidates ? groupByUser(candidates) : this.byUser;
    const read = this.memberRead(b);
    let users: Iterable<string>;
    if (b.user_id) users = [b.user_id];
    else if (read) users = connectedMembers(await read, byUser);
    else users = byUser.keys();
    const scopedTo = !b.user_id && b.channel_id && SCOPED_EVENTS.has(event.event) && this.options.eventScope?.() ? b.channel_id : '';
    const out: WebConnection[] = [];
    for (const userId of users) {
      if (b.omit_users?.[userId]) continue;
      const set = byUser.get(userId);
      if (!set) continue;
      for (const connection of set) {
        if (connection.id === b.omit_connection_id) continue;
        if (b.contains_sensitive_data && !isSystemAdmin(connection.owner.roles)) continue;
        if (scopedTo && connection.looksElsewhereThan(scopedTo)) continue;
        out.push(connection);
      }
    }
    return out;
  }
}

function isSystemAdmin(roles: string): boolean {
  return roles.split(' ').includes('system_admin');
}

/**
 * The members among the users connected here, walking the smaller of the two sets: a team or a
 * large channel against a node that holds a third of a cluster's users, a small channel against
 * thousands of connected users. Who is left out is decided afterwards, per connection.
 */
function connectedMembers(members: ReadonlySet<string>, connected: ReadonlyMap<string, unknown>): Iterable<string> {
  if (members.size <= connected.size) return members;
  return [...connected.keys()].filter((userId) => members.has(userId));
}

function groupByUser(connections: WebConnection[]): Map<string, Set<WebConnection>> {
  const map = new Map<string, Set<WebConnection>>();
  for (const c of connections) {
    const set = map.get(c.userId) ?? new Set();
    set.add(c);
    map.set(c.userId, set);
  }
  return map;
}
