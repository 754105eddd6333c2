import type { ClusterTransport } from '#cluster';
import { ConnectionInfo, DeliveryRecord, HubObserver, ShadowRegistry } from '#realtime';
import { Msg, WsConnClosedPayload, WsConnOpenedPayload, WsDeliveriesPayload } from './cluster-messages.js';

/**
 * Streams this hub's connection and delivery records to every peer, and applies the peers'
 * records to the shadow registry, so any node can take over a connection of a node that died.
 * Delivery records are batched per event-loop turn; order with events is kept by the stream.
 */
export class HubReplication implements HubObserver {
  private pending: DeliveryRecord[] = [];
  private flushScheduled = false;

  constructor(
    private readonly transport: ClusterTransport,
    readonly shadows: ShadowRegistry,
  ) {
    transport.onMessage(Msg.WsConnOpened, (info: WsConnOpenedPayload, from) => shadows.opened(from, info));
    transport.onMessage(Msg.WsConnClosed, ({ index }: WsConnClosedPayload, from) => shadows.closed(from, index));
    transport.onMessage(Msg.WsDeliveries, (records: WsDeliveriesPayload, from) => {
      for (const record of records) shadows.delivered(from, record);
    });
  }

  connectionOpened(info: ConnectionInfo): void {
    this.flush(); // keep records in hub order
    this.transport.broadcast({ type: Msg.WsConnOpened, payload: info });
  }

  connectionClosed(index: number): void {
    this.flush();
    this.transport.broadcast({ type: Msg.WsConnClosed, payload: { index } satisfies WsConnClosedPayload });
  }

  delivered(record: DeliveryRecord): void {
    this.pending.push(record);
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
  }

  private flush(): void {
    this.flushScheduled = false;
    if (this.pending.length === 0) return;
    const records = this.pending;
    this.pending = [];
    this.transport.broadcast({ type: Msg.WsDeliveries, payload: records });
  }
}
