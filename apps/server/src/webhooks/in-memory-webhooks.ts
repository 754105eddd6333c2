import { newId } from '#common';
import { ChannelsTestbed } from '../channels/in-memory-channels.js';
import type { ChannelRow } from '../channels/channel.model.js';
import { PostCreatedListeners } from '../posts/post-created-listeners.js';
import type { IntegrationPostInput, PostsService } from '../posts/posts.service.js';
import type { TeamsRepository } from '../teams/teams.repository.js';
import type { UsersRepository } from '../users/users.repository.js';
import { IncomingWebhookReceiver } from './incoming-webhook-receiver.service.js';
import { IncomingWebhooksService } from './incoming-webhooks.service.js';
import type { IncomingWebhooksRepository } from './incoming-webhooks.repository.js';
import { IntegrationPermissions } from './integration-permissions.js';
import { OutgoingWebhookSender } from './outgoing-webhook-sender.service.js';
import { OutgoingWebhooksService } from './outgoing-webhooks.service.js';
import type { OutgoingWebhooksRepository } from './outgoing-webhooks.repository.js';
import type { IncomingWebhook, OutgoingWebhook } from './webhook.model.js';
import { WebhookPosts } from './webhook-posts.js';

/** Live rows of a webhook table, filtered and paged as the repositories do. */
class MemoryHooks<T extends { id: string; create_at: number; delete_at: number; channel_id: string; team_id: string }> {
  readonly rows = new Map<string, T>();

  async insert(h: T) {
    this.rows.set(h.id, { ...h });
  }
  async byId(id: string) {
    const h = this.rows.get(id);
    return h && h.delete_at === 0 ? { ...h } : undefined;
  }
  async update(h: T) {
    this.rows.set(h.id, { ...h });
  }
  async delete(id: string, now: number) {
    const h = this.rows.get(id);
    if (h && h.delete_at === 0) h.delete_at = now;
  }
  async deleteForChannel(channelId: string, now: number) {
    for (const h of this.rows.values()) if (h.channel_id === channelId && h.delete_at === 0) h.delete_at = now;
  }
  protected live(match: (h: T) => boolean): T[] {
    return [...this.rows.values()].filter((h) => h.delete_at === 0 && match(h)).sort((a, b) => a.create_at - b.create_at || a.id.localeCompare(b.id));
  }
}

export class MemoryIncomingWebhooks extends MemoryHooks<IncomingWebhook> {
  async list(teamId: string, userId: string, offset: number, limit: number) {
    return this.live((h) => (teamId === '' || h.team_id === teamId) && (userId === '' || h.user_id === userId)).slice(offset, offset + limit);
  }
  async count(teamId: string, userId: string) {
    return (await this.list(teamId, userId, 0, Number.MAX_SAFE_INTEGER)).length;
  }
}

export class MemoryOutgoingWebhooks extends MemoryHooks<OutgoingWebhook> {
  async forTeam(teamId: string) {
    return this.live((h) => h.team_id === teamId);
  }
  async list(f: { channelId: string; teamId: string; userId: string }, offset: number, limit: number) {
    return this.live(
      (h) =>
        (f.channelId === '' || h.channel_id === f.channelId) && (f.teamId === '' || h.team_id === f.teamId) && (f.userId === '' || h.creator_id === f.userId),
    ).slice(offset, offset + limit);
  }
}

/**
 * The webhooks area over the channels testbed (in-memory channels, members and permissions) with
 * in-memory hook tables, a users lookup over the testbed's users, and the posts integrations make
 * recorded instead of stored.
 */
export class WebhooksTestbed extends ChannelsTestbed {
  readonly incomingRows = new MemoryIncomingWebhooks();
  readonly outgoingRows = new MemoryOutgoingWebhooks();
  readonly integrationPosts: IntegrationPostInput[] = [];
  readonly teamNames = new Map<string, string>();
  readonly listeners = new PostCreatedListeners();
  readonly usersRepo = {
    byId: async (id: string) => this.users.rows.get(id),
    byIds: async (ids: string[]) => ids.flatMap((id) => (this.users.rows.has(id) ? [this.users.rows.get(id)!] : [])),
    byUsername: async (name: string) => [...this.users.rows.values()].find((u) => u.username === name),
  } as unknown as UsersRepository;
  readonly postsService = {
    createForIntegration: async (input: IntegrationPostInput) => {
      this.integrationPosts.push(input);
      return { id: newId(), ...input };
    },
  } as unknown as PostsService;
  readonly integrations = new IntegrationPermissions(this.permissions, this.teamMembers.asRepository(), this.configService);
  readonly incoming = new IncomingWebhooksService(
    this.incomingRows as unknown as IncomingWebhooksRepository,
    this.channels.asRepository(),
    this.usersRepo,
    this.permissions,
    this.integrations,
    this.configService,
  );
  readonly outgoing = new OutgoingWebhooksService(
    this.outgoingRows as unknown as OutgoingWebhooksRepository,
    this.channels.asRepository(),
    this.usersRepo,
    this.integrations,
    this.configService,
  );
  readonly webhookPosts = new WebhookPosts(this.postsService, this.usersRepo, this.configService);
  readonly receiver = new IncomingWebhookReceiver(
    this.incomingRows as unknown as IncomingWebhooksRepository,
    this.channels.asRepository(),
    this.channelsService,
    this.usersRepo,
    this.permissions,
    this.webhookPosts,
    this.configService,
  );
  readonly sender = new OutgoingWebhookSender(
    this.outgoingRows as unknown as OutgoingWebhooksRepository,
    { byId: async (id: string) => ({ id, name: this.teamNames.get(id) ?? '' }) } as unknown as TeamsRepository,
    this.usersRepo,
    this.webhookPosts,
    this.configService,
    this.listeners,
  );

  /** A team with a name, for team_domain. */
  namedTeam(name: string): string {
    const id = this.team();
    this.teamNames.set(id, name);
    return id;
  }

  /** A post as the posts area hands it to the post-created listeners. */
  postCreated(channel: ChannelRow, userId: string, message: string, extra: { root_id?: string; file_ids?: string[] } = {}) {
    const post = {
      id: newId(),
      create_at: Date.now(),
      user_id: userId,
      channel_id: channel.id,
      message,
      root_id: extra.root_id ?? '',
      file_ids: extra.file_ids ?? [],
    };
    const mentions = {
      userIds: [],
      kinds: new Map(),
      memberUsernames: [],
      members: [],
      channelWide: { channel: false, all: false, here: false },
      tooManyForChannelMentions: false,
    };
    return { post: post as never, channel, poster: this.users.rows.get(userId) as never, mentions, crtFollowerIds: [], fromIntegration: false };
  }
}
