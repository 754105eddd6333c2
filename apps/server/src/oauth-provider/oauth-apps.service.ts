import { Injectable } from '@nestjs/common';
import { AppError, forbidden, invalidParam, newId, notFound, permissionDenied } from '#common';
import { ConfigService } from '#config';
import type { Session } from '../common/session.js';
import { PermissionsService } from '../auth/permissions.service.js';
import { SessionsService } from '../auth/sessions.service.js';
import { PreferencesRepository } from '../preferences/preferences.repository.js';
import { OAuthAppInput, OAuthAppRow, oauthAppView, validateOAuthApp } from './oauth-app.model.js';
import { AUTHORIZED_OAUTH_APP, OAuthAppsRepository } from './oauth-apps.repository.js';
import { OAuthAccessRepository, OAuthCodesRepository } from './oauth-grants.repository.js';

export type OAuthAppView = ReturnType<typeof oauthAppView>;

/** ServiceSettings.EnableOAuthServiceProvider off: every app and grant operation answers 501. */
export function providerDisabled(id = 'api.oauth.allow_oauth.turn_off.app_error'): AppError {
  return new AppError('', id, 'The system admin has turned off OAuth service providing.', 501);
}

/**
 * OAuth apps (Mattermost's api4/oauth.go and app/oauth.go): registering and managing the
 * third-party applications that sign users in through this server, and the grants users gave them.
 * manage_oauth lets a user manage the apps they created, manage_system_wide_oauth anyone's; only
 * system admins mark an app trusted (no consent step). An app's secret is shown to its creator and
 * to system admins; anyone else allowed to see the app gets it blank.
 */
@Injectable()
export class OAuthAppsService {
  constructor(
    private readonly apps: OAuthAppsRepository,
    private readonly codes: OAuthCodesRepository,
    private readonly grants: OAuthAccessRepository,
    private readonly preferences: PreferencesRepository,
    private readonly sessions: SessionsService,
    private readonly permissions: PermissionsService,
    private readonly config: ConfigService,
  ) {}

  requireEnabled(id?: string): void {
    if (!this.config.get().ServiceSettings.EnableOAuthServiceProvider) throw providerDisabled(id);
  }

  /** The app as `viewer` may see it: the secret for its creator and system admins only. */
  view(app: OAuthAppRow, viewer: Session): OAuthAppView {
    return oauthAppView(app, app.creator_id === viewer.user_id || this.permissions.hasSystem(viewer, 'manage_system'));
  }

  /** The app, or 404 (GetOAuthApp); 501 while the provider is off. */
  async get(appId: string): Promise<OAuthAppRow> {
    this.requireEnabled();
    const app = await this.apps.get(appId);
    if (!app) throw notFound('app.oauth.get_app.find.app_error', 'Unable to find the OAuth app.', `app_id=${appId}`);
    return app;
  }

  /** POST /oauth/apps: manage_oauth; the caller is the creator; is_trusted only from system admins. */
  async create(actor: Session, input: OAuthAppInput): Promise<OAuthAppView> {
    this.permissions.requireSystem(actor, 'manage_oauth');
    this.requireEnabled('api.oauth.register_oauth_app.turn_off.app_error');
    const now = Date.now();
    const app: OAuthAppRow = {
      ...input,
      is_trusted: this.permissions.hasSystem(actor, 'manage_system') ? input.is_trusted : false,
      id: newId(),
      creator_id: actor.user_id,
      create_at: now,
      update_at: now,
      client_secret: newId(),
    };
    validateOAuthApp(app);
    await this.apps.insert(app);
    return this.view(app, actor);
  }

  /** An app the caller may manage: manage_oauth, and its creator or manage_system_wide_oauth. */
  private async manageable(actor: Session, appId: string): Promise<OAuthAppRow> {
    this.permissions.requireSystem(actor, 'manage_oauth');
    const app = await this.get(appId);
    if (app.creator_id !== actor.user_id) this.permissions.requireSystem(actor, 'manage_system_wide_oauth');
    return app;
  }

  /**
   * PUT /oauth/apps/{id}: the body's id must be the URL's; id, creator, creation time and secret
   * stay; is_trusted stays unless a system admin changes it.
   */
  async update(actor: Session, appId: string, bodyId: string | undefined, input: OAuthAppInput): Promise<OAuthAppView> {
    this.permissions.requireSystem(actor, 'manage_oauth');
    if (bodyId !== appId) throw invalidParam('app_id');
    const old = await this.manageable(actor, appId);
    const next: OAuthAppRow = {
      ...old,
      ...input,
      is_trusted: this.permissions.hasSystem(actor, 'manage_system') ? input.is_trusted : old.is_trusted,
      update_at: Date.now(),
    };
    validateOAuthApp(next);
    await this.apps.update(next);
    return this.view(next, actor);
  }

  /**
   * GET /oauth/apps: needs manage_oauth (403 api.command.admin_only.app_error); every app with
   * manage_system_wide_oauth, one's own otherwise.
   */
  async list(actor: Session, page: number, perPage: number): Promise<OAuthAppView[]> {
    if (!this.permissions.hasSystem(actor, 'manage_oauth')) {
      throw forbidden('api.command.admin_only.app_error', 'Integrations have been limited to admins only.');
    }
    this.requireEnabled();
    const all = this.permissions.hasSystem(actor, 'manage_system_wide_oauth');
    return (await this.apps.list(all ? undefined : actor.user_id, page, perPage)).map((a) => this.view(a, actor));
  }

  async getOne(actor: Session, appId: string): Promise<OAuthAppView> {
    return this.view(await this.manageable(actor, appId), actor);
  }

  /** GET /oauth/apps/{id}/info: any signed-in user, never the secret (what a consent page shows). */
  async info(appId: string): Promise<OAuthAppView> {
    return oauthAppView(await this.get(appId), false);
  }

  /**
   * DELETE /oauth/apps/{id}: the app goes with everything it was given: its access tokens'
   * sessions end, its grants and codes go, and the users' consents with them.
   */
  async delete(actor: Session, appId: string): Promise<void> {
    const app = await this.manageable(actor, appId);
    await this.apps.delete(app.id);
    await this.revokeGrants(app.id);
  }

  /** POST /oauth/apps/{id}/regen_secret: a new secret; the old one no longer opens the token endpoint. */
  async regenerateSecret(actor: Session, appId: string): Promise<OAuthAppView> {
    const app = await this.manageable(actor, appId);
    const next = { ...app, client_secret: newId(), update_at: Date.now() };
    await this.apps.update(next);
    return this.view(next, actor);
  }

  /** GET /users/{id}/oauth/apps/authorized: oneself or edit_other_users; the apps without secrets. */
  async authorizedApps(actor: Session, userId: string, page: number, perPage: number): Promise<OAuthAppView[]> {
    if (actor.user_id !== userId && !this.permissions.hasSystem(actor, 'edit_other_users')) throw permissionDenied('edit_other_users');
    this.requireEnabled();
    return (await this.apps.authorizedBy(userId, page, perPage)).map((a) => oauthAppView(a, false));
  }

  /**
   * POST /oauth/deauthorize (App.DeauthorizeOAuthAppForUser): the caller's access tokens for the
   * app stop working, its unredeemed codes go, and the next authorization asks for consent again.
   */
  async deauthorize(actor: Session, clientId: string): Promise<void> {
    this.requireEnabled();
    await this.revokeGrants(clientId, actor.user_id);
  }

  /** A user's (or, `userId` undefined, every user's) grants to an app, their sessions and consents. */
  private async revokeGrants(clientId: string, userId?: string): Promise<void> {
    await this.sessions.revokeByTokenHashes(await this.grants.deleteFor(clientId, userId));
    await this.codes.deleteFor(clientId, userId);
    if (userId === undefined) await this.preferences.deleteEveryones(AUTHORIZED_OAUTH_APP, clientId);
    else await this.preferences.delete(userId, [{ category: AUTHORIZED_OAUTH_APP, name: clientId }]);
  }
}
