import { Injectable } from '@nestjs/common';
import { AppError, badRequest, invalidParam, newId, notFound, permissionDenied } from '#common';
import { ConfigService } from '#config';
import { PermissionsService } from '../auth/permissions.service.js';
import type { ChannelRow } from '../channels/channel.model.js';
import { ChannelsRepository } from '../channels/channels.repository.js';
import type { Session } from '../common/session.js';
import { isValidUsername } from '../users/user.model.js';
import { UsersRepository } from '../users/users.repository.js';
import { IncomingWebhooksRepository } from './incoming-webhooks.repository.js';
import { IntegrationPermissions } from './integration-permissions.js';
import { IncomingWebhook, validateIncoming } from './webhook.model.js';

/** What a client sends to create or update an incoming webhook. */
export interface IncomingWebhookInput {
  id?: string;
  channel_id: string;
  team_id: string;
  /** Create only: the owner, when an admin creates the hook for someone else. */
  user_id: string;
  display_name: string;
  description: string;
  username: string;
  icon_url: string;
  channel_locked: boolean;
}

const OWN = 'manage_own_incoming_webhooks';
const OTHERS = 'manage_others_incoming_webhooks';
const BYPASS_LOCK = 'bypass_incoming_webhook_channel_lock';

export function incomingDisabled(): AppError {
  return new AppError('', 'api.incoming_webhook.disabled.app_error', 'Incoming webhooks have been disabled by the system admin.', 501);
}

export function channelNotFound(channelId: string): AppError {
  return notFound('app.channel.get.existing.app_error', 'Unable to find the existing channel.', `channel_id=${channelId}`);
}

/** Incoming webhooks' CRUD (api4/webhook.go and App.*IncomingWebhook*), with Mattermost's checks in its order. */
@Injectable()
export class IncomingWebhooksService {
  constructor(
    private readonly repo: IncomingWebhooksRepository,
    private readonly channels: ChannelsRepository,
    private readonly users: UsersRepository,
    private readonly permissions: PermissionsService,
    private readonly integrations: IntegrationPermissions,
    private readonly config: ConfigService,
  ) {}

  private enabled(): boolean {
    return this.config.get().ServiceSettings.EnableIncomingWebhooks;
  }

  private async channel(channelId: string): Promise<ChannelRow> {
    const channel = await this.channels.byId(channelId);
    if (!channel) throw channelNotFound(channelId);
    return channel;
  }

  /** SessionHasPermissionToReadChannel: its members, or the team for a public channel. */
  private async canRead(session: Session, channel: ChannelRow): Promise<boolean> {
    if (await this.permissions.hasChannel(session, channel.id, 'read_channel_content')) return true;
    return channel.type === 'O' && (await this.permissions.hasTeam(session, channel.team_id, 'read_public_channel'));
  }

  /** App.GetIncomingWebhook: 501 when the feature is off, 404 for a missing or deleted hook. */
  private async existing(hookId: string): Promise<IncomingWebhook> {
    if (!this.enabled()) throw incomingDisabled();
    const hook = await this.repo.byId(hookId);
    if (!hook) throw notFound('app.webhooks.get_incoming.app_error', 'Unable to get the webhook.', `id=${hookId}`);
    return hook;
  }

  /** Locked to its channel unless the caller may let it post elsewhere. */
  private async lockUnlessAllowed(session: Session, channel: ChannelRow, hook: IncomingWebhook): Promise<void> {
    if (await this.permissions.hasTeam(session, channel.team_id, BYPASS_LOCK)) return;
    hook.channel_locked = true;
    hook.channel_id = channel.id;
  }

  private checkUsername(username: string): void {
    if (username !== '' && !isValidUsername(username)) {
      throw badRequest('api.incoming_webhook.invalid_username.app_error', 'Invalid username.');
    }
  }

  /** POST /hooks/incoming. */
  async create(session: Session, input: IncomingWebhookInput): Promise<IncomingWebhook> {
    const channel = await this.channel(input.channel_id);
    await this.integrations.requireTeam(session, channel.team_id, OWN);
    if (!(await this.canRead(session, channel))) throw permissionDenied('read_channel_content');
    let ownerId = session.user_id;
    if (input.user_id !== '' && input.user_id !== session.user_id) {
      await this.integrations.requireTeam(session, channel.team_id, OTHERS);
      if (!(await this.users.byId(input.user_id))) throw notFound('app.user.missing_account.const', 'Unable to find the user.', `user_id=${input.user_id}`);
      ownerId = input.user_id;
    }
    const now = Date.now();
    const hook: IncomingWebhook = {
      id: newId(),
      create_at: now,
      update_at: now,
      delete_at: 0,
      user_id: ownerId,
      channel_id: channel.id,
      team_id: channel.team_id,
      display_name: input.display_name,
      description: input.description,
      username: input.username,
      icon_url: input.icon_url,
      channel_locked: input.channel_locked,
    };
    await this.lockUnlessAllowed(session, channel, hook);
    if (!this.enabled()) throw incomingDisabled();
    const s = this.config.get().ServiceSettings;
    if (!s.EnablePostUsernameOverride) hook.username = '';
    if (!s.EnablePostIconOverride) hook.icon_url = '';
    this.checkUsername(hook.username);
    validateIncoming(hook);
    await this.repo.insert(hook);
    return hook;
  }

  /** PUT /hooks/incoming/{id}: the whole hook as the client sends it; owner and team stay. */
  async update(session: Session, hookId: string, input: IncomingWebhookInput): Promise<IncomingWebhook> {
    const old = await this.existing(hookId);
    const teamId = input.team_id || old.team_id;
    if (teamId !== old.team_id) {
      throw badRequest('api.webhook.team_mismatch.app_error', 'Unable to update webhook across teams.', `user_id=${session.user_id}`);
    }
    const channel = await this.channel(input.channel_id);
    if (channel.team_id !== teamId) throw invalidParam('channel_id');
    await this.integrations.requireTeam(session, channel.team_id, OWN);
    if (session.user_id !== old.user_id) await this.integrations.requireTeam(session, channel.team_id, OTHERS);
    if (channel.type !== 'O' && !(await this.canRead(session, channel))) throw permissionDenied('read_channel_content');
    const s = this.config.get().ServiceSettings;
    const hook: IncomingWebhook = {
      ...old,
      update_at: Date.now(),
      channel_id: channel.id,
      display_name: input.display_name,
      description: input.description,
      username: s.EnablePostUsernameOverride ? input.username : old.username,
      icon_url: s.EnablePostIconOverride ? input.icon_url : old.icon_url,
      channel_locked: input.channel_locked,
    };
    await this.lockUnlessAllowed(session, channel, hook);
    this.checkUsername(hook.username);
    validateIncoming(hook);
    await this.repo.update(hook);
    return hook;
  }

  /**
   * The checks of GET and DELETE /hooks/incoming/{id}: manage_own on the team (a private channel
   * the caller cannot read answers the same 403), manage_others for someone else's hook.
   */
  private async managed(session: Session, hookId: string): Promise<IncomingWebhook> {
    const hook = await this.existing(hookId);
    const channel = await this.channel(hook.channel_id);
    const restricted = channel.type !== 'O' && !(await this.canRead(session, channel));
    if (restricted || !(await this.integrations.hasTeam(session, hook.team_id, OWN))) throw permissionDenied(OWN);
    if (session.user_id !== hook.user_id) await this.integrations.requireTeam(session, hook.team_id, OTHERS);
    return hook;
  }

  async get(session: Session, hookId: string): Promise<IncomingWebhook> {
    return this.managed(session, hookId);
  }

  async delete(session: Session, hookId: string): Promise<void> {
    const hook = await this.managed(session, hookId);
    await this.repo.delete(hook.id, Date.now());
  }

  /**
   * GET /hooks/incoming: a team's hooks (manage_own there; everyone's with manage_others), or
   * with no team every team's the same way from the system roles.
   */
  async list(session: Session, teamId: string, page: number, perPage: number): Promise<{ hooks: IncomingWebhook[]; total: () => Promise<number> }> {
    let userId = session.user_id;
    if (teamId !== '') {
      await this.integrations.requireTeam(session, teamId, OWN);
      if (await this.integrations.hasTeam(session, teamId, OTHERS)) userId = '';
    } else {
      if (!this.integrations.hasSystem(session, OWN)) throw permissionDenied(OWN);
      if (this.integrations.hasSystem(session, OTHERS)) userId = '';
    }
    if (!this.enabled()) throw incomingDisabled();
    const hooks = await this.repo.list(teamId, userId, page * perPage, perPage);
    return { hooks, total: () => this.repo.count(teamId, userId) };
  }
}
