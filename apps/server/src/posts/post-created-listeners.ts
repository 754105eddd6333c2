import { Injectable, Logger } from '@nestjs/common';
import type { ChannelRow } from '../channels/channel.model.js';
import type { UserRow } from '../users/user.model.js';
import type { PostMentions } from './post-mentions.service.js';
import type { PostView } from './post.model.js';

/** A post created (by a user, a command's reply or an integration), once committed and announced. */
export interface PostCreated {
  post: PostView;
  channel: ChannelRow;
  poster: UserRow;
  /** Who the post mentions and the channel's members as read for it. */
  mentions: PostMentions;
  /** For a reply: the thread's followers who have collapsed threads on. */
  crtFollowerIds: string[];
  /** A webhook's override name for the poster. */
  senderName?: string;
  /** Made by an integration (webhook, command response, bot through an integration). */
  fromIntegration: boolean;
}

export type PostCreatedListener = (event: PostCreated) => Promise<void>;

interface Registered {
  listener: PostCreatedListener;
  /** Also for integrations' posts (notifications are; outgoing webhooks are not). */
  integrationPosts: boolean;
}

/**
 * What runs after a post is created, on the node that created it (so once per post in a
 * cluster), without delaying the answer: notifications (push and email) and outgoing webhooks
 * (Mattermost's handlePostEvents starts them in goroutines). Integrations' posts notify people but
 * fire no outgoing webhook, so a webhook's post never fires another. A listener lives in an area
 * that depends on posts and registers itself, so posts import none of them.
 */
@Injectable()
export class PostCreatedListeners {
  private readonly log = new Logger('posts');
  private readonly listeners: Registered[] = [];

  add(listener: PostCreatedListener, options: { integrationPosts?: boolean } = {}): void {
    this.listeners.push({ listener, integrationPosts: options.integrationPosts ?? false });
  }

  /** Starts every listener after the current request's work; a failure is logged, never thrown. */
  notify(event: PostCreated): void {
    for (const { listener, integrationPosts } of this.listeners) {
      if (event.fromIntegration && !integrationPosts) continue;
      setImmediate(() => {
        listener(event).catch((err: unknown) => this.log.error(`post ${event.post.id}: ${err instanceof Error ? err.message : String(err)}`));
      });
    }
  }
}
