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

/** Records which connections Nest bound to it (handleConnection runs once per client bind). */
@ActionGateway()
class EchoGateway {
  bindings: WebConnection[] = [];

  handleConnection(connection: WebConnection) {
    this.bindings.push(connection);
  }

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
  other() {
    return { gateway: 'other' };
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
  return { adapter, echo: app.get(EchoGateway) };
}

afterEach(async () => {
  await app?.close();
  app = undefined;
});

const connection = (userId = 'u'.repeat(26)) =>
  new WebConnection('c'.repeat(26), { userId, sessionToken: 't', sessionExpiresAt: 0, roles: 'system_user' }, 8);

describe('MattermostWsAdapter', () => {
  it('hands an action to its @SubscribeMessage handler with the connection and data, and replies with what it returns', async () => {
    const { adapter } = await start();
    const c = connection('a'.repeat(26));
    expect(await adapter.dispatch(c, 'echo', { text: 'hi' })).toEqual({ status: 'OK', data: { user_id: 'a'.repeat(26), said: 'hi' } });
    expect(await adapter.dispatch(c, 'other', {})).toEqual({ status: 'OK', data: { gateway: 'other' } });
    expect(await adapter.dispatch(c, 'observable', {})).toEqual({ status: 'OK', data: { from: 'observable' } });
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

  it('binds the gateways to a connection on its first action, once', async () => {
    const { adapter, echo } = await start();
    const idle = connection();
    const active = connection();
    expect(echo.bindings).toEqual([]);
    await adapter.dispatch(active, 'echo', {});
    await adapter.dispatch(active, 'other', {});
    await adapter.dispatch(active, 'echo', {});
    expect(echo.bindings).toHaveLength(1);
    expect(echo.bindings[0]).toBe(active);
    expect(echo.bindings).not.toContain(idle);
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
