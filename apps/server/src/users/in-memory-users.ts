import type { UserRow } from './user.model.js';
import type { UserKeys, UsersRepository } from './users.repository.js';

type Methods =
  | 'byId'
  | 'byEmail'
  | 'byLogin'
  | 'byAuth'
  | 'takenUsernames'
  | 'any'
  | 'insertSerialised'
  | 'updateChecked'
  | 'setAuth'
  | 'incrementFailedAttempts'
  | 'resetFailedAttempts'
  | 'mfaSecret'
  | 'setPendingMfaSecret'
  | 'activateMfa'
  | 'deactivateMfa';

/**
 * The users table in memory with the repository's answers, for specs of the sign-in services
 * (external accounts, MFA, switching): rows copied in and out, the unique (auth_service, auth_data)
 * index enforced, and users.mfa_secret kept beside the rows as the table keeps it beside UserRow.
 */
export class MemoryUsers implements Pick<UsersRepository, Methods> {
  readonly rows = new Map<string, UserRow>();
  readonly mfaSecrets = new Map<string, string>();

  add(row: UserRow): UserRow {
    this.rows.set(row.id, structuredClone(row));
    return row;
  }

  /** The stored row, to inspect or age in place. */
  row(id: string): UserRow {
    const found = this.rows.get(id);
    if (!found) throw new Error(`no user ${id}`);
    return found;
  }

  async byId(id: string) {
    return this.copy(this.rows.get(id));
  }
  async byEmail(email: string) {
    return this.find((u) => u.email === email.toLowerCase());
  }
  async byLogin(loginId: string) {
    const id = loginId.toLowerCase();
    return this.find((u) => u.username === id || u.email === id);
  }
  async byAuth(service: string, authData: string) {
    return this.find((u) => u.auth_service === service && u.auth_data === authData);
  }
  async takenUsernames(usernames: string[]) {
    return new Set(usernames.filter((name) => [...this.rows.values()].some((u) => u.username === name)));
  }
  async any() {
    return this.rows.size > 0;
  }
  async insertSerialised(u: UserRow, decide: (clashes: UserKeys[], first: boolean) => void) {
    decide(this.clashes(u), this.rows.size === 0);
    this.checkAuthUnique(u.id, u.auth_service, u.auth_data);
    this.rows.set(u.id, structuredClone(u));
  }
  async updateChecked(u: UserRow, check: (clashes: UserKeys[]) => void) {
    check(this.clashes(u));
    this.rows.set(u.id, { ...this.row(u.id), ...structuredClone(u) });
  }
  async setAuth(id: string, auth: { service: string; authData: string | null; passwordHash: string }, now: number) {
    this.checkAuthUnique(id, auth.service, auth.authData);
    const u = this.rows.get(id);
    if (u) Object.assign(u, { auth_service: auth.service, auth_data: auth.authData, password: auth.passwordHash, last_password_update: now, update_at: now });
  }
  async incrementFailedAttempts(id: string) {
    const u = this.rows.get(id);
    if (u) u.failed_attempts++;
  }
  async resetFailedAttempts(id: string) {
    const u = this.rows.get(id);
    if (u) u.failed_attempts = 0;
  }
  async mfaSecret(id: string) {
    return this.mfaSecrets.get(id) ?? '';
  }
  async setPendingMfaSecret(id: string, sealed: string, now: number) {
    this.mfaSecrets.set(id, sealed);
    Object.assign(this.row(id), { mfa_active: false, update_at: now });
  }
  async activateMfa(id: string, sealed: string, now: number) {
    if (!sealed || this.mfaSecrets.get(id) !== sealed) return false;
    Object.assign(this.row(id), { mfa_active: true, update_at: now });
    return true;
  }
  async deactivateMfa(id: string, now: number) {
    this.mfaSecrets.set(id, '');
    Object.assign(this.row(id), { mfa_active: false, update_at: now });
  }

  private find(pred: (u: UserRow) => boolean) {
    return this.copy([...this.rows.values()].find(pred));
  }
  private copy(u: UserRow | undefined) {
    return u ? structuredClone(u) : undefined;
  }
  private clashes(u: UserKeys): UserKeys[] {
    return [...this.rows.values()].filter((r) => r.id !== u.id && (r.username === u.username || r.email === u.email));
  }
  private checkAuthUnique(id: string, service: string, authData: string | null) {
    if (!authData) return;
    if ([...this.rows.values()].some((r) => r.id !== id && r.auth_service === service && r.auth_data === authData)) {
      throw Object.assign(new Error('duplicate key value violates unique constraint "users_auth"'), { code: '23505' });
    }
  }
}
