import { Injectable } from '@nestjs/common';
import { Database } from '#db';
import { AccessDataRow, AuthCodeRow } from './authorize.model.js';

const CODE_COLUMNS = 'code, client_id, user_id, expires_in, create_at, redirect_uri, state, scope, code_challenge, code_challenge_method';
const ACCESS_COLUMNS = 'token, refresh_token, client_id, user_id, redirect_uri, expires_at, scope';

/** Authorization codes waiting to be redeemed (oauth_auth_data). */
@Injectable()
export class OAuthCodesRepository {
  constructor(private readonly db: Database) {}

  async insert(c: AuthCodeRow): Promise<void> {
    await this.db.query(`INSERT INTO oauth_auth_data (${CODE_COLUMNS}) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10)`, [
      c.code,
      c.client_id,
      c.user_id,
      c.expires_in,
      c.create_at,
      c.redirect_uri,
      c.state,
      c.scope,
      c.code_challenge,
      c.code_challenge_method,
    ]);
  }

  /**
   * Takes the code out in the statement that reads it, so that of two requests redeeming one code
   * only one gets it: a code works once, whatever happens next.
   */
  async take(codeHash: string): Promise<AuthCodeRow | undefined> {
    return (await this.db.query<AuthCodeRow>(`DELETE FROM oauth_auth_data WHERE code = $1 RETURNING ${CODE_COLUMNS}`, [codeHash]))[0];
  }

  /** A user's codes for an app (deauthorizing), or every user's (the app deleted) when `userId` is undefined. */
  async deleteFor(clientId: string, userId?: string): Promise<void> {
    if (userId === undefined) await this.db.query('DELETE FROM oauth_auth_data WHERE client_id = $1', [clientId]);
    else await this.db.query('DELETE FROM oauth_auth_data WHERE client_id = $1 AND user_id = $2', [clientId, userId]);
  }
}

/** Token grants (oauth_access_data): one row per access token an app holds, with its refresh token. */
@Injectable()
export class OAuthAccessRepository {
  constructor(private readonly db: Database) {}

  async insert(a: AccessDataRow): Promise<void> {
    await this.db.query(`INSERT INTO oauth_access_data (${ACCESS_COLUMNS}) VALUES ($1,$2,$3,$4,$5,$6,$7)`, [
      a.token,
      a.refresh_token,
      a.client_id,
      a.user_id,
      a.redirect_uri,
      a.expires_at,
      a.scope,
    ]);
  }

  async byRefreshToken(refreshHash: string): Promise<AccessDataRow | undefined> {
    return (await this.db.query<AccessDataRow>(`SELECT ${ACCESS_COLUMNS} FROM oauth_access_data WHERE refresh_token = $1`, [refreshHash]))[0];
  }

  /**
   * Moves a grant to a new access and refresh token, only while it still holds `refreshHash`: of
   * two refreshes with one refresh token only one succeeds. False when the grant moved on or went.
   */
  async rotate(refreshHash: string, next: Pick<AccessDataRow, 'token' | 'refresh_token' | 'expires_at'>): Promise<boolean> {
    const rows = await this.db.query('UPDATE oauth_access_data SET token = $2, refresh_token = $3, expires_at = $4 WHERE refresh_token = $1 RETURNING token', [
      refreshHash,
      next.token,
      next.refresh_token,
      next.expires_at,
    ]);
    return rows.length === 1;
  }

  /** Deletes a user's grants for an app, or every user's when `userId` is undefined; their access tokens' digests. */
  async deleteFor(clientId: string, userId?: string): Promise<string[]> {
    const rows =
      userId === undefined
        ? await this.db.query<{ token: string }>('DELETE FROM oauth_access_data WHERE client_id = $1 RETURNING token', [clientId])
        : await this.db.query<{ token: string }>('DELETE FROM oauth_access_data WHERE client_id = $1 AND user_id = $2 RETURNING token', [clientId, userId]);
    return rows.map((r) => r.token);
  }
}
