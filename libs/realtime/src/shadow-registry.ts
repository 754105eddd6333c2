import { EventId, Vector } from './event-id.js';
import { EventLog } from './event-log.js';
import { HandoverState } from './hub.js';
import { ConnectionInfo, DeliveryRecord } from './hub.js';
import { framePrefix, frameWithSeq } from './websocket-event.js';

interface Shadow {
  id: string;
  userId: string;
  nextSeq: number;
  /** The events behind the last frames, by sequence number (oldest first). */
  refs: EventId[];
  firstSeq: number;
}

interface PeerState {
  processed: Vector;
  byIndex: Map<number, Shadow>;
}

/**
 * A mirror of every peer's WebSocket connections, kept from the connection and delivery records
 * each peer streams: which events each connection was sent, under which sequence numbers. If a
 * peer dies, a client that reconnects here can still be given exactly what it missed.
 */
export class ShadowRegistry {
  private readonly peers = new Map<string, PeerState>();
  private readonly owners = new Map<string, { nodeId: string; index: number }>();

  constructor(private readonly capacity: number) {}

  opened(nodeId: string, info: ConnectionInfo): void {
    const peer = this.peer(nodeId);
    peer.byIndex.set(info.index, { id: info.id, userId: info.userId, nextSeq: info.nextSeq, refs: [], firstSeq: info.nextSeq });
    this.owners.set(info.id, { nodeId, index: info.index });
  }

  closed(nodeId: string, index: number): void {
    const peer = this.peers.get(nodeId);
    const shadow = peer?.byIndex.get(index);
    if (!peer || !shadow) return;
    peer.byIndex.delete(index);
    if (this.owners.get(shadow.id)?.nodeId === nodeId) this.owners.delete(shadow.id);
  }

  delivered(nodeId: string, record: DeliveryRecord): void {
    const peer = this.peer(nodeId);
    peer.processed[record.id.origin] = Math.max(peer.processed[record.id.origin] ?? 0, record.id.seq);
    for (const index of record.conns) {
      const shadow = peer.byIndex.get(index);
      if (!shadow) continue;
      shadow.refs.push(record.id);
      shadow.nextSeq++;
      if (shadow.refs.length > this.capacity) {
        shadow.refs.shift();
        shadow.firstSeq++;
      }
    }
  }

  /** A peer left the cluster; its connections can still be taken over until `forget`. */
  owner(connectionId: string): { nodeId: string; userId: string } | undefined {
    const at = this.owners.get(connectionId);
    const shadow = at && this.peers.get(at.nodeId)?.byIndex.get(at.index);
    return at && shadow ? { nodeId: at.nodeId, userId: shadow.userId } : undefined;
  }

  /**
   * The handover state of a dead peer's connection, rebuilt from this node's event log. Null when
   * an event it refers to is no longer (or not yet) in the log.
   */
  rebuild(connectionId: string, log: EventLog): HandoverState | null {
    const at = this.owners.get(connectionId);
    const peer = at && this.peers.get(at.nodeId);
    const shadow = at && peer?.byIndex.get(at.index);
    if (!peer || !shadow) return null;
    const frames: string[] = [];
    for (let i = 0; i < shadow.refs.length; i++) {
      const stamped = log.get(shadow.refs[i]);
      if (!stamped) return null;
      frames.push(frameWithSeq(framePrefix(stamped.event), shadow.firstSeq + i));
    }
    return { firstSeq: shadow.firstSeq, frames, nextSeq: shadow.nextSeq, processed: { ...peer.processed } };
  }

  /** Forgets a peer's connections (after they were taken over or expired). */
  forget(nodeId: string): void {
    const peer = this.peers.get(nodeId);
    if (!peer) return;
    for (const shadow of peer.byIndex.values()) {
      if (this.owners.get(shadow.id)?.nodeId === nodeId) this.owners.delete(shadow.id);
    }
    this.peers.delete(nodeId);
  }

  /** Users with a connection mirrored for a peer (to re-check their presence when it dies). */
  users(nodeId: string): string[] {
    return [...new Set([...(this.peers.get(nodeId)?.byIndex.values() ?? [])].map((s) => s.userId))];
  }

  /** Connections mirrored for a peer (for tests and stats). */
  count(nodeId: string): number {
    return this.peers.get(nodeId)?.byIndex.size ?? 0;
  }

  private peer(nodeId: string): PeerState {
    let peer = this.peers.get(nodeId);
    if (!peer) this.peers.set(nodeId, (peer = { processed: {}, byIndex: new Map() }));
    return peer;
  }
}
