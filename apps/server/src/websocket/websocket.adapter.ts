import { Injectable, type WebSocketAdapter, type WsMessageHandler } from '@nestjs/common';
import { performance } from 'node:perf_hooks';
import { lastValueFrom, type Observable } from 'rxjs';
import { AppError, findJsonInputProblem } from '#common';
import type { WebConnection } from '#realtime';
import { TokenBucket } from '../common/token-bucket.js';
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
 * Actions one connection may send at once, and per second after that. Mattermost's web_conn reads
 * frames without a bound (it only drops typing and status events on the way out when a socket's
 * send queue fills); here a socket sending a flood costs a cheap refusal per frame, not a
 * permission lookup and a fan-out each. Real clients are far below it: the webapp sends one
 * `user_typing` per TimeBetweenUserTypingUpdatesMilliseconds, and `presence`, `get_statuses_by_ids`,
 * `user_update_active_status` and pings on navigation and timers, a handful per second at most
 * (a reconnect replays no actions). 100 leaves room for bots and scripts that use the socket.
 */
const ACTION_BURST = 100;
const ACTIONS_PER_SECOND = 100;
/** No such error in Mattermost, whose socket has no bound; named like its router's errors. */
const rateLimited = () => fail('api.web_socket_router.rate_limited.app_error', 'Too many actions on this WebSocket connection.');

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
  /** Each connection's action budget; it goes with the connection (also when resumed on a new socket). */
  private readonly budgets = new WeakMap<WebConnection, TokenBucket>();

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
    // Only the action budgets are kept per connection, in a WeakMap: they go with the connection.
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

  /** Runs one action of an authenticated connection and shapes its reply; past the connection's budget, refuses it unrun. */
  async dispatch(connection: WebConnection, action: string, data: ActionData): Promise<ActionReply> {
    if (!this.withinBudget(connection)) return rateLimited();
    const handler = this.handler(connection, action);
    if (!handler) return fail('api.web_socket_router.bad_action.app_error', `Unknown action ${action}.`);
    // The HTTP bodies' check: NUL or lone surrogates would reach PostgreSQL, prototype keys a merge.
    const problem = findJsonInputProblem(data);
    if (problem) return fail('api.websocket_handler.invalid_param.app_error', `Invalid ${problem.path || 'data'} parameter.`);
    try {
      const result = await lastValueFrom(handler.transform(handler.callback(data, action)), { defaultValue: undefined });
      return result === undefined ? { status: 'OK' } : { status: 'OK', data: result };
    } catch (err) {
      if (err instanceof AppError) return fail(err.id, err.message);
      return fail('api.web_socket_router.internal_error', 'The action failed.');
    }
  }

  private withinBudget(connection: WebConnection): boolean {
    const now = performance.now();
    let budget = this.budgets.get(connection);
    if (!budget) {
      budget = new TokenBucket(ACTION_BURST, now);
      this.budgets.set(connection, budget);
    }
    return budget.take(now, ACTIONS_PER_SECOND, ACTION_BURST);
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
