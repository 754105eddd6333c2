/** Interactive messages: a button or menu of a message attachment, sent to its integration through the server. */
import type { PostAction } from '@mattermost/types/integration_actions';
import { client } from '../api/client';

/**
 * POST /posts/{id}/actions/{action_id} (with the action's cookie for an ephemeral post). The
 * server calls the integration; what it answers comes back as events: the post edited
 * (`post_edited`) or a message for the clicker alone (`ephemeral_message`).
 */
export async function runPostAction(postId: string, action: PostAction, selectedOption = ''): Promise<void> {
  if (!action.id) return;
  if (action.cookie) await client.doPostActionWithCookie(postId, action.id, action.cookie, selectedOption);
  else await client.doPostAction(postId, action.id, selectedOption);
}
