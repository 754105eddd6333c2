import { Injectable } from '@nestjs/common';
import { AppError, badRequest, newId, notFound, permissionDenied } from '#common';
import { ConfigService } from '#config';
import { hashToken } from '#auth';
import { Session, SESSION_PROP_TYPE, SESSION_TYPE_USER_ACCESS_TOKEN } from '../common/session.js';
import { PermissionsService } from '../auth/permissions.service.js';
import { SessionsService } from '../auth/sessions.service.js';
import { BotAccess } from '../bots/bot-access.js';
import { AccessTokenRow, AccessTokensRepository } from './access-tokens.repository.js';
import { UsersService } from './users.service.js';

const HUNDRED_YEARS = 100 * 365 * 24 * 3_600_000;

/** Personal access tokens: each active token is backed by a long-lived session (as Mattermost). */
@Injectable()
export class AccessTokensService {
  constructor(
    private readonly repo: AccessTokensRepository,
    private readonly users: UsersService,
    private readonly sessions: SessionsService,
    private readonly permissions: PermissionsService,
    private readonly config: ConfigService,
    private readonly botAccess: BotAccess,
  ) {}

  private requireEnabled() {
    if (!this.config.get().ServiceSettings.EnableUserAccessTokens) {
      throw new AppError('', 'api.user.create_user_access_token.disabled', 'Personal access tokens are disabled on this server.', 501);
    }
  }

  /**
   * Own tokens need the token permission; someone else's also need edit_other_users, or the right
   * to manage that bot (SessionHasPermissionToUserOrBot). Bots' tokens work with
   * EnableUserAccessTokens off, as in Mattermost (CreateUserAccessToken checks `!user.IsBot`).
   */
  async requireAccess(actor: Session, ownerId: string, permission: string) {
    const owner = await this.users.get(ownerId).catch(() => undefined);
    if (!owner?.is_bot) this.requireEnabled();
    this.permissions.requireSystem(actor, permission);
    if (!(await this.botAccess.canActFor(actor, ownerId))) throw permissionDenied('edit_other_users');
  }

  /**
   * `expiresAt`: 0 for a token that never expires; the cleanup_expired_access_tokens job deletes
   * expired ones. The answer carries the bearer token; every other read has only its hash.
   */
  async create(actor: Session, userId: string, description: string, expiresAt = 0): Promise<AccessTokenRow> {
    // An OAuth app's session may not mint tokens that outlive its grant (createUserAccessToken).
    if (actor.is_oauth) throw permissionDenied('create_user_access_token');
    await this.requireAccess(actor, userId, 'create_user_access_token');
    if (!description || description.length > 255)
      throw badRequest('model.user_access_token.is_valid.description.app_error', 'Invalid description, must be 255 or less characters.');
    if (!Number.isInteger(expiresAt) || expiresAt < 0) throw badRequest('model.user_access_token.is_valid.expires_at.app_error', 'Invalid expiry time.');
    const user = await this.users.get(userId);
    if (user.delete_at > 0) throw badRequest('app.user_access_token.inactive_user', 'The user is deactivated.');
    const bearer = newId();
    // The table keeps the token's hash: the token itself is in this answer only, as Mattermost
    // returns it at creation and never again.
    const token: AccessTokenRow = { id: newId(), token: hashToken(bearer), user_id: userId, description, is_active: true, expires_at: expiresAt };
    await this.repo.insert(token);
    await this.openSession(token, user.roles);
    return { ...token, token: bearer };
  }

  private async openSession(token: AccessTokenRow, roles: string) {
    // The session's token is the access token itself (the same hash), so `Authorization: Bearer
    // <token>` finds it; enabling a token again reopens it from the stored hash alone.
    await this.sessions.create(token.user_id, roles, {
      tokenHash: token.token,
      // The session ends with the token; a token without an expiry keeps it for a century.
      expiresAt: token.expires_at > 0 ? token.expires_at : Date.now() + HUNDRED_YEARS,
      props: { [SESSION_PROP_TYPE]: SESSION_TYPE_USER_ACCESS_TOKEN, user_access_token_id: token.id },
    });
  }

  /**
   * Opens again the sessions of a user's active tokens, which deactivating the user ended: a bot
   * enabled again works with the tokens it had (Mattermost opens a token's session on its next use).
   */
  async reopenSessions(userId: string): Promise<void> {
    const user = await this.users.get(userId);
    for (let page = 0; ; page++) {
      const tokens = await this.repo.forUser(userId, page, 200);
      for (const token of tokens) if (token.is_active && (token.expires_at === 0 || token.expires_at > Date.now())) await this.openSession(token, user.roles);
      if (tokens.length < 200) return;
    }
  }

  async get(actor: Session, tokenId: string): Promise<AccessTokenRow> {
    const token = await this.repo.byId(tokenId);
    if (!token) throw notFound('app.user_access_token.get_by_token.app_error', 'Unable to find the token.');
    await this.requireAccess(actor, token.user_id, 'read_user_access_token');
    return token;
  }

  async list(actor: Session, userId: string | null, page: number, perPage: number): Promise<AccessTokenRow[]> {
    if (userId === null) {
      this.requireEnabled();
      this.permissions.requireSystem(actor, 'manage_system');
      return this.repo.all(page, perPage);
    }
    await this.requireAccess(actor, userId, 'read_user_access_token');
    return this.repo.forUser(userId, page, perPage);
  }

  async revoke(actor: Session, tokenId: string): Promise<void> {
    const token = await this.getForChange(actor, tokenId);
    await this.sessions.revokeForAccessToken(token.id);
    await this.repo.delete(token.id);
  }

  async setActive(actor: Session, tokenId: string, active: boolean): Promise<void> {
    const token = await this.getForChange(actor, tokenId);
    if (token.is_active === active) return;
    await this.repo.setActive(token.id, active);
    if (active) await this.openSession(token, (await this.users.get(token.user_id)).roles);
    else await this.sessions.revokeForAccessToken(token.id);
  }

  private async getForChange(actor: Session, tokenId: string): Promise<AccessTokenRow> {
    const token = await this.repo.byId(tokenId);
    if (!token) throw notFound('app.user_access_token.get_by_token.app_error', 'Unable to find the token.');
    await this.requireAccess(actor, token.user_id, 'revoke_user_access_token');
    return token;
  }
}

/** The wire shape of a token outside its creation response: never the secret. */
export function tokenView(t: AccessTokenRow, withSecret = false) {
  return {
    id: t.id,
    token: withSecret ? t.token : undefined,
    user_id: t.user_id,
    description: t.description,
    is_active: t.is_active,
    ...(t.expires_at ? { expires_at: t.expires_at } : {}),
  };
}
