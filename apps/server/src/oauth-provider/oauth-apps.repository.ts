import { Injectable } from '@nestjs/common';
import { Database } from '#db';
import { OAuthAppRow } from './oauth-app.model.js';

/** The preference category that records a user's consent to an app (model.PreferenceCategoryAuthorizedOAuthApp). */
export const AUTHORIZED_OAUTH_APP = 'oauth_app';

const COLUMNS = 'id, creator_id, create_at, update_at, client_secret, name, description, icon_url, callback_urls, homepage, is_trusted, mattermost_app_id';

/** The oauth_apps table. */
@Injectable()
export class OAuthAppsRepository {
  constructor(private readonly db: Database) {}

  async insert(a: OAuthAppRow): Promise<void> {
    await this.db.query(`INSERT INTO oauth_apps (${COLUMNS}) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12)`, [
      a.id,
      a.creator_id,
      a.create_at,
      a.update_at,
      a.client_secret,
      a.name,
      a.description,
      a.icon_url,
      a.callback_urls,
      a.homepage,
      a.is_trusted,
      a.mattermost_app_id,
    ]);
  }

  async update(a: OAuthAppRow): Promise<void> {
    await this.db.query(
      `UPDATE oauth_apps SET update_at = $2, client_secret = $3, name = $4, description = $5, icon_url = $6, callback_urls = $7,
         homepage = $8, is_trusted = $9, mattermost_app_id = $10 WHERE id = $1`,
      [a.id, a.update_at, a.client_secret, a.name, a.description, a.icon_url, a.callback_urls, a.homepage, a.is_trusted, a.mattermost_app_id],
    );
  }

  async get(id: string): Promise<OAuthAppRow | undefined> {
    return (await this.db.query<OAuthAppRow>(`SELECT ${COLUMNS} FROM oauth_apps WHERE id = $1`, [id]))[0];
  }

  /** All apps, or one creator's (Store.OAuth().GetApps / GetAppByUser), oldest first. */
  list(creatorId: string | undefined, page: number, perPage: number): Promise<OAuthAppRow[]> {
    return creatorId === undefined
      ? this.db.query<OAuthAppRow>(`SELECT ${COLUMNS} FROM oauth_apps ORDER BY create_at, id LIMIT $1 OFFSET $2`, [perPage, page * perPage])
      : this.db.query<OAuthAppRow>(`SELECT ${COLUMNS} FROM oauth_apps WHERE creator_id = $1 ORDER BY create_at, id LIMIT $2 OFFSET $3`, [
          creatorId,
          perPage,
          page * perPage,
        ]);
  }

  /** The apps `userId` has authorised: those named by the user's `oauth_app` preferences (Store.OAuth().GetAuthorizedApps). */
  authorizedBy(userId: string, page: number, perPage: number): Promise<OAuthAppRow[]> {
    return this.db.query<OAuthAppRow>(
      `SELECT ${COLUMNS.split(', ')
        .map((c) => `o.${c}`)
        .join(', ')} FROM oauth_apps o JOIN preferences p ON p.name = o.id
        WHERE p.user_id = $1 AND p.category = $2 ORDER BY o.name, o.id LIMIT $3 OFFSET $4`,
      [userId, AUTHORIZED_OAUTH_APP, perPage, page * perPage],
    );
  }

  /** Deletes the app; its grants and consents are the callers' (OAuthProviderService.deleteApp). */
  async delete(id: string): Promise<void> {
    await this.db.query('DELETE FROM oauth_apps WHERE id = $1', [id]);
  }
}
