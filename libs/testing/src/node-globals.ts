/**
 * Node 20 has neither a WebSocket nor a CloseEvent global; @mattermost/client's WebSocketClient
 * needs both. Imported for its side effect before any WebSocketClient is created.
 */
import { WebSocket } from 'ws';

const g = globalThis as Record<string, unknown>;
g.WebSocket ??= WebSocket;
g.CloseEvent ??= class CloseEvent extends Event {
  code: number;
  reason: string;
  wasClean: boolean;
  constructor(type: string, init: { code?: number; reason?: string; wasClean?: boolean } = {}) {
    super(type);
    this.code = init.code ?? 0;
    this.reason = init.reason ?? '';
    this.wasClean = init.wasClean ?? false;
  }
};
