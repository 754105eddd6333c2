import type { AccessDataRow, AuthCodeRow } from './authorize.model.js';
import type { OAuthAppRow } from './oauth-app.model.js';
import type { OAuthAppsRepository } from './oauth-apps.repository.js';
import type { OAuthAccessRepository, OAuthCodesRepository } from './oauth-grants.repository.js';

/** The oauth_apps table in memory, for specs (authorized apps: the consents given to `consents`). */
export class MemoryOAuthApps implements Pick<OAuthAppsRepository, 'insert' | 'update' | 'get' | 'list' | 'authorizedBy' | 'delete'> {
  readonly rows = new Map<string, OAuthAppRow>();
  /** user id → client ids, standing in for the `oauth_app` preferences the real query joins. */
  readonly consents = new Map<string, Set<string>>();

  async insert(a: OAuthAppRow) {
    this.rows.set(a.id, structuredClone(a));
  }
  async update(a: OAuthAppRow) {
    if (this.rows.has(a.id)) this.rows.set(a.id, structuredClone(a));
  }
  async get(id: string) {
    const a = this.rows.get(id);
    return a && structuredClone(a);
  }
  async list(creatorId: string | undefined, page: number, perPage: number) {
    return [...this.rows.values()].filter((a) => creatorId === undefined || a.creator_id === creatorId).slice(page * perPage, (page + 1) * perPage);
  }
  async authorizedBy(userId: string, page: number, perPage: number) {
    const ids = this.consents.get(userId) ?? new Set();
    return [...this.rows.values()].filter((a) => ids.has(a.id)).slice(page * perPage, (page + 1) * perPage);
  }
  async delete(id: string) {
    this.rows.delete(id);
  }
}

export class MemoryOAuthCodes implements Pick<OAuthCodesRepository, 'insert' | 'take' | 'deleteFor'> {
  readonly rows = new Map<string, AuthCodeRow>();
  async insert(c: AuthCodeRow) {
    this.rows.set(c.code, { ...c });
  }
  async take(codeHash: string) {
    const c = this.rows.get(codeHash);
    this.rows.delete(codeHash);
    return c;
  }
  async deleteFor(clientId: string, userId?: string) {
    for (const [k, c] of this.rows) if (c.client_id === clientId && (userId === undefined || c.user_id === userId)) this.rows.delete(k);
  }
}

export class MemoryOAuthAccess implements Pick<OAuthAccessRepository, 'insert' | 'byRefreshToken' | 'rotate' | 'deleteFor'> {
  readonly rows = new Map<string, AccessDataRow>();
  async insert(a: AccessDataRow) {
    this.rows.set(a.token, { ...a });
  }
  async byRefreshToken(refreshHash: string) {
    return [...this.rows.values()].find((a) => a.refresh_token === refreshHash);
  }
  async rotate(refreshHash: string, next: Pick<AccessDataRow, 'token' | 'refresh_token' | 'expires_at'>) {
    const found = await this.byRefreshToken(refreshHash);
    if (!found) return false;
    this.rows.delete(found.token);
    this.rows.set(next.token, { ...found, ...next });
    return true;
  }
  async deleteFor(clientId: string, userId?: string) {
    const gone = [...this.rows.values()].filter((a) => a.client_id === clientId && (userId === undefined || a.user_id === userId));
    for (const a of gone) this.rows.delete(a.token);
    return gone.map((a) => a.token);
  }
}
