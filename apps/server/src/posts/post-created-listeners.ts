import { Injectable, Logger } from '@nestjs/common';
import type { ChannelRow } from '../channels/channel.model.js';
import type { UserRow } from '../users/user.model.js';
import type { PostView } from './post.model.js';

/** A post a user created (REST or a command's reply), once committed and announced. */
export interface PostCreated {
  post: PostView;
  channel: ChannelRow;
  poster: UserRow;
}

export type PostCreatedListener = (event: PostCreated) => Promise<void>;

/**
 * What runs after a user's post is created, on the node that created it (so once per post in a
 * cluster), without delaying the answer: outgoing webhooks (Mattermost's handlePostEvents starts
 * handleWebhookEvents in a goroutine). Posts made by integrations notify nobody, so a webhook's
 * post never fires another webhook. A listener lives in an area that depends on posts and
 * registers itself, so posts import none of them.
 */
@Injectable()
export class PostCreatedListeners {
  private readonly log = new Logger('posts');
  private readonly listeners: PostCreatedListener[] = [];

  add(listener: PostCreatedListener): void {
    this.listeners.push(listener);
  }

  /** Starts every listener after the current request's work; a failure is logged, never thrown. */
  notify(event: PostCreated): void {
    for (const listener of this.listeners) {
      setImmediate(() => {
        listener(event).catch((err: unknown) => this.log.error(`post ${event.post.id}: ${err instanceof Error ? err.message : String(err)}`));
      });
    }
  }
}
