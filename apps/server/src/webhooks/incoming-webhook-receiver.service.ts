import { Injectable } from '@nestjs/common';
import { AppError, badRequest, forbidden, notFound } from '#common';
import { ConfigService } from '#config';
import { PermissionsService } from '../auth/permissions.service.js';
import type { ChannelRow } from '../channels/channel.model.js';
import { ChannelsRepository } from '../channels/channels.repository.js';
import { ChannelsService } from '../channels/channels.service.js';
import { sessionFor } from '../common/session.js';
import type { UserRow } from '../users/user.model.js';
import { UsersRepository } from '../users/users.repository.js';
import { channelNotFound } from './incoming-webhooks.service.js';
import { IncomingWebhooksRepository } from './incoming-webhooks.repository.js';
import type { IncomingWebhookRequest } from './webhook-payload.js';
import type { IncomingWebhook } from './webhook.model.js';
import { WebhookPosts } from './webhook-posts.js';

const hookDetail = (hookId: string) => `hook_id=${hookId}`;

/**
 * POST /hooks/{id} (App.HandleIncomingWebhook): an incoming webhook's payload becomes a post by
 * the hook's owner, in the hook's channel or, unless the hook is locked to it, the one the payload
 * names (`town-square`, `#town-square`, or `@username` for a direct message with that user).
 */
@Injectable()
export class IncomingWebhookReceiver {
  constructor(
    private readonly hooks: IncomingWebhooksRepository,
    private readonly channels: ChannelsRepository,
    private readonly channelsService: ChannelsService,
    private readonly users: UsersRepository,
    private readonly permissions: PermissionsService,
    private readonly posts: WebhookPosts,
    private readonly config: ConfigService,
  ) {}

  /** 501 when incoming webhooks are off; checked before the payload is even decoded. */
  requireEnabled(): void {
    if (!this.config.get().ServiceSettings.EnableIncomingWebhooks) {
      throw new AppError('', 'web.incoming_webhook.disabled.app_error', 'Incoming webhooks have been disabled by the system admin.', 501);
    }
  }

  async receive(hookId: string, req: IncomingWebhookRequest): Promise<void> {
    this.requireEnabled();
    if (req.text === '' && req.attachments === null) {
      throw badRequest('web.incoming_webhook.text.app_error', 'No text specified.', hookDetail(hookId));
    }
    const hook = await this.hooks.byId(hookId);
    if (!hook) throw badRequest('web.incoming_webhook.invalid.app_error', 'Invalid webhook.', hookDetail(hookId));
    const owner = await this.users.byId(hook.user_id);
    const { text, attachments } = await this.posts.processSlack(req.text, req.attachments);
    const channel = await this.targetChannel(hook, req.channel, owner);

    if (hook.channel_locked && hook.channel_id !== channel.id) {
      throw forbidden('web.incoming_webhook.channel_locked.app_error', 'This webhook is not permitted to post to the requested channel.', hookDetail(hookId));
    }
    if (!owner) throw forbidden('web.incoming_webhook.user.app_error', "Couldn't find the user.", hookDetail(hookId));
    const ownerSession = sessionFor(owner);
    if (channel.type !== 'O' && !(await this.permissions.hasChannel(ownerSession, channel.id, 'read_channel_content'))) {
      throw forbidden('web.incoming_webhook.permissions.app_error', 'Inappropriate channel permissions.', hookDetail(hookId));
    }

    await this.posts.create({
      owner,
      channel,
      text,
      overrideUsername: req.username || hook.username,
      overrideIconUrl: req.icon_url || hook.icon_url,
      overrideIconEmoji: req.icon_emoji,
      props: { ...req.props, webhook_display_name: hook.display_name },
      attachments,
      type: req.type,
      rootId: '',
      priority: req.priority,
    });
  }

  /** The channel the post goes to. A named channel must be live; the hook's own is taken as found. */
  private async targetChannel(hook: IncomingWebhook, name: string, owner: UserRow | undefined): Promise<ChannelRow> {
    if (name === '') {
      const channel = await this.channels.byId(hook.channel_id);
      if (!channel) throw channelNotFound(hook.channel_id);
      return channel;
    }
    if (name.startsWith('@')) {
      const user = await this.users.byUsername(name.slice(1));
      if (!user) throw badRequest('web.incoming_webhook.user.app_error', "Couldn't find the user.", hookDetail(hook.id));
      if (!owner) throw forbidden('web.incoming_webhook.user.app_error', "Couldn't find the user.", hookDetail(hook.id));
      return this.channelsService.directChannelFor(owner, user.id);
    }
    const channel = await this.channels.byName(hook.team_id, name.startsWith('#') ? name.slice(1) : name, false);
    if (!channel) throw notFound('web.incoming_webhook.channel.app_error', "Couldn't find the channel.", hookDetail(hook.id));
    return channel;
  }
}
