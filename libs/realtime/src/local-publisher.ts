import { EventPublisher } from './event-publisher.js';
import { Hub } from './hub.js';
import { WebSocketEvent } from './websocket-event.js';

/** Single-node publishing: straight to this node's hub. */
export class LocalEventPublisher extends EventPublisher {
  constructor(private readonly hub: Hub) {
    super();
  }

  /** There is no other node to wait for. */
  async publishConfirmed(event: WebSocketEvent): Promise<void> {
    this.publish(event);
  }

  protected send(event: WebSocketEvent): Promise<void> {
    return this.hub.publish(event);
  }
}
