import { MessageBody, SubscribeMessage } from '@nestjs/websockets';
import { isValidId } from '#common';
import { ConfigService } from '#config';
import { ActionGateway, type ActionData, invalidActionParam } from './action-gateway.js';
import { NotificationMetrics } from './notification-metrics.js';

/** model.NotificationTypeWebsocket and model.NotificationNoPlatform. */
const TYPE_WEBSOCKET = 'websocket';
const NO_PLATFORM = 'no_platform';

function optionalString(data: ActionData, key: string): string | undefined {
  const value = data[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw invalidActionParam(key);
  return value;
}

/**
 * `posted_notify_ack` {post_id, user_agent, status, reason, data}: the web app acknowledges a
 * `posted` event that carried `should_ack` (wsapi system.go websocketNotificationAck). Mattermost
 * logs it at its notification level and counts it: one ack of type websocket, and when a status
 * came (with a reason, unless it is success) one count under that status. The reply is a plain OK.
 * Here the fields are checked first (Go would panic on a status that is not a string), and the
 * counts go to NotificationMetrics while MetricsSettings.EnableNotificationMetrics is on.
 */
@ActionGateway()
export class NotificationAckGateway {
  constructor(
    private readonly config: ConfigService,
    private readonly metrics: NotificationMetrics,
  ) {}

  @SubscribeMessage('posted_notify_ack')
  postedNotifyAck(@MessageBody() data: ActionData) {
    const postId = optionalString(data, 'post_id');
    if (postId !== undefined && !isValidId(postId)) throw invalidActionParam('post_id');
    optionalString(data, 'user_agent');
    const status = optionalString(data, 'status');
    const reason = optionalString(data, 'reason');
    if (!this.config.get().MetricsSettings.EnableNotificationMetrics) return;
    this.metrics.countAck(TYPE_WEBSOCKET, NO_PLATFORM);
    if (status === undefined) return;
    if (reason === undefined && status !== 'success') return;
    this.metrics.countReason(status, TYPE_WEBSOCKET, reason ?? '', NO_PLATFORM);
  }
}
