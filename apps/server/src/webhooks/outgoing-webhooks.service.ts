import { Injectable } from '@nestjs/common';
import { AppError, badRequest, forbidden, newId, notFound, permissionDenied } from '#common';
import { ConfigService } from '#config';
import { ChannelsRepository } from '../channels/channels.repository.js';
import type { Session } from '../common/session.js';
import { UsersRepository } from '../users/users.repository.js';
import { channelNotFound } from './incoming-webhooks.service.js';
import { IntegrationPermissions } from './integration-permissions.js';
import { OutgoingWebhooksRepository } from './outgoing-webhooks.repository.js';
import { OutgoingWebhook, validateOutgoing } from './webhook.model.js';

/** What a client sends to create or update an outgoing webhook. */
export interface OutgoingWebhookInput {
  id?: string;
  team_id: string;
  channel_id: string;
  /** Create only: the owner, when an admin creates the hook for someone else. */
  creator_id: string;
  trigger_words: string[];
  trigger_when: number;
  callback_urls: string[];
  display_name: string;
  description: string;
  content_type: string;
  username: string;
  icon_url: string;
}

const OWN = 'manage_own_outgoing_webhooks';
const OTHERS = 'manage_others_outgoing_webhooks';

function outgoingDisabled(): AppError {
  return new AppError('', 'api.outgoing_webhook.disabled.app_error', 'Outgoing webhooks have been disabled by the system admin.', 501);
}

function overlaps(a: string[], b: string[]): boolean {
  return a.some((x) => b.includes(x));
}

/** Outgoing webhooks' CRUD (api4/webhook.go and App.*OutgoingWebhook*), with Mattermost's checks in its order. */
@Injectable()
export class OutgoingWebhooksService {
  constructor(
    private readonly repo: OutgoingWebhooksRepository,
    private readonly channels: ChannelsRepository,
    private readonly users: UsersRepository,
    private readonly integrations: IntegrationPermissions,
    private readonly config: ConfigService,
  ) {}

  private requireEnabled(): void {
    if (!this.config.get().ServiceSettings.EnableOutgoingWebhooks) throw outgoingDisabled();
  }

  private async existing(hookId: string): Promise<OutgoingWebhook> {
    this.requireEnabled();
    const hook = await this.repo.byId(hookId);
    if (!hook) throw notFound('app.webhooks.get_outgoing.app_error', 'Unable to get the webhook.', `id=${hookId}`);
    return hook;
  }

  /**
   * A hook watches a public channel of its own team, or has trigger words for every public
   * channel of the team. The same channel, a shared callback URL and a shared trigger word as
   * another hook of the team is refused: the callback would get the post twice.
   */
  private async checkTargets(hook: OutgoingWebhook, forUpdate: boolean): Promise<void> {
    if (hook.channel_id !== '') {
      const channel = await this.channels.byId(hook.channel_id);
      if (!channel) throw channelNotFound(hook.channel_id);
      if (channel.type !== 'O') {
        // Mattermost's create answers this with the "disabled" id, its update with not_open.
        const id = forUpdate ? 'api.webhook.create_outgoing.not_open.app_error' : 'api.outgoing_webhook.disabled.app_error';
        throw forbidden(id, 'Outgoing webhooks can only be created for public channels.');
      }
      if (channel.team_id !== hook.team_id) {
        throw forbidden('api.webhook.create_outgoing.permissions.app_error', 'Invalid permissions to create outgoing webhook.');
      }
    } else if (hook.trigger_words.length === 0) {
      throw badRequest('api.webhook.create_outgoing.triggers.app_error', 'Either trigger_words or channel_id must be set.');
    }
    for (const other of await this.repo.forTeam(hook.team_id)) {
      if (other.id === hook.id) continue;
      if (other.channel_id === hook.channel_id && overlaps(other.callback_urls, hook.callback_urls) && overlaps(other.trigger_words, hook.trigger_words)) {
        const id = forUpdate ? 'api.webhook.update_outgoing.intersect.app_error' : 'api.webhook.create_outgoing.intersect.app_error';
        throw badRequest(id, 'Outgoing webhooks from the same channel cannot have the same trigger words/callback URLs.');
      }
    }
  }

  /** POST /hooks/outgoing. The token is always the server's own. */
  async create(session: Session, input: OutgoingWebhookInput): Promise<OutgoingWebhook> {
    await this.integrations.requireTeam(session, input.team_id, OWN);
    let creatorId = session.user_id;
    if (input.creator_id !== '') {
      await this.integrations.requireTeam(session, input.team_id, OTHERS);
      if (!(await this.users.byId(input.creator_id)))
        throw notFound('app.user.missing_account.const', 'Unable to find the user.', `user_id=${input.creator_id}`);
      creatorId = input.creator_id;
    }
    this.requireEnabled();
    const now = Date.now();
    const hook: OutgoingWebhook = {
      id: newId(),
      token: newId(),
      create_at: now,
      update_at: now,
      delete_at: 0,
      creator_id: creatorId,
      channel_id: input.channel_id,
      team_id: input.team_id,
      trigger_words: input.trigger_words,
      trigger_when: input.trigger_when,
      callback_urls: input.callback_urls,
      display_name: input.display_name,
      description: input.description,
      content_type: input.content_type,
      username: input.username,
      icon_url: input.icon_url,
    };
    validateOutgoing(hook);
    await this.checkTargets(hook, false);
    await this.repo.insert(hook);
    return hook;
  }

  /** manage_own on the hook's team, and manage_others for someone else's hook. */
  private async requireManage(session: Session, hook: Pick<OutgoingWebhook, 'team_id' | 'creator_id'>): Promise<void> {
    await this.integrations.requireTeam(session, hook.team_id, OWN);
    if (session.user_id !== hook.creator_id) await this.integrations.requireTeam(session, hook.team_id, OTHERS);
  }

  /** PUT /hooks/outgoing/{id}: the whole hook as sent; creator, team, token and creation time stay. */
  async update(session: Session, hookId: string, input: OutgoingWebhookInput): Promise<OutgoingWebhook> {
    const old = await this.existing(hookId);
    const teamId = input.team_id || old.team_id;
    if (teamId !== old.team_id) {
      throw badRequest('api.webhook.team_mismatch.app_error', 'Unable to update webhook across teams.', `user_id=${session.user_id}`);
    }
    await this.requireManage(session, old);
    const hook: OutgoingWebhook = {
      ...old,
      update_at: Date.now(),
      channel_id: input.channel_id,
      trigger_words: input.trigger_words,
      trigger_when: input.trigger_when,
      callback_urls: input.callback_urls,
      display_name: input.display_name,
      description: input.description,
      content_type: input.content_type,
      username: input.username,
      icon_url: input.icon_url,
    };
    await this.checkTargets(hook, true);
    validateOutgoing(hook);
    await this.repo.update(hook);
    return hook;
  }

  async get(session: Session, hookId: string): Promise<OutgoingWebhook> {
    const hook = await this.existing(hookId);
    await this.requireManage(session, hook);
    return hook;
  }

  async delete(session: Session, hookId: string): Promise<void> {
    const hook = await this.existing(hookId);
    await this.requireManage(session, hook);
    await this.repo.delete(hook.id, Date.now());
  }

  /** POST /hooks/outgoing/{id}/regen_token: a new token; the old one stops matching at once. */
  async regenToken(session: Session, hookId: string): Promise<OutgoingWebhook> {
    const hook = await this.existing(hookId);
    await this.requireManage(session, hook);
    const updated = { ...hook, token: newId() };
    await this.repo.update(updated);
    return updated;
  }

  /** GET /hooks/outgoing: by channel, by team, or across teams; others' hooks too with manage_others. */
  async list(session: Session, channelId: string, teamId: string, page: number, perPage: number): Promise<OutgoingWebhook[]> {
    let userId = session.user_id;
    if (channelId !== '') {
      const channel = await this.channels.byId(channelId);
      if (!(await this.integrations.hasChannel(session, channel, OWN))) throw permissionDenied(OWN);
      if (await this.integrations.hasChannel(session, channel, OTHERS)) userId = '';
    } else if (teamId !== '') {
      await this.integrations.requireTeam(session, teamId, OWN);
      if (await this.integrations.hasTeam(session, teamId, OTHERS)) userId = '';
    } else {
      if (!this.integrations.hasSystem(session, OWN)) throw permissionDenied(OWN);
      if (this.integrations.hasSystem(session, OTHERS)) userId = '';
    }
    this.requireEnabled();
    return this.repo.list({ channelId, teamId: channelId !== '' ? '' : teamId, userId }, page * perPage, perPage);
  }
}
