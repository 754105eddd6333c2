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
 * Nest binds a gateway's handlers to a client (one bound function per handler) when told the
 * client connected. Kept per connection, that cost ~1.4 KB on every socket that ever sent an
 * action; so the binding is made for each action, for the one gateway that owns it, and dropped
 * with the reply. Gateways therefore have no connect/disconnect hooks: a connection's life (it can
 * be resumed on another socket, or on another node) belongs to the Hub.
 */
@Injectable()
export class MattermostWsAdapter implements WebSocketAdapter<ActionServer, WebConnection> {
  private readonly server: ActionServer = { path: '/api/v4/websocket' };
  /** Nest's "a client connected", one per gateway: binds that gateway's handlers to the client. */
  private readonly gateways: Array<(connection: WebConnection) => void> = [];
  /** Action → index of the gateway that handles it, learnt on the first action. */
  private owners: Map<string, number> | null = null;
  /** Set while Nest binds a gateway's handlers, which it does synchronously in its connect callback. */
  private binding: { gateway: number; action: string; found?: BoundAction } | null = null;

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
    // Nothing is kept per connection, so there is nothing to release.
  }

  bindMessageHandlers(_connection: WebConnection, handlers: WsMessageHandler[], transform: BoundAction['transform']): void {
    const binding = this.binding;
    if (!binding) return;
    for (const { message, callback } of handlers) {
      if (this.owners && !this.owners.has(message)) this.owners.set(message, binding.gateway);
      if (message === binding.action) binding.found = { callback, transform };
    }
  }

  close(): void {
    // The endpoint closes the sockets (with the Hub) when the application shuts down.
  }

  dispose(): void {}

  /** Runs one action of an authenticated connection and shapes its reply. */
  async dispatch(connection: WebConnection, action: string, data: ActionData): Promise<ActionReply> {
    const handler = this.handler(connection, action);
    if (!handler) return fail('api.web_socket_router.bad_action.app_error', `Unknown action ${action}.`);
    try {
      const result = await lastValueFrom(handler.transform(handler.callback(data, action)), { defaultValue: undefined });
      return result === undefined ? { status: 'OK' } : { status: 'OK', data: result };
    } catch (err) {
      if (err instanceof AppError) return fail(err.id, err.message);
      return fail('api.web_socket_router.internal_error', 'The action failed.');
    }
  }

  /** The action's handler bound to this connection, or undefined when no gateway has it. */
  private handler(connection: WebConnection, action: string): BoundAction | undefined {
    if (!this.owners) {
      // The first action binds every gateway, learning which one owns which action.
      this.owners = new Map();
      let found: BoundAction | undefined;
      for (let gateway = 0; gateway < this.gateways.length; gateway++) {
        const handler = this.bind(gateway, connection, action);
        found ??= handler;
      }
      return found;
    }
    const owner = this.owners.get(action);
    return owner === undefined ? undefined : this.bind(owner, connection, action);
  }

  private bind(gateway: number, connection: WebConnection, action: string): BoundAction | undefined {
    const binding: { gateway: number; action: string; found?: BoundAction } = { gateway, action };
    this.binding = binding;
    try {
      this.gateways[gateway](connection);
    } finally {
      this.binding = null;
    }
    return binding.found;
  }
}
