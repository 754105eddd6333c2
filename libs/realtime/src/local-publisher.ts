import { EventPublisher } from './event-publisher.js';
import { Hub } from './hub.js';
import { WebSocketEvent } from './websocket-event.js';

/** Single-node publishing: straight to this node's hub. */
export class LocalEventPublisher extends EventPublisher {
  constructor(private readonly hub: Hub) {
    super();
  }

  async publish(event: WebSocketEvent): Promise<void> {
    void this.hub.publish(event);
  }
}
