import { ReplayBuffer } from './replay-buffer.js';
import { frameWithSeq } from './websocket-event.js';

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
  sessionToken: string;
  sessionExpiresAt: number;
  /** System roles of the session, for permission checks on client actions. */
  roles: string;
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

  constructor(
    readonly id: string,
    readonly owner: ConnectionOwner,
    replayCapacity: number,
  ) {
    this.replay = new ReplayBuffer(replayCapacity);
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
    this.replay.push(this.nextSeq, frame);
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
