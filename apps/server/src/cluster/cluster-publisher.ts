import type { ClusterTransport } from '#cluster';
import { EventPublisher, Hub, InvalidationBus, InvalidationHandler, InvalidationKind, LocalInvalidationBus, WebSocketEvent } from '#realtime';
import { InvalidatePayload, Msg, Req, WsEventPayload } from './cluster-messages.js';

const CONFIRM_TIMEOUT_MS = 2_000;

/**
 * Publishing in a cluster: the event gets its cluster-wide id, goes to every peer on the ordered
 * streams first, then to this node's sockets. Peers deliver it to theirs exactly once.
 */
export class ClusterEventPublisher extends EventPublisher {
  constructor(
    private readonly hub: Hub,
    private readonly transport: ClusterTransport,
  ) {
    super();
    transport.onMessage(Msg.WsEvent, (stamped: WsEventPayload) => void hub.process(stamped));
    // Confirmed once taken, not once delivered: the peer has the event and its queue will deliver
    // it. Waiting for the delivery deadlocked two nodes that published at once (each one's queue
    // held its own event until the other confirmed, and the other's confirmation waited in that
    // queue) until the request timed out, which put 2 s into the cluster's delivery p99.
    transport.onRequest(Req.ConfirmedWsEvent, (stamped: WsEventPayload) => {
      void hub.process(stamped);
      return true;
    });
  }

  /** The same ordered stream carries requests, so order with other events is kept. */
  async publishConfirmed(event: WebSocketEvent): Promise<void> {
    const stamped = this.hub.stamp(event);
    const confirmations = Promise.all(
      this.transport
        .connectedPeers()
        .map((peer) => this.transport.request(peer, { type: Req.ConfirmedWsEvent, payload: stamped }, CONFIRM_TIMEOUT_MS).catch(() => undefined)),
    );
    // Local sockets get it only after the peers do (see Hub.processAfter): otherwise a node killed
    // in between has shown the event to its clients, the survivors announce it again for the dead
    // node, and those clients, reconnected elsewhere, see it twice.
    await this.hub.processAfter(stamped, confirmations);
  }

  protected send(event: WebSocketEvent): Promise<void> {
    const stamped = this.hub.stamp(event);
    this.transport.broadcast({ type: Msg.WsEvent, payload: stamped });
    return this.hub.process(stamped);
  }
}

/** Cache invalidation across the cluster: local handlers run at once, peers run theirs on receipt. */
export class ClusterInvalidationBus extends InvalidationBus {
  private readonly local = new LocalInvalidationBus();

  constructor(private readonly transport: ClusterTransport) {
    super();
    transport.onMessage(Msg.Invalidate, ({ kind, key }: InvalidatePayload) => this.local.emit(kind, key));
  }

  emit(kind: InvalidationKind, key: string): void {
    this.transport.broadcast({ type: Msg.Invalidate, payload: { kind, key } satisfies InvalidatePayload });
    this.local.emit(kind, key);
  }

  on(kind: InvalidationKind, handler: InvalidationHandler): void {
    this.local.on(kind, handler);
  }

  /** Runs every handler for every key of a kind (after messages from a peer may have been lost). */
  emitLocally(kind: InvalidationKind, key: string): void {
    this.local.emit(kind, key);
  }
}
