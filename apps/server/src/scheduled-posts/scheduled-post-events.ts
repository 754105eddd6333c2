import { newEvent, WebSocketEvent } from '#realtime';
import { ScheduledPostView } from './scheduled-post.model.js';

/**
 * scheduled_post_created / _updated / _deleted (PublishScheduledPostEvent): to the post's owner
 * only, minus the connection that made the change; data.scheduledPost is the post as a JSON string.
 */
export function scheduledPostEvent(event: string, post: ScheduledPostView, connectionId: string): WebSocketEvent {
  return newEvent(event, { user_id: post.user_id, omit_connection_id: connectionId }, { scheduledPost: JSON.stringify(post) });
}
