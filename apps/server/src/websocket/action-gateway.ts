import { applyDecorators, Catch, UseFilters, type WsExceptionFilter } from '@nestjs/common';
import { WebSocketGateway } from '@nestjs/websockets';
import { AppError } from '#common';

/** An action's `data`: always an object (the endpoint gives `{}` when the frame has none). */
export type ActionData = Record<string, unknown>;

/** Rethrows, so the adapter answers with Mattermost's FAIL reply rather than Nest's `exception` frame. */
@Catch()
class ReplyWithFail implements WsExceptionFilter {
  catch(err: unknown): never {
    throw err;
  }
}

/**
 * A class whose `@SubscribeMessage(action)` methods answer socket actions (see MattermostWsAdapter).
 * Adding an action is one such method in the gateway of the area that owns it. Gateways keep no
 * per-connection state and get no connect/disconnect hooks; they are not a way to send events
 * (those go through EventPublisher).
 */
export function ActionGateway(): ClassDecorator {
  return applyDecorators(WebSocketGateway(), UseFilters(new ReplyWithFail()));
}

/** A bad parameter in an action's data (model.NewInvalidWebSocketParamError). */
export function invalidActionParam(name: string): AppError {
  return new AppError('', 'api.websocket_handler.invalid_param.app_error', `Invalid ${name} parameter.`, 400);
}
