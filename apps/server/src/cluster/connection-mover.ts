import { Logger } from '@nestjs/common';
import type { ClusterTransport, Membership } from '#cluster';
import { ConnectionOwner, HandoverState, Hub, ShadowRegistry, SocketLike, WebConnection } from '#realtime';
import { HandoverRequest, Msg, Req, WsConnOpenedPayload, WsHandoffPayload } from './cluster-messages.js';
import { CrossNodeResume } from './cluster-state.js';

const HANDOVER_TIMEOUT_MS = 1500;
const REBUILD_WAIT_MS = 1000;
/** A handed-off connection can be resumed for as long as a dropped socket can. */
const HANDOFF_KEEP_MS = 5 * 60_000;

/**
 * Resumes, on this node, a WebSocket connection that another node held. A live owner hands the
 * connection over; a dead owner's connection is rebuilt from the shadow registry and this node's
 * event log. When neither can cover the client's position, the caller starts a fresh connection
 * (new connection_id and hello), so the client refetches: never a silent gap.
 */
export class ConnectionMover extends CrossNodeResume {
  private readonly logger = new Logger('cluster');
  /** Connections draining nodes let go of, by connection id (each is taken once). */
  private readonly handoffs = new Map<string, WsHandoffPayload & { at: number }>();
  /** Nodes that said they are draining: their connections' states are on the way. */
  private readonly draining = new Set<string>();

  constructor(
    private readonly hub: Hub,
    private readonly transport: ClusterTransport,
    private readonly membership: Membership,
    private readonly shadows: ShadowRegistry,
  ) {
    super();
    transport.onRequest(Req.Handover, ({ connectionId, userId }: HandoverRequest) => hub.handover(connectionId, userId));
    transport.onMessage(Msg.WsHandoff, (handoff: WsHandoffPayload) => this.received(handoff));
    // A connection handed over before and since taken up by some node: the state held here is
    // stale (that node has sent the client more since), and the next handoff will replace it.
    transport.onMessage(Msg.WsConnOpened, (info: WsConnOpenedPayload) => this.handoffs.delete(info.id));
  }

  /** A peer is draining (its handoffs follow on the same stream); forgotten once it is gone. */
  nodeDraining(nodeId: string): void {
    this.draining.add(nodeId);
  }

  nodeGone(nodeId: string): void {
    this.draining.delete(nodeId);
  }

  async resume(connectionId: string, sequenceNumber: number, owner: ConnectionOwner, socket: SocketLike): Promise<WebConnection | null> {
    const handed = await this.handedOff(connectionId, sequenceNumber, owner.userId);
    if (handed) {
      const connection = await this.hub.adopt(connectionId, sequenceNumber, owner, socket, handed.state);
      this.logger.log(`connection ${connectionId} resumed from a draining node's handoff: ${connection ? 'resumed' : 'not resumable'}`);
      return connection;
    }
    const holder = this.shadows.owner(connectionId);
    if (!holder || holder.userId !== owner.userId) return null;
    const state = (await this.askOwner(holder.nodeId, connectionId, owner.userId)) ?? (await this.rebuild(holder.nodeId, connectionId));
    if (!state) return null;
    const connection = await this.hub.adopt(connectionId, sequenceNumber, owner, socket, state);
    this.logger.log(`connection ${connectionId} moved from ${holder.nodeId}: ${connection ? 'resumed' : 'not resumable'}`);
    return connection;
  }

  private async askOwner(nodeId: string, connectionId: string, userId: string): Promise<HandoverState | null> {
    if (!this.membership.members().some((m) => m.id === nodeId)) return null;
    try {
      return await this.transport.request<HandoverState | null>(
        nodeId,
        { type: Req.Handover, payload: { connectionId, userId } satisfies HandoverRequest },
        HANDOVER_TIMEOUT_MS,
      );
    } catch (err) {
      this.logger.warn(`handover of ${connectionId} from ${nodeId} failed: ${String(err)}`);
      return null;
    }
  }

  /** The owner is gone: rebuild from its records, waiting briefly for events still in flight. */
  private async rebuild(nodeId: string, connectionId: string): Promise<HandoverState | null> {
    if (this.membership.members().some((m) => m.id === nodeId)) return null; // alive but refused
    const deadline = Date.now() + REBUILD_WAIT_MS;
    for (;;) {
      const state = this.shadows.rebuild(connectionId, this.hub.log);
      if (state || Date.now() > deadline) return state;
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  private received(handoff: WsHandoffPayload): void {
    const now = Date.now();
    for (const [id, h] of this.handoffs) if (now - h.at > HANDOFF_KEEP_MS) this.handoffs.delete(id);
    this.handoffs.set(handoff.connectionId, { ...handoff, at: now });
  }

  /**
   * The state a draining node handed over for this connection. The client may be quicker than the
   * stream (it reconnects as soon as its socket closes): while the holder is draining, wait briefly.
   */
  private async handedOff(connectionId: string, sequenceNumber: number, userId: string): Promise<WsHandoffPayload | null> {
    // While a peer drains, wait even when this node does not know the connection: it may have
    // started after the connection was opened on the draining node.
    const holder = this.shadows.owner(connectionId);
    const expected = holder ? this.draining.has(holder.nodeId) : this.draining.size > 0;
    const deadline = Date.now() + (expected ? REBUILD_WAIT_MS : 0);
    for (;;) {
      const handoff = this.handoffs.get(connectionId);
      // A state that ends before what the client has seen is an older handoff: wait for the newer.
      if (handoff && sequenceNumber <= handoff.state.nextSeq) {
        if (handoff.userId !== userId) return null;
        this.handoffs.delete(connectionId);
        return handoff;
      }
      if (Date.now() >= deadline) return null;
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}
