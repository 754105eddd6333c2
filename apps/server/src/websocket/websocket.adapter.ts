import { Injectable, type WebSocketAdapter, type WsMessageHandler } from '@nestjs/common';
import { lastValueFrom, type Observable } from 'rxjs';
import { AppError } from '#common';
import type { WebConnection } from '#realtime';
import type { ActionData } from './action-gateway.js';

/** The answer to one client action; the endpoint adds `seq_reply` (model.WebSocketResponse). */
export type ActionReply = { status: 'OK'; data?: unknown } | { status: 'FAIL'; error: { id: string; message: string } };

/** What Nest takes for the socket server: the gateways subscribe to it; events reach sockets through the Hub, not through it. */
export type ActionServer = Readonly<{ path: string }>;

interface BoundAction {
  callback: WsMessageHandler['callback'];
  transform: (result: unknown) => Observable<unknown>;
}

const fail = (id: string, message: string): ActionReply => ({ status: 'FAIL', error: { id, message } });

/**
 * Nest's WebSocket adapter for /api/v4/websocket (Mattermost's wsapi router). The endpoint
 * (websocket.server.ts) owns the upgrade, authentication, `hello` and resume, and reads the frames;
 * each `{action, seq, data}` of an authenticated socket comes here and goes to the gateway method
 * decorated with `@SubscribeMessage(action)`, called with the WebConnection (`@ConnectedSocket()`)
 * and `data` (`@MessageBody()`). What it returns becomes the reply's `data`; an AppError it throws
 * becomes a FAIL with the error's id and message.
 *
 * A connection meets the gateways on its first action, not when it opens: Nest binds one function
 * per handler to every client, and most sockets only ever listen. Gateways get no disconnect
 * callback; a connection's life (it can be resumed on another socket) belongs to the Hub.
 */
@Injectable()
export class MattermostWsAdapter implements WebSocketAdapter<ActionServer, WebConnection> {
  private readonly server: ActionServer = { path: '/api/v4/websocket' };
  /** Nest's "a client connected" for each gateway: binds that gateway's handlers to the client. */
  private readonly gateways: Array<(connection: WebConnection) => void> = [];
  private readonly bound = new WeakMap<WebConnection, Map<string, BoundAction>>();

  create(port: number, options?: Record<string, unknown>): ActionServer {
    if (port !== 0 || options?.path || options?.namespace) {
      throw new Error('Socket actions are served on /api/v4/websocket only: declare gateways with @ActionGateway()');
    }
    return this.server;
  }

  bindClientConnect(_server: ActionServer, callback: (connection: WebConnection) => void): void {
    this.gateways.push(callback);
  }

  bindClientDisconnect(): void {
    // The Hub keeps a connection past its socket, for resuming; gateways hold nothing per socket.
  }

  bindMessageHandlers(connection: WebConnection, handlers: WsMessageHandler[], transform: BoundAction['transform']): void {
    const actions = this.bound.get(connection);
    if (!actions) return; // only reached through join()
    for (const { message, callback } of handlers) actions.set(message, { callback, transform });
  }

  close(): void {
    // The endpoint closes the sockets (with the Hub) when the application shuts down.
  }

  dispose(): void {}

  /** Runs one action of an authenticated connection and shapes its reply. */
  async dispatch(connection: WebConnection, action: string, data: ActionData): Promise<ActionReply> {
    const handler = this.join(connection).get(action);
    if (!handler) return fail('api.web_socket_router.bad_action.app_error', `Unknown action ${action}.`);
    try {
      const result = await lastValueFrom(handler.transform(handler.callback(data, action)), { defaultValue: undefined });
      return result === undefined ? { status: 'OK' } : { status: 'OK', data: result };
    } catch (err) {
      if (err instanceof AppError) return fail(err.id, err.message);
      return fail('api.web_socket_router.internal_error', 'The action failed.');
    }
  }

  private join(connection: WebConnection): Map<string, BoundAction> {
    let actions = this.bound.get(connection);
    if (!actions) {
      actions = new Map();
      this.bound.set(connection, actions);
      for (const connect of this.gateways) connect(connection);
    }
    return actions;
  }
}
