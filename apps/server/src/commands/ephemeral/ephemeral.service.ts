import { Injectable } from '@nestjs/common';
import { newId } from '#common';
import { EventPublisher, newEvent, WsEvents } from '#realtime';
import { sealCookie } from '../../actions/action-cookies.js';
import { IntegrationKeys } from '../../actions/integration-keys.service.js';
import { PermissionsService } from '../../auth/permissions.service.js';
import type { Session } from '../../common/session.js';
import { withActionCookies } from '../../posts/post-actions.js';
import { PostView, toPostView } from '../../posts/post.model.js';

/** Mattermost's model.PostTypeEphemeral: whatever type the caller gave, an ephemeral post has this one. */
export const POST_TYPE_EPHEMERAL = 'system_ephemeral';

/** What a caller hands over; the rest of the post is filled in as Mattermost's SendEphemeralPost does. */
export interface EphemeralPostInput {
  id?: string;
  create_at?: number;
  user_id?: string;
  channel_id: string;
  root_id?: string;
  message: string;
  props?: Record<string, unknown> | null;
}

/**
 * Ephemeral posts (app/post.go SendEphemeralPost): a post shown to one user only, through the
 * `ephemeral_message` event to that user's sockets, and never stored. Slash-command replies and
 * anything else that must tell one user something in a channel send through here.
 */
@Injectable()
export class EphemeralService {
  constructor(
    private readonly permissions: PermissionsService,
    private readonly publisher: EventPublisher,
    private readonly keys: IntegrationKeys,
  ) {}

  /** Sends the post to `userId`'s sockets only, and returns it as sent. */
  send(userId: string, input: EphemeralPostInput): PostView {
    const id = input.id || newId();
    // Never stored, so its actions carry their integrations sealed in cookies (SendEphemeralPost).
    const props = withActionCookies({ id, channel_id: input.channel_id, root_id: input.root_id ?? '', props: input.props ?? {} }, (cookie) =>
      sealCookie(cookie, this.keys.cookieSecret),
    );
    const post = toPostView({
      id,
      create_at: input.create_at || Date.now(),
      update_at: 0,
      edit_at: 0,
      delete_at: 0,
      is_pinned: false,
      user_id: input.user_id ?? '',
      channel_id: input.channel_id,
      root_id: input.root_id ?? '',
      original_id: '',
      message: input.message,
      type: POST_TYPE_EPHEMERAL,
      props,
      hashtags: '',
      file_ids: [],
      has_reactions: false,
      reply_count: 0,
      last_reply_at: 0,
    });
    // The post travels as a JSON string, and only to the one user (the user target wins over the channel).
    this.publisher.publish(newEvent(WsEvents.EphemeralMessage, { user_id: userId, channel_id: post.channel_id }, { post: JSON.stringify(post) }));
    return post;
  }

  /**
   * POST /posts/ephemeral (api4/post.go createEphemeralPost): needs create_post_ephemeral, which
   * only system admins hold by default; the post is the caller's, made now.
   */
  createFromApi(session: Session, userId: string, input: EphemeralPostInput): PostView {
    this.permissions.requireSystem(session, 'create_post_ephemeral');
    return this.send(userId, { ...input, user_id: session.user_id, create_at: Date.now() });
  }
}
