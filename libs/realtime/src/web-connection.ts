import { covers, dominates, EventId, Vector } from './event-id.js';
import { ReplayBuffer } from './replay-buffer.js';
import { frameWithSeq, prefixOfFrame } from './websocket-event.js';

/** The part of a `ws` socket the hub uses (kept small so tests can pass a fake). */
export interface SocketLike {
  readonly readyState: number;
  readonly bufferedAmount: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

const OPEN = 1;

export interface ConnectionOwner {
  userId: string;
  /** The session's id (never its token): revocation and role changes find the connection by it. */
  sessionId: string;
  sessionExpiresAt: number;
  /** System roles of the session, for permission checks on client actions and admin-only events. */
  roles: string;
}

/** What a connection keeps of its session that can change while it is open. */
export type SessionState = Pick<ConnectionOwner, 'roles' | 'sessionExpiresAt'>;

/**
 * Where the client says its user is looking (the `presence` action; Mattermost's web_conn keeps
 * the same four): the open channel and team, and the channel of the thread open in the right-hand
 * side or in the threads view. Absent until the client tells; '' once told is "nothing open", which
 * is not the same: Mattermost's web_conn starts each one at UnsetPresenceIndicator, and only an
 * unset one lets scoped events through (isSet), so a client that says '' for its threads
 * (the load test's initialJoinTeam does) gets only the typing of the channel it looks at.
 */
export interface ConnectionPresence {
  channelId?: string;
  teamId?: string;
  rhsThreadChannelId?: string;
  threadViewThreadChannelId?: string;
}

/**
 * One client's WebSocket session as the server sees it. It outlives the TCP socket: after a drop it
 * stays "inactive" for a while, still numbering and buffering events, so a reconnect can resume.
 */
export class WebConnection {
  private nextSeq = 0;
  private socket: SocketLike | null = null;
  private readonly replay: ReplayBuffer;
  inactiveSince = 0;
  /**
   * Set when the connection moved here from another node: the events that node had already
   * processed (and so delivered) must not be sent again when they reach this node later.
   */
  private alreadyDelivered: Vector | null = null;
  private activeIn: ConnectionPresence = {};
  /** The client asked for `should_ack` on `posted` events (the `posted_ack=true` query parameter). */
  postedAck = false;

  constructor(
    readonly id: string,
    readonly owner: ConnectionOwner,
    replayCapacity: number,
    /** Small per-node number, cheaper than the id in delivery records sent to peers. */
    readonly index = 0,
  ) {
    this.replay = new ReplayBuffer(replayCapacity);
  }

  /**
   * Continues another node's numbering: its frames and next sequence number. A frame that does not
   * end with its own seq leaves nothing to replay (as a gap no longer held: the client resyncs)
   * rather than frames numbered wrongly.
   */
  continueFrom(firstSeq: number, frames: string[], nextSeq: number, alreadyDelivered: Vector): void {
    for (let i = 0; i < frames.length; i++) {
      const prefix = prefixOfFrame(frames[i], firstSeq + i);
      if (prefix === undefined) {
        this.replay.clear();
        break;
      }
      this.replay.push(firstSeq + i, prefix);
    }
    this.nextSeq = nextSeq;
    this.alreadyDelivered = { ...alreadyDelivered };
  }

  /** False for an event the previous node of a moved connection already delivered. */
  wants(id: EventId, processedHere: Vector): boolean {
    if (!this.alreadyDelivered) return true;
    const deliveredThere = covers(this.alreadyDelivered, id);
    if (dominates(processedHere, this.alreadyDelivered)) this.alreadyDelivered = null; // caught up
    return !deliveredThere;
  }

  /** Where the client last said it is looking; travels with the connection when it moves to another node. */
  get presence(): Readonly<ConnectionPresence> {
    return this.activeIn;
  }

  /** Records what a `presence` action told; the fields it did not send stay as they were. */
  setPresence(change: Partial<ConnectionPresence>): void {
    this.activeIn = { ...this.activeIn, ...change };
  }

  /**
   * Whether the client has told where it looks and it is elsewhere than `channelId`: its open
   * channel is another, and so are both its thread views (web_conn.go notInChannel && notInThread;
   * a value never reported counts as "could be here").
   */
  looksElsewhereThan(channelId: string): boolean {
    const elsewhere = (place: string | undefined) => place !== undefined && place !== channelId;
    const p = this.activeIn;
    return elsewhere(p.channelId) && elsewhere(p.rhsThreadChannelId) && elsewhere(p.threadViewThreadChannelId);
  }

  /** Frames its replay buffer holds. */
  get heldFrames(): number {
    return this.replay.length;
  }

  get sequence(): number {
    return this.nextSeq;
  }

  snapshot(): { firstSeq: number; frames: string[]; nextSeq: number } {
    return { ...this.replay.snapshot(), nextSeq: this.nextSeq };
  }

  get userId(): string {
    return this.owner.userId;
  }

  get isActive(): boolean {
    return this.socket !== null;
  }

  /** Numbers a frame, remembers it for replay, and writes it if a socket is attached. */
  send(prefix: string, maxBufferedBytes: number): void {
    const frame = frameWithSeq(prefix, this.nextSeq);
    this.replay.push(this.nextSeq, prefix);
    this.nextSeq++;
    const socket = this.socket;
    if (!socket || socket.readyState !== OPEN) return;
    if (socket.bufferedAmount > maxBufferedBytes) {
      // A consumer this far behind is cut off; it may resume from the replay buffer.
      socket.close(1008, 'send buffer full');
      return;
    }
    socket.send(frame);
  }

  attach(socket: SocketLike): void {
    if (this.socket && this.socket !== socket) this.socket.close(1000, 'replaced by a newer connection');
    this.socket = socket;
    this.inactiveSince = 0;
  }

  detach(socket: SocketLike, now: number): boolean {
    if (this.socket !== socket) return false;
    this.socket = null;
    this.inactiveSince = now;
    return true;
  }

  /**
   * Writes what the client missed since `sequenceNumber` (its next expected seq) onto the attached
   * socket. Returns false when the buffer no longer holds all of it.
   */
  replayFrom(sequenceNumber: number): boolean {
    const frames = this.replay.from(sequenceNumber, this.nextSeq);
    if (frames === null || !this.socket) return false;
    for (const frame of frames) this.socket.send(frame);
    return true;
  }

  close(code: number, reason: string): void {
    this.socket?.close(code, reason);
    this.socket = null;
  }
}
