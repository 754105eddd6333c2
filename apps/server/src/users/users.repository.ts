import { Injectable, Optional } from '@nestjs/common';
import { Caches, ReadThroughCache } from '#common';
import { Database, Queryable } from '#db';
import { InvalidationBus } from '#realtime';
import { cachedRows, tellCommitted } from '../common/cached-rows.js';
import { UserRow } from './user.model.js';

export interface UserListFilter {
  inTeam?: string;
  notInTeam?: string;
  inChannel?: string;
  notInChannel?: string;
  withoutTeam?: boolean;
  active?: boolean;
  inactive?: boolean;
  role?: string;
  term?: string;
  /** Which hidden fields `term` may match; username and nickname always match (see TermFields). */
  termFields?: TermFields;
  /** Restrict to these ids (search within a set). */
  ids?: string[];
  sort?: 'username' | 'create_at' | 'last_activity_at';
}

/**
 * The fields a search term may match besides username and nickname, which everyone sees. Only a
 * field the viewer may see is matched, or the answer would tell a hidden email or name by what it
 * finds (Mattermost's UserSearchOptions AllowEmails / AllowFullNames choose the searched columns).
 */
export interface TermFields {
  emails: boolean;
  fullNames: boolean;
}

/** The keys that must be unique among users. */
export type UserKeys = Pick<UserRow, 'id' | 'username' | 'email'>;

const COLUMNS = `id, create_at, update_at, delete_at, username, password, auth_data, auth_service, email, email_verified,
  nickname, first_name, last_name, position, roles, locale, notify_props, props, timezone, last_password_update,
  last_picture_update, failed_attempts, mfa_active, is_bot`;

/**
 * What a read returns: the columns, and a bot's description and icon time from its bots row
 * (Mattermost's user queries join Bots for bot_description and bot_last_icon_update), looked up
 * for bots only.
 */
const BOT_DESCRIPTION = (alias: string) =>
  `CASE WHEN ${alias}.is_bot THEN (SELECT b.description FROM bots b WHERE b.user_id = ${alias}.id) END AS bot_description,
   CASE WHEN ${alias}.is_bot THEN (SELECT b.last_icon_update FROM bots b WHERE b.user_id = ${alias}.id) END AS bot_last_icon_update`;
const SELECT = `${COLUMNS}, ${BOT_DESCRIPTION('users')}`;
const SELECT_U = `${COLUMNS.replace(/(\w+)/g, 'u.$1')}, ${BOT_DESCRIPTION('u')}`;

/** The columns a term is matched against: without `fields`, only the ones every viewer sees. */
export function termColumns(fields: TermFields | undefined): string[] {
  const columns = ['username', 'nickname'];
  if (fields?.fullNames) columns.push('first_name', 'last_name');
  if (fields?.emails) columns.push('email');
  return columns;
}

/** Builds `WHERE` conditions and their parameters for the user list and search endpoints. */
function whereFor(f: UserListFilter, params: unknown[]): string {
  const conds: string[] = [];
  const add = (value: unknown) => {
    params.push(value);
    return `$${params.length}`;
  };
  if (f.inTeam) conds.push(`EXISTS (SELECT 1 FROM team_members tm WHERE tm.user_id = u.id AND tm.team_id = ${add(f.inTeam)} AND tm.delete_at = 0)`);
  if (f.notInTeam) conds.push(`NOT EXISTS (SELECT 1 FROM team_members tm WHERE tm.user_id = u.id AND tm.team_id = ${add(f.notInTeam)} AND tm.delete_at = 0)`);
  if (f.withoutTeam) conds.push(`NOT EXISTS (SELECT 1 FROM team_members tm WHERE tm.user_id = u.id AND tm.delete_at = 0)`);
  if (f.inChannel) conds.push(`EXISTS (SELECT 1 FROM channel_members cm WHERE cm.user_id = u.id AND cm.channel_id = ${add(f.inChannel)})`);
  if (f.notInChannel) conds.push(`NOT EXISTS (SELECT 1 FROM channel_members cm WHERE cm.user_id = u.id AND cm.channel_id = ${add(f.notInChannel)})`);
  if (f.active) conds.push('u.delete_at = 0');
  if (f.inactive) conds.push('u.delete_at > 0');
  if (f.role) conds.push(`(' ' || u.roles || ' ') LIKE ${add(`% ${f.role} %`)}`);
  if (f.ids) conds.push(`u.id = ANY(${add(f.ids)})`);
  if (f.term) {
    const like = add(
      `${f.term
        .toLowerCase()
        .replace(/^@/, '')
        .replace(/[\\%_]/g, (c) => '\\' + c)}%`,
    );
    conds.push(
      `(${termColumns(f.termFields)
        .map((c) => `lower(u.${c}) LIKE ${like}`)
        .join(' OR ')})`,
    );
  }
  return conds.length ? `WHERE ${conds.join(' AND ')}` : '';
}

/** Mattermost's user profile cache: its size and expiry (UserProfileByIdCacheSize, 30 minutes). */
const CACHED_USERS = 20_000;
const CACHED_USER_TTL_MS = 30 * 60_000;

/** A cached row's JSON fields are frozen: readers get a copy of the top level only (cachedRows). */
function frozen(u: UserRow): UserRow {
  Object.freeze(u.notify_props);
  Object.freeze(u.props);
  Object.freeze(u.timezone);
  return u;
}

/** Key of the advisory lock that sign-ups take in turn (the keys 7_340_861 and 7_340_862 are the migrations' and the config's). */
const SIGN_UP_LOCK_KEY = 7_340_863;

const byUsername = (a: UserRow, b: UserRow) => (a.username < b.username ? -1 : a.username > b.username ? 1 : 0);

/**
 * The users table. On a server node, rows read by id are cached (Mattermost's user profile cache:
 * GET /users/{id}, its picture, POST /users/ids, every service that loads a user): every write
 * here tells the invalidation bus (kind 'profile'), after its commit, so every node's cache drops
 * the row; 'user' (roles, activation: the services' own emit) and 'all' drop it too. Without a
 * bus (the jobs CLI, the import writer, whose job tells the bus itself) nothing is cached.
 */
@Injectable()
export class UsersRepository {
  private readonly cache?: ReadThroughCache<UserRow>;

  constructor(
    private readonly db: Database,
    @Optional() private readonly invalidation?: InvalidationBus,
    @Optional() caches?: Caches,
  ) {
    this.cache = cachedRows(invalidation, caches, {
      name: 'UserProfileByIds',
      maxEntries: CACHED_USERS,
      ttlMs: CACHED_USER_TTL_MS,
      dropOn: ['profile', 'user'],
      // From the master, never a replica: a lagging replica would refill the cache with the row
      // as it was before the change that just invalidated it.
      load: async (ids) => new Map((await this.db.query<UserRow>(`SELECT ${SELECT} FROM users WHERE id = ANY($1)`, [ids])).map((u) => [u.id, frozen(u)])),
    });
  }

  /** Every node forgets the cached row once what `tx` wrote is committed. */
  private changed(id: string, tx: Queryable = this.db): void {
    tellCommitted(this.invalidation, 'profile', id, tx);
  }

  /** Users by id from the cache (loading the ones it lacks), changed since `since`, by username. */
  private async cachedByIds(cache: ReadThroughCache<UserRow>, ids: string[], since: number): Promise<UserRow[]> {
    const rows = [...(await cache.getMany(ids)).values()];
    return (since > 0 ? rows.filter((u) => u.update_at > since) : rows).sort(byUsername);
  }

  async insert(u: UserRow, tx: Queryable = this.db): Promise<void> {
    await tx.query(`INSERT INTO users (${COLUMNS}) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20,$21,$22,$23,$24)`, [
      u.id,
      u.create_at,
      u.update_at,
      u.delete_at,
      u.username,
      u.password,
      u.auth_data,
      u.auth_service,
      u.email,
      u.email_verified,
      u.nickname,
      u.first_name,
      u.last_name,
      u.position,
      u.roles,
      u.locale,
      u.notify_props,
      u.props,
      u.timezone,
      u.last_password_update,
      u.last_picture_update,
      u.failed_attempts,
      u.mfa_active,
      u.is_bot,
    ]);
  }

  /**
   * Inserts a new user while no other sign-up can: `decide` sees the users that already hold its
   * username or email and whether the table is empty (so exactly one sign-up is "the first user"),
   * and may refuse (throw, nothing is written) or adjust the row before it is written.
   *
   * Sign-ups queue on an advisory lock of their own, not on a lock of the table: a table lock
   * that shuts out other sign-ups also shuts out every UPDATE of users (each login's reset of
   * failed_attempts among them), so with people signing up while others sign in, the logins
   * waited behind the sign-ups. The unique username and email columns still hold against a
   * profile edit that races a sign-up, as they did under the table lock.
   */
  async insertSerialised(u: UserRow, decide: (clashes: UserKeys[], first: boolean) => void): Promise<void> {
    await this.db.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock($1)', [SIGN_UP_LOCK_KEY]);
      decide(await this.clashes(u, tx), !(await this.any(tx)));
      await this.insert(u, tx);
    });
  }

  /** Writes an edited user; `check` sees the other users holding its username or email and may refuse (throw). */
  async updateChecked(u: UserRow, check: (clashes: UserKeys[]) => void): Promise<void> {
    await this.db.transaction(async (tx) => {
      check(await this.clashes(u, tx));
      await this.update(u, tx);
    });
  }

  private clashes(u: UserKeys, tx: Queryable): Promise<UserKeys[]> {
    return tx.query<UserKeys>('SELECT id, username, email FROM users WHERE (username = $1 OR email = $2) AND id <> $3', [u.username, u.email, u.id]);
  }

  /** Active people (not deactivated, not bots): Mattermost's ActiveUserCount of the server limits. */
  async countActivePeople(): Promise<number> {
    const rows = await this.db.query<{ n: number }>('SELECT count(*)::int AS n FROM users WHERE delete_at = 0 AND NOT is_bot');
    return rows[0].n;
  }

  /** Whether any account exists (it stops at the first row, where a count reads them all). */
  async any(tx: Queryable = this.db): Promise<boolean> {
    const rows = await tx.query<{ any: boolean }>('SELECT EXISTS (SELECT 1 FROM users) AS any');
    return rows[0].any;
  }

  async byId(id: string): Promise<UserRow | undefined> {
    if (this.cache) return this.cache.get(id);
    return (await this.db.query<UserRow>(`SELECT ${SELECT} FROM users WHERE id = $1`, [id]))[0];
  }

  /** On the master: services check users exist with it before they write (direct and group channels). */
  async byIds(ids: string[], since = 0): Promise<UserRow[]> {
    if (this.cache) return this.cachedByIds(this.cache, ids, since);
    return this.db.query<UserRow>(`SELECT ${SELECT} FROM users WHERE id = ANY($1) AND update_at > $2 ORDER BY username`, [ids, since]);
  }

  /** byIds for the profile lists (POST /users/ids), which may be a little stale: a replica (Mattermost's GetProfileByIds). */
  async profilesByIds(ids: string[], since = 0): Promise<UserRow[]> {
    if (this.cache) return this.cachedByIds(this.cache, ids, since);
    return this.db.replica().query<UserRow>(`SELECT ${SELECT} FROM users WHERE id = ANY($1) AND update_at > $2 ORDER BY username`, [ids, since]);
  }

  async byUsername(username: string): Promise<UserRow | undefined> {
    return (await this.db.query<UserRow>(`SELECT ${SELECT} FROM users WHERE username = $1`, [username.toLowerCase()]))[0];
  }

  async byUsernames(usernames: string[], tx: Queryable = this.db.replica()): Promise<UserRow[]> {
    return tx.query<UserRow>(`SELECT ${SELECT} FROM users WHERE username = ANY($1) ORDER BY username`, [usernames.map((u) => u.toLowerCase())]);
  }

  /** Users by email (the bulk import refuses to give a second user an email already taken). */
  async byEmails(emails: string[], tx: Queryable = this.db): Promise<UserRow[]> {
    if (emails.length === 0) return [];
    return tx.query<UserRow>(`SELECT ${SELECT} FROM users WHERE email = ANY($1)`, [emails.map((e) => e.toLowerCase())]);
  }

  async byEmail(email: string): Promise<UserRow | undefined> {
    return (await this.db.query<UserRow>(`SELECT ${SELECT} FROM users WHERE email = $1`, [email.toLowerCase()]))[0];
  }

  async byLogin(loginId: string): Promise<UserRow | undefined> {
    const id = loginId.toLowerCase();
    return (await this.db.query<UserRow>(`SELECT ${SELECT} FROM users WHERE username = $1 OR email = $1 LIMIT 1`, [id]))[0];
  }

  /** The account an identity provider's subject belongs to (Mattermost's GetUserByAuth). */
  async byAuth(service: string, authData: string): Promise<UserRow | undefined> {
    return (await this.db.query<UserRow>(`SELECT ${SELECT} FROM users WHERE auth_service = $1 AND auth_data = $2`, [service, authData]))[0];
  }

  /** The accounts signing in through `service` (the LDAP sync walks them). */
  async byAuthService(service: string): Promise<UserRow[]> {
    return this.db.query<UserRow>(`SELECT ${SELECT} FROM users WHERE auth_service = $1 ORDER BY id`, [service]);
  }

  /**
   * Mattermost's ResetAuthDataToEmailForUsers: the accounts of `service` (active ones unless
   * `includeDeleted`, all or only `userIds`) take their email as auth_data. Returns the ids of
   * the accounts that change (none are changed on a dry run).
   */
  async resetAuthDataToEmail(service: string, opts: { userIds: string[]; includeDeleted: boolean; dryRun: boolean }, now: number): Promise<string[]> {
    const where = `auth_service = $1 AND auth_data IS DISTINCT FROM email AND ($2 OR delete_at = 0) AND (cardinality($3::text[]) = 0 OR id = ANY($3))`;
    const params = [service, opts.includeDeleted, opts.userIds];
    const rows = opts.dryRun
      ? await this.db.query<{ id: string }>(`SELECT id FROM users WHERE ${where}`, params)
      : await this.db.query<{ id: string }>(`UPDATE users SET auth_data = email, update_at = $4 WHERE ${where} RETURNING id`, [...params, now]);
    if (!opts.dryRun) for (const r of rows) this.changed(r.id);
    return rows.map((r) => r.id);
  }

  /**
   * Moves an account to another sign-in method: to a provider (`service`, `authData`, no
   * password) or back to email (service '', authData null, a new password hash).
   */
  async setAuth(id: string, auth: { service: string; authData: string | null; passwordHash: string }, now: number): Promise<void> {
    await this.db.query('UPDATE users SET auth_service = $2, auth_data = $3, password = $4, last_password_update = $5, update_at = $5 WHERE id = $1', [
      id,
      auth.service,
      auth.authData,
      auth.passwordHash,
      now,
    ]);
    this.changed(id);
  }

  /** Which of `usernames` are taken. */
  async takenUsernames(usernames: string[]): Promise<Set<string>> {
    const rows = await this.db.query<{ username: string }>('SELECT username FROM users WHERE username = ANY($1)', [usernames]);
    return new Set(rows.map((r) => r.username));
  }

  async list(filter: UserListFilter, page: number, perPage: number): Promise<UserRow[]> {
    const params: unknown[] = [];
    const where = whereFor(filter, params);
    const order = filter.sort === 'create_at' ? 'u.create_at DESC, u.id' : 'u.username';
    params.push(perPage, page * perPage);
    // A term makes it a search (Mattermost's UserStore.Search reads the search replicas).
    const reader = filter.term ? this.db.search() : this.db.replica();
    return reader.query<UserRow>(`SELECT ${SELECT_U} FROM users u ${where} ORDER BY ${order} LIMIT $${params.length - 1} OFFSET $${params.length}`, params);
  }

  /**
   * Ids of the users who share any channel (direct and group messages included) with `userId`,
   * never the user itself (Store.User().GetKnownUsers).
   */
  async knownUserIds(userId: string): Promise<string[]> {
    const rows = await this.db.replica().query<{ user_id: string }>(
      `SELECT DISTINCT other.user_id FROM channel_members mine
         JOIN channel_members other ON other.channel_id = mine.channel_id
        WHERE mine.user_id = $1 AND other.user_id <> $1`,
      [userId],
    );
    return rows.map((r) => r.user_id);
  }

  /**
   * The other members of those of `channelIds` that are group messages `userId` belongs to, by
   * channel, ordered by username (Store.User().GetProfileByGroupChannelIdsForUser).
   */
  async inGroupChannelsOf(userId: string, channelIds: string[]): Promise<Array<UserRow & { channel_id: string }>> {
    return this.db.replica().query<UserRow & { channel_id: string }>(
      `SELECT ${SELECT_U}, cm.channel_id FROM users u
         JOIN channel_members cm ON cm.user_id = u.id
         JOIN channels c ON c.id = cm.channel_id
        WHERE c.type = 'G' AND cm.channel_id = ANY($2) AND u.id <> $1
          AND EXISTS (SELECT 1 FROM channel_members me WHERE me.user_id = $1 AND me.channel_id = cm.channel_id)
        ORDER BY u.username`,
      [userId, channelIds],
    );
  }

  /**
   * Active accounts, bots included (Store.User().Count with IncludeBotAccounts). With `visibleTo`,
   * only those the viewer may see: members of the given teams, or of any channel the viewer is in
   * (Mattermost's ViewUsersRestrictions).
   */
  async countActive(visibleTo?: { viewerId: string; teamIds: string[] }): Promise<number> {
    if (!visibleTo) return (await this.db.replica().query<{ n: number }>('SELECT count(*)::int AS n FROM users WHERE delete_at = 0'))[0].n;
    const rows = await this.db.replica().query<{ n: number }>(
      `SELECT count(*)::int AS n FROM users u WHERE u.delete_at = 0 AND (
         EXISTS (SELECT 1 FROM team_members tm WHERE tm.user_id = u.id AND tm.delete_at = 0 AND tm.team_id = ANY($2))
         OR EXISTS (SELECT 1 FROM channel_members cm JOIN channel_members mine ON mine.channel_id = cm.channel_id
                     WHERE cm.user_id = u.id AND mine.user_id = $1))`,
      [visibleTo.viewerId, visibleTo.teamIds],
    );
    return rows[0].n;
  }

  async update(u: UserRow, tx: Queryable = this.db): Promise<void> {
    await tx.query(
      `UPDATE users SET update_at=$2, delete_at=$3, username=$4, email=$5, email_verified=$6, nickname=$7, first_name=$8,
        last_name=$9, position=$10, roles=$11, locale=$12, notify_props=$13, props=$14, timezone=$15 WHERE id=$1`,
      [
        u.id,
        u.update_at,
        u.delete_at,
        u.username,
        u.email,
        u.email_verified,
        u.nickname,
        u.first_name,
        u.last_name,
        u.position,
        u.roles,
        u.locale,
        u.notify_props,
        u.props,
        u.timezone,
      ],
    );
    this.changed(u.id, tx);
  }

  /**
   * Sets one prop in the statement itself, so a concurrent profile edit keeps its own changes;
   * the updated row, or undefined when there is no such user.
   */
  async setProp(id: string, key: string, value: string, now: number): Promise<UserRow | undefined> {
    const rows = await this.db.query<UserRow>(
      `UPDATE users SET props = props || jsonb_build_object($2::text, $3::text), update_at = $4 WHERE id = $1 RETURNING ${SELECT}`,
      [id, key, value, now],
    );
    this.changed(id);
    return rows[0];
  }

  /** last_picture_update (negative when reset to the default, as Mattermost's ResetLastPictureUpdate); the updated row. */
  async setLastPictureUpdate(id: string, value: number, now: number): Promise<UserRow | undefined> {
    const rows = await this.db.query<UserRow>(`UPDATE users SET last_picture_update = $2, update_at = $3 WHERE id = $1 RETURNING ${SELECT}`, [id, value, now]);
    this.changed(id);
    return rows[0];
  }

  /**
   * Marks the address verified and makes it the account's (a changed address replaces the old one
   * only now). Undefined when there is no such user, or another account took the address meanwhile.
   */
  async verifyEmail(id: string, email: string, now: number): Promise<UserRow | undefined> {
    const rows = await this.db.query<UserRow>(
      `UPDATE users SET email = $2, email_verified = true, update_at = $3
        WHERE id = $1 AND NOT EXISTS (SELECT 1 FROM users o WHERE o.email = $2 AND o.id <> $1)
        RETURNING ${COLUMNS}`,
      [id, email.toLowerCase(), now],
    );
    this.changed(id);
    return rows[0];
  }

  async setPassword(id: string, hash: string, now: number): Promise<void> {
    await this.db.query('UPDATE users SET password=$2, last_password_update=$3, update_at=$3, failed_attempts=0 WHERE id=$1', [id, hash, now]);
    this.changed(id);
  }

  /**
   * One more failed password, counted by the statement itself: concurrent failures each add one
   * (a read, +1, write lost all but a few of them). An id that matches no row changes nothing.
   */
  async incrementFailedAttempts(id: string): Promise<void> {
    await this.db.query('UPDATE users SET failed_attempts = failed_attempts + 1 WHERE id = $1', [id]);
    this.changed(id);
  }

  /** A right password clears the count (Mattermost's UpdateFailedPasswordAttempts(id, 0)). */
  async resetFailedAttempts(id: string): Promise<void> {
    const rows = await this.db.query('UPDATE users SET failed_attempts = 0 WHERE id = $1 AND failed_attempts <> 0 RETURNING id', [id]);
    if (rows.length > 0) this.changed(id);
  }

  /**
   * The account's MFA secret as stored (mfa/mfa-secret-box.ts seals it), '' when none. Never part
   * of a UserRow: only the MFA code checks read it, so no other path can send it to a client.
   */
  async mfaSecret(id: string): Promise<string> {
    const rows = await this.db.query<{ mfa_secret: string }>('SELECT mfa_secret FROM users WHERE id = $1', [id]);
    return rows[0]?.mfa_secret ?? '';
  }

  /** A new MFA secret, not yet active (POST /users/{id}/mfa/generate); replaces one not activated. */
  async setPendingMfaSecret(id: string, sealed: string, now: number): Promise<void> {
    await this.db.query('UPDATE users SET mfa_secret = $2, mfa_active = false, update_at = $3 WHERE id = $1', [id, sealed, now]);
    this.changed(id);
  }

  /**
   * Activates MFA with the secret the code was checked against: false when the stored secret is
   * another by now (a second generate raced the activation), so a code never activates a secret
   * it was not made from.
   */
  async activateMfa(id: string, sealed: string, now: number): Promise<boolean> {
    const rows = await this.db.query("UPDATE users SET mfa_active = true, update_at = $3 WHERE id = $1 AND mfa_secret = $2 AND mfa_secret <> '' RETURNING id", [
      id,
      sealed,
      now,
    ]);
    this.changed(id);
    return rows.length === 1;
  }

  /** MFA off and its secret gone (Mattermost's DeactivateMfa). */
  async deactivateMfa(id: string, now: number): Promise<void> {
    await this.db.query("UPDATE users SET mfa_active = false, mfa_secret = '', update_at = $2 WHERE id = $1", [id, now]);
    this.changed(id);
  }

  async setRoles(id: string, roles: string, now: number): Promise<void> {
    await this.db.query('UPDATE users SET roles=$2, update_at=$3 WHERE id=$1', [id, roles, now]);
    this.changed(id);
  }

  /** Marks the account as a bot or a person; the updated row, undefined when there is no such user. */
  async setBot(id: string, isBot: boolean, now: number): Promise<UserRow | undefined> {
    const rows = await this.db.query<UserRow>(`UPDATE users SET is_bot = $2, update_at = $3 WHERE id = $1 RETURNING ${SELECT}`, [id, isBot, now]);
    this.changed(id);
    return rows[0];
  }

  async setDeleteAt(id: string, deleteAt: number, now: number): Promise<void> {
    await this.db.query('UPDATE users SET delete_at=$2, update_at=$3 WHERE id=$1', [id, deleteAt, now]);
    this.changed(id);
  }
}
