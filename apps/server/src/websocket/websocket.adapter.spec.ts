import 'reflect-metadata';
import { Module, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ConnectedSocket, MessageBody, SubscribeMessage, WebSocketGateway } from '@nestjs/websockets';
import { of } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { badRequest } from '#common';
import { WebConnection } from '#realtime';
import { ActionGateway, type ActionData } from './action-gateway.js';
import { MattermostWsAdapter } from './websocket.adapter.js';

@ActionGateway()
class EchoGateway {
  @SubscribeMessage('echo')
  echo(@ConnectedSocket() connection: WebConnection, @MessageBody() data: ActionData) {
    return { user_id: connection.userId, said: data.text };
  }

  @SubscribeMessage('quiet')
  quiet() {
    return undefined;
  }

  @SubscribeMessage('observable')
  observable() {
    return of({ from: 'observable' });
  }

  @SubscribeMessage('refuse')
  async refuse() {
    throw badRequest('test.refused.app_error', 'Refused.');
  }

  @SubscribeMessage('crash')
  crash() {
    throw new TypeError('boom');
  }
}

@ActionGateway()
class OtherGateway {
  @SubscribeMessage('other')
  other(@ConnectedSocket() connection: WebConnection) {
    return { gateway: 'other', user_id: connection.userId };
  }
}

@Module({ providers: [MattermostWsAdapter, EchoGateway, OtherGateway] })
class TestModule {}

let app: INestApplication | undefined;

async function start(module: unknown = TestModule) {
  app = await NestFactory.create(module as typeof TestModule, { logger: false });
  const adapter = app.get(MattermostWsAdapter);
  app.useWebSocketAdapter(adapter);
  await app.init();
  return { adapter };
}

afterEach(async () => {
  await app?.close();
  app = undefined;
});

const connection = (userId = 'u'.repeat(26)) => new WebConnection('c'.repeat(26), { userId, sessionId: 's', sessionExpiresAt: 0, roles: 'system_user' }, 8);

describe('MattermostWsAdapter', () => {
  it('hands an action to its @SubscribeMessage handler with the connection and data, and replies with what it returns', async () => {
    const { adapter } = await start();
    const c = connection('a'.repeat(26));
    expect(await adapter.dispatch(c, 'echo', { text: 'hi' })).toEqual({ status: 'OK', data: { user_id: 'a'.repeat(26), said: 'hi' } });
    expect(await adapter.dispatch(c, 'other', {})).toEqual({ status: 'OK', data: { gateway: 'other', user_id: 'a'.repeat(26) } });
    expect(await adapter.dispatch(c, 'observable', {})).toEqual({ status: 'OK', data: { from: 'observable' } });
  });

  it('finds every gateway’s actions, whichever gateway the first action went to', async () => {
    for (const [first, then] of [
      ['echo', 'other'],
      ['other', 'echo'],
    ]) {
      const { adapter } = await start();
      expect((await adapter.dispatch(connection(), first, {})).status).toBe('OK');
      expect((await adapter.dispatch(connection(), then, {})).status).toBe('OK');
      await app?.close();
      app = undefined;
    }
  });

  it('replies OK without data when the handler returns nothing', async () => {
    const { adapter } = await start();
    expect(await adapter.dispatch(connection(), 'quiet', {})).toEqual({ status: 'OK' });
  });

  it('turns an AppError into FAIL with its id and message, anything else into internal_error', async () => {
    const { adapter } = await start();
    const c = connection();
    expect(await adapter.dispatch(c, 'refuse', {})).toEqual({ status: 'FAIL', error: { id: 'test.refused.app_error', message: 'Refused.' } });
    expect(await adapter.dispatch(c, 'crash', {})).toEqual({
      status: 'FAIL',
      error: { id: 'api.web_socket_router.internal_error', message: 'The action failed.' },
    });
    // The connection still works afterwards.
    expect((await adapter.dispatch(c, 'echo', { text: 'still here' })).status).toBe('OK');
  });

  it('answers an unknown action with bad_action', async () => {
    const { adapter } = await start();
    expect(await adapter.dispatch(connection(), 'no_such', {})).toEqual({
      status: 'FAIL',
      error: { id: 'api.web_socket_router.bad_action.app_error', message: 'Unknown action no_such.' },
    });
  });

  it('refuses data the HTTP body check would refuse (NUL, prototype keys), before the handler runs', async () => {
    const { adapter } = await start();
    for (const data of [{ text: 'a\u0000b' }, JSON.parse('{"__proto__": {"x": 1}}')]) {
      const reply = await adapter.dispatch(connection(), 'echo', data);
      expect(reply).toMatchObject({ status: 'FAIL', error: { id: 'api.websocket_handler.invalid_param.app_error' } });
    }
  });

  it('gives each action the connection that sent it, whichever connections act in between', async () => {
    const { adapter } = await start();
    const [a, b] = [connection('a'.repeat(26)), connection('b'.repeat(26))];
    const replies = await Promise.all([
      adapter.dispatch(a, 'echo', { text: 1 }),
      adapter.dispatch(b, 'other', {}),
      adapter.dispatch(b, 'echo', { text: 2 }),
      adapter.dispatch(a, 'other', {}),
    ]);
    expect(replies).toEqual([
      { status: 'OK', data: { user_id: 'a'.repeat(26), said: 1 } },
      { status: 'OK', data: { gateway: 'other', user_id: 'b'.repeat(26) } },
      { status: 'OK', data: { user_id: 'b'.repeat(26), said: 2 } },
      { status: 'OK', data: { gateway: 'other', user_id: 'a'.repeat(26) } },
    ]);
  });

  it('refuses a connection’s actions past its budget (100 at once), unrun, without touching other connections', async () => {
    const { adapter } = await start();
    const [flooder, other] = [connection('a'.repeat(26)), connection('b'.repeat(26))];
    // Dispatched in one synchronous loop: each takes from the budget before its first await.
    const replies = await Promise.all(Array.from({ length: 1000 }, (_, i) => adapter.dispatch(flooder, 'echo', { text: i })));
    const ok = replies.filter((r) => r.status === 'OK');
    expect(ok.length).toBeGreaterThanOrEqual(100);
    expect(ok.length).toBeLessThan(110);
    // The first hundred ran; the rest got the rate-limit error.
    expect(replies.slice(0, 100).every((r) => r.status === 'OK')).toBe(true);
    expect(replies.at(-1)).toEqual({
      status: 'FAIL',
      error: { id: 'api.web_socket_router.rate_limited.app_error', message: 'Too many actions on this WebSocket connection.' },
    });
    expect(await adapter.dispatch(other, 'echo', { text: 'unaffected' })).toMatchObject({ status: 'OK' });
  });

  it('refuses a gateway that asks for its own port', async () => {
    @WebSocketGateway(8123)
    class OwnPortGateway {
      @SubscribeMessage('x')
      x() {
        return {};
      }
    }
    @Module({ providers: [MattermostWsAdapter, OwnPortGateway] })
    class OwnPortModule {}
    await expect(start(OwnPortModule)).rejects.toThrow(/served on \/api\/v4\/websocket only/);
  });
});
