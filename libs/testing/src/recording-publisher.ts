import { EventPublisher, WebSocketEvent } from '#realtime';

/** An EventPublisher for service specs: keeps every event it is given, confirmed or not, in order. */
export class RecordingPublisher extends EventPublisher {
  readonly events: WebSocketEvent[] = [];

  async publishConfirmed(event: WebSocketEvent): Promise<void> {
    this.events.push(event);
  }

  protected async send(event: WebSocketEvent): Promise<void> {
    this.events.push(event);
  }
}
