/**
 * The authorization matrix: for every route the server maps, what each kind of caller gets, as
 * Mattermost's api4 handlers answer it (server/channels/api4/*.go and the permission checks of
 * app/authorization.go, with Mattermost's default roles and config). The suite
 * (authorization-matrix.e2e.spec.ts) builds the world these rows talk about, sends every row as
 * every role and fails on any other status, and on any mapped route without a row here: a new
 * route is not done until it has its line in this table.
 *
 * The roles (columns of `x()`, in this order):
 *   anon       no token
 *   user       signed in, on no team and in no channel of the world (no relation to anything)
 *   outsider   on team B (invite only; they created it), not on team A
 *   nonMember  on team A, in none of its channels but the default ones
 *   member     on team A, in its public and private channel, author of the posts below
 *   teamAdmin  team A's admin (created it and the public channel; not in the private channel)
 *   sysAdmin   the system admin, a member of nothing in team A
 *
 * A row's target is fixed (a route on team A, on the public channel, on the victim, ...) unless it
 * says otherwise. Rows that change what other rows look at (deleting, deactivating, revoking,
 * changing privacy or invite ids) act on targets made for that one request by `setup`, and rows
 * that would end the caller's own session or account run as a throwaway account with the role's
 * system roles (`caller: 'fresh'`).
 *
 * Where this server answers otherwise on purpose, or a finding of the security round asks for a
 * different answer than Mattermost's, the row says so with `finding`.
 */

export const ROLES = ['anon', 'user', 'outsider', 'nonMember', 'member', 'teamAdmin', 'sysAdmin'] as const;
export type Role = (typeof ROLES)[number];
export type SignedInRole = Exclude<Role, 'anon'>;
export type Expect = Record<Role, number>;

export interface Account {
  id: string;
  username: string;
  email: string;
  password: string;
  /** A session token (empty for accounts nobody logs in as). */
  token: string;
}

export interface Answer {
  status: number;
  body: any;
  headers: Headers;
}

/** What the suite builds once, and the helpers rows use to make their own targets (as the system admin unless said). */
export interface World {
  accounts: Record<SignedInRole, Account>;
  /** A plain user on team A, in the public and private channel: the "other user" of non-destructive rows. */
  victim: Account;
  /** Another plain user on team A. */
  victim2: Account;
  teamA: { id: string; name: string; inviteId: string };
  teamB: { id: string; name: string };
  pub: { id: string; name: string };
  priv: { id: string; name: string };
  /** member <-> victim. */
  dm: { id: string };
  /** By member, in pub and in priv. */
  postPub: string;
  postPriv: string;
  /** A personal access token of the victim's. */
  victimTokenId: string;
  /** A pending job (jobs do not run on this server). */
  jobId: string;
  /** A preference the victim has: category `matrix`, name `probe`. */
  prefCategory: string;
  /** The API's base URL (`<server>/api/v4`), for requests `call` cannot send (multipart uploads). */
  apiUrl: string;
  /** Sends a request to /api/v4 (or, `web`, to the site's root without following redirects) with `token` (none: anonymous). */
  call(token: string | undefined, method: string, path: string, body?: unknown, web?: boolean): Promise<Answer>;
  /** call(), failing unless the answer is 2xx. */
  must(token: string | undefined, method: string, path: string, body?: unknown): Promise<any>;
  unique(prefix: string): string;
  /** A new account; `admin` makes it a system admin, `login` gives it a session token. */
  freshUser(opts?: { admin?: boolean; login?: boolean }): Promise<Account>;
  /** A new open team like team A: teamAdmin its admin; nonMember, member and victim members. */
  teamClone(opts?: { archived?: boolean }): Promise<string>;
  /** A new channel on team A made by teamAdmin (so a member of it), with member and victim in it. */
  channelClone(type: 'O' | 'P', opts?: { archived?: boolean }): Promise<string>;
  /** A new personal access token for the user: its id and token. */
  accessToken(userId: string, opts?: { disabled?: boolean }): Promise<{ id: string; token: string }>;
  /** A new pending job. */
  pendingJob(): Promise<string>;
  /** A new custom emoji (a tiny PNG) created by the account with `token`: its id and name. */
  customEmoji(token: string, creatorId: string): Promise<{ id: string; name: string }>;
}

/** One request of a row, as one role. */
export interface Ctx {
  w: World;
  role: Role;
  /** The caller's user id ("me" when anonymous). */
  me: string;
  /** The caller's account (the victim's details when anonymous, so bodies can still be built). */
  self: Account;
  /** The caller's token (undefined when anonymous). */
  token: string | undefined;
  /** What `setup` returned. */
  v: Record<string, any>;
}

export interface Row {
  /** The route as the server maps it, under /api/v4: `GET /users/:user_id`. */
  route: string;
  /** What this row checks (a route can have several rows: own and others', public and private). */
  name: string;
  path: (c: Ctx) => string;
  body?: (c: Ctx) => unknown;
  /** Runs before the request (for every role, anonymous too) and returns the row's own targets. */
  setup?: (c: Ctx) => Promise<Record<string, any>>;
  /** The caller is a new account with the role's system roles (the row ends its session or account). */
  caller?: 'fresh';
  /** Runs after every other row (it ends every session on the server). */
  last?: boolean;
  /**
   * A browser route outside /api/v4 (the sign-in methods' WEB_ROUTES): `path` is the site path,
   * and redirects are answers (302), not followed.
   */
  web?: boolean;
  /** The finding of the security round (issue 9) this row belongs to. */
  finding?: number;
  expect: Expect;
}

/** Expected statuses, in ROLES order: anon user outsider nonMember member teamAdmin sysAdmin. */
export function x(spec: string): Expect {
  const codes = spec.trim().split(/\s+/).map(Number);
  if (codes.length !== ROLES.length || codes.some((c) => !Number.isInteger(c))) throw new Error(`bad expectation "${spec}"`);
  return Object.fromEntries(ROLES.map((r, i) => [r, codes[i]])) as Expect;
}

// ---- the common shapes ------------------------------------------------------------------------

/** No session needed (APIHandler). */
const EVERYONE = x('200 200 200 200 200 200 200');
/** Any session (APISessionRequired and no further check, or a check every user passes). */
const SIGNED_IN = x('401 200 200 200 200 200 200');
/** A system permission only the system admin holds (manage_system, edit_other_users, sysconsole_*). */
const SYSADMIN = x('401 403 403 403 403 403 200');
/** A permission every team A member holds through team_user (view_team, list_team_channels, read_public_channel). */
const TEAM = x('401 403 403 200 200 200 200');
/** A team_admin permission on team A (manage_team, manage_team_roles, remove_user_from_team). */
const TEAM_ADMIN = x('401 403 403 403 403 200 200');
/**
 * A channel_user permission on the public channel (its members: member and teamAdmin), which
 * team_user does not grant to the rest of the team.
 */
const PUB_MEMBERS = x('401 403 403 403 200 200 200');
/** The same on the private channel, where teamAdmin is not a member and team_admin does not grant it. */
const PRIV_MEMBERS = x('401 403 403 403 200 403 200');
/** Acting on the member's own things: the member, or someone with edit_other_users. */
const MEMBERS_OWN = x('401 403 403 403 200 403 200');

const OK_201 = x('401 201 201 201 201 201 201');

const SEARCH_TERM = { term: 'user' };

// ---- users (api4/user.go) -----------------------------------------------------------------------

const users: Row[] = [
  {
    route: 'POST /users',
    name: 'sign up (open server; admins create accounts)',
    path: () => '/users',
    body: (c) => {
      const username = c.w.unique('signup');
      return { username, email: `${username}@example.com`, password: 'Passw0rd!matrix' };
    },
    expect: x('201 201 201 201 201 201 201'),
  },
  {
    route: 'POST /users/login',
    name: 'log in with the right password (APIHandler: whoever asks)',
    path: () => '/users/login',
    setup: async (c) => ({ account: await c.w.freshUser() }),
    body: (c) => ({ login_id: c.v.account.username, password: c.v.account.password }),
    expect: EVERYONE,
  },
  {
    route: 'POST /users/login',
    name: 'log in with a wrong password',
    path: () => '/users/login',
    setup: async (c) => ({ account: await c.w.freshUser() }),
    body: (c) => ({ login_id: c.v.account.username, password: 'not-the-password' }),
    expect: x('401 401 401 401 401 401 401'),
  },
  {
    route: 'POST /users/login/switch',
    name: 'email → a provider that is off (APIHandler: whoever asks; 501 before the password)',
    path: () => '/users/login/switch',
    body: (c) => ({ current_service: 'email', new_service: 'gitlab', email: c.self.email, password: c.self.password }),
    expect: x('501 501 501 501 501 501 501'),
  },
  {
    route: 'POST /users/login/switch',
    name: "provider → email: a session of that account only (the victim's email: nobody else's)",
    path: () => '/users/login/switch',
    body: (c) => ({ current_service: 'gitlab', new_service: 'email', email: c.w.victim.email, new_password: 'Passw0rd!switched' }),
    expect: x('401 403 403 403 403 403 403'),
  },
  {
    route: 'POST /users/mfa',
    name: 'is MFA required for a login id (APIHandler: whoever asks)',
    path: () => '/users/mfa',
    body: (c) => ({ login_id: c.w.victim.username }),
    expect: EVERYONE,
  },
  {
    route: 'POST /users/:user_id/mfa/generate',
    name: 'own MFA secret (MFA enabled on the matrix server)',
    caller: 'fresh',
    path: (c) => `/users/${c.me}/mfa/generate`,
    expect: SIGNED_IN,
  },
  {
    route: 'POST /users/:user_id/mfa/generate',
    name: "someone else's: edit_other_users",
    setup: async (c) => ({ target: await c.w.freshUser() }),
    path: (c) => `/users/${c.v.target.id}/mfa/generate`,
    expect: SYSADMIN,
  },
  {
    route: 'PUT /users/:user_id/mfa',
    name: 'remove own MFA (no code needed, as Mattermost)',
    caller: 'fresh',
    path: (c) => `/users/${c.me}/mfa`,
    body: () => ({ activate: false }),
    expect: SIGNED_IN,
  },
  {
    route: 'PUT /users/:user_id/mfa',
    name: "someone else's: edit_other_users",
    setup: async (c) => ({ target: await c.w.freshUser() }),
    path: (c) => `/users/${c.v.target.id}/mfa`,
    body: () => ({ activate: false }),
    expect: SYSADMIN,
  },
  {
    route: 'PUT /users/:user_id/auth',
    name: "set an account's sign-in provider: system admins only (IsSystemAdmin, edit_other_users)",
    setup: async (c) => ({ target: await c.w.freshUser() }),
    path: (c) => `/users/${c.v.target.id}/auth`,
    body: (c) => ({ auth_service: 'gitlab', auth_data: c.w.unique('gitlab') }),
    expect: SYSADMIN,
  },
  // Mailed links (issue 15): no session needed; an unknown link or address answers the same to everyone.
  {
    route: 'POST /users/email/verify',
    name: 'no session needed; an unknown link is a bad link for everyone',
    path: () => '/users/email/verify',
    body: () => ({ token: 'a'.repeat(64) }),
    expect: x('400 400 400 400 400 400 400'),
  },
  {
    route: 'POST /users/email/verify/send',
    name: 'no session needed; OK whatever the address (no account enumeration)',
    path: () => '/users/email/verify/send',
    body: () => ({ email: 'nobody-matrix@example.com' }),
    expect: EVERYONE,
  },
  {
    route: 'POST /users/password/reset/send',
    name: 'no session needed; OK for an address no account has',
    path: () => '/users/password/reset/send',
    body: () => ({ email: 'nobody-matrix@example.com' }),
    expect: EVERYONE,
  },
  {
    route: 'POST /users/password/reset',
    name: 'no session needed; an unknown link is invalid for everyone',
    path: () => '/users/password/reset',
    body: () => ({ token: 'a'.repeat(64), new_password: 'Passw0rd!matrix-reset' }),
    expect: x('400 400 400 400 400 400 400'),
  },
  {
    route: 'POST /users/logout',
    name: 'log out (APIHandler: without a session it is still OK)',
    caller: 'fresh',
    path: () => '/users/logout',
    expect: EVERYONE,
  },
  { route: 'GET /users', name: 'list everyone', path: () => '/users?per_page=5', expect: SIGNED_IN },
  { route: 'GET /users', name: 'in_team: view_team', path: (c) => `/users?in_team=${c.w.teamA.id}`, expect: TEAM },
  { route: 'GET /users', name: 'in_channel (private): read_channel', path: (c) => `/users?in_channel=${c.w.priv.id}`, expect: PRIV_MEMBERS },
  {
    route: 'GET /users',
    name: 'not_in_channel (private): read_channel',
    path: (c) => `/users?in_team=${c.w.teamA.id}&not_in_channel=${c.w.priv.id}`,
    expect: PRIV_MEMBERS,
  },
  { route: 'GET /users', name: 'not_in_team: view_team', path: (c) => `/users?not_in_team=${c.w.teamA.id}`, expect: TEAM },
  { route: 'GET /users', name: 'without_team: list_users_without_team', path: () => '/users?without_team=true', expect: SYSADMIN },
  {
    route: 'GET /users',
    // Stricter than Mattermost, on purpose: getUsers checks no permission for the inactive and role
    // filters; here listing deactivated accounts or the holders of a role is for system admins.
    name: 'inactive: system admins',
    path: () => '/users?inactive=true',
    expect: SYSADMIN,
  },
  { route: 'GET /users', name: 'role: system admins (stricter, as above)', path: () => '/users?role=system_admin', expect: SYSADMIN },
  { route: 'POST /users/ids', name: 'by ids', path: () => '/users/ids', body: (c) => [c.w.victim.id], expect: SIGNED_IN },
  { route: 'POST /users/usernames', name: 'by usernames', path: () => '/users/usernames', body: (c) => [c.w.victim.username], expect: SIGNED_IN },
  { route: 'POST /users/search', name: 'a term alone', path: () => '/users/search', body: () => SEARCH_TERM, expect: SIGNED_IN },
  {
    route: 'POST /users/search',
    name: 'team_id: view_team',
    path: () => '/users/search',
    body: (c) => ({ ...SEARCH_TERM, team_id: c.w.teamA.id }),
    expect: TEAM,
    finding: 5,
  },
  {
    route: 'POST /users/search',
    name: 'in_channel_id (private): read_channel',
    path: () => '/users/search',
    body: (c) => ({ ...SEARCH_TERM, in_channel_id: c.w.priv.id }),
    expect: PRIV_MEMBERS,
    finding: 5,
  },
  {
    route: 'POST /users/search',
    name: 'not_in_channel_id (private): read_channel',
    path: () => '/users/search',
    body: (c) => ({ ...SEARCH_TERM, team_id: c.w.teamA.id, not_in_channel_id: c.w.priv.id }),
    expect: PRIV_MEMBERS,
    finding: 5,
  },
  {
    route: 'POST /users/search',
    name: 'not_in_team_id: view_team',
    path: () => '/users/search',
    body: (c) => ({ ...SEARCH_TERM, not_in_team_id: c.w.teamA.id }),
    expect: TEAM,
    finding: 5,
  },
  {
    route: 'POST /users/search',
    // Mattermost's searchUsers checks no permission for without_team; the security review (finding 5)
    // asks for the same check as GET /users?without_team=true: list_users_without_team.
    name: 'without_team: list_users_without_team',
    path: () => '/users/search',
    body: () => ({ ...SEARCH_TERM, without_team: true }),
    expect: SYSADMIN,
    finding: 5,
  },
  { route: 'GET /users/autocomplete', name: 'a name alone', path: () => '/users/autocomplete?name=user', expect: SIGNED_IN },
  {
    route: 'GET /users/autocomplete',
    name: 'in_team: view_team',
    path: (c) => `/users/autocomplete?name=user&in_team=${c.w.teamA.id}`,
    expect: TEAM,
    finding: 5,
  },
  {
    route: 'GET /users/autocomplete',
    name: 'in_channel (private): read_channel',
    path: (c) => `/users/autocomplete?name=user&in_team=${c.w.teamA.id}&in_channel=${c.w.priv.id}`,
    expect: PRIV_MEMBERS,
    finding: 5,
  },
  {
    route: 'GET /users/autocomplete',
    // The caller may read their own DM; the team still needs view_team.
    name: 'in_channel (own DM) with in_team: view_team',
    setup: async (c) => ({ dm: c.token ? (await c.w.must(c.token, 'POST', '/channels/direct', [c.me, c.w.victim.id])).id : c.w.dm.id }),
    path: (c) => `/users/autocomplete?name=user&in_team=${c.w.teamA.id}&in_channel=${c.v.dm}`,
    expect: TEAM,
    finding: 5,
  },
  { route: 'GET /users/username/:username', name: "someone's profile", path: (c) => `/users/username/${c.w.victim.username}`, expect: SIGNED_IN },
  // PrivacySettings.ShowEmailAddress is on by default.
  { route: 'GET /users/email/:email', name: "someone's profile", path: (c) => `/users/email/${c.w.victim.email}`, expect: SIGNED_IN },
  {
    route: 'POST /users/sessions/revoke/all',
    name: "everyone's sessions: manage_system",
    last: true,
    path: () => '/users/sessions/revoke/all',
    expect: SYSADMIN,
  },
  { route: 'GET /users/:user_id', name: "someone's profile", path: (c) => `/users/${c.w.victim.id}`, expect: SIGNED_IN },
  {
    route: 'PUT /users/:user_id',
    name: 'own account',
    path: (c) => `/users/${c.me}`,
    body: (c) => ({ id: c.me, username: c.self.username, email: c.self.email, nickname: 'matrix' }),
    expect: SIGNED_IN,
  },
  {
    route: 'PUT /users/:user_id',
    name: "someone else's: edit_other_users",
    path: (c) => `/users/${c.w.victim.id}`,
    body: (c) => ({ id: c.w.victim.id, username: c.w.victim.username, email: c.w.victim.email, nickname: 'matrix' }),
    expect: SYSADMIN,
  },
  { route: 'PUT /users/:user_id/patch', name: 'own account', path: (c) => `/users/${c.me}/patch`, body: () => ({ nickname: 'matrix' }), expect: SIGNED_IN },
  {
    route: 'PUT /users/:user_id/patch',
    name: "someone else's: edit_other_users",
    path: (c) => `/users/${c.w.victim.id}/patch`,
    body: () => ({ nickname: 'matrix' }),
    expect: SYSADMIN,
  },
  {
    route: 'DELETE /users/:user_id',
    // TeamSettings.EnableUserDeactivation is off: only manage_system may deactivate itself here.
    name: 'deactivate oneself (self-deactivation off)',
    caller: 'fresh',
    path: (c) => `/users/${c.me}`,
    expect: x('401 401 401 401 401 401 200'),
  },
  {
    route: 'DELETE /users/:user_id',
    name: 'deactivate someone else: edit_other_users',
    setup: async (c) => ({ target: await c.w.freshUser() }),
    path: (c) => `/users/${c.v.target.id}`,
    expect: SYSADMIN,
  },
  {
    route: 'PUT /users/:user_id/roles',
    name: 'manage_roles',
    path: (c) => `/users/${c.w.victim.id}/roles`,
    body: () => ({ roles: 'system_user' }),
    expect: SYSADMIN,
  },
  {
    route: 'PUT /users/:user_id/active',
    // updateUserActive refuses self-deactivation while it is off, system admins included.
    name: 'deactivate oneself (self-deactivation off)',
    caller: 'fresh',
    path: (c) => `/users/${c.me}/active`,
    body: () => ({ active: false }),
    expect: x('401 401 401 401 401 401 401'),
  },
  {
    route: 'PUT /users/:user_id/active',
    name: 'deactivate someone else: sysconsole_write_user_management_users',
    setup: async (c) => ({ target: await c.w.freshUser() }),
    path: (c) => `/users/${c.v.target.id}/active`,
    body: () => ({ active: false }),
    expect: SYSADMIN,
  },
  {
    route: 'PUT /users/:user_id/active',
    name: 'reactivate someone: sysconsole_write_user_management_users',
    setup: async (c) => {
      const target = await c.w.freshUser();
      await c.w.must(c.w.accounts.sysAdmin.token, 'PUT', `/users/${target.id}/active`, { active: false });
      return { target };
    },
    path: (c) => `/users/${c.v.target.id}/active`,
    body: () => ({ active: true }),
    expect: SYSADMIN,
  },
  {
    route: 'PUT /users/:user_id/password',
    name: 'own password, with the current one',
    caller: 'fresh',
    path: (c) => `/users/${c.me}/password`,
    body: (c) => ({ current_password: c.self.password, new_password: 'Passw0rd!changed' }),
    expect: SIGNED_IN,
  },
  {
    route: 'PUT /users/:user_id/password',
    name: "someone else's: sysconsole_write_user_management_users",
    setup: async (c) => ({ target: await c.w.freshUser() }),
    path: (c) => `/users/${c.v.target.id}/password`,
    body: () => ({ new_password: 'Passw0rd!changed' }),
    expect: SYSADMIN,
  },
  { route: 'GET /users/:user_id/sessions', name: 'own sessions', path: (c) => `/users/${c.me}/sessions`, expect: SIGNED_IN },
  { route: 'GET /users/:user_id/audits', name: 'own audits', path: (c) => `/users/${c.me}/audits`, expect: SIGNED_IN },
  { route: 'GET /users/:user_id/audits', name: "someone else's: edit_other_users", path: (c) => `/users/${c.w.victim.id}/audits`, expect: SYSADMIN },
  { route: 'GET /audits', name: "everyone's audits: manage_system", path: () => '/audits', expect: SYSADMIN },
  { route: 'GET /logs', name: 'the log file: manage_system', path: () => '/logs?page=0&logs_per_page=10', expect: SYSADMIN },
  {
    route: 'POST /logs',
    name: "a client's log message: any session without EnableDeveloper (not an admin's: logged at debug)",
    path: () => '/logs',
    body: () => ({ level: 'ERROR', message: 'matrix' }),
    expect: x('403 200 200 200 200 200 200'),
  },
  { route: 'GET /users/:user_id/sessions', name: "someone else's: edit_other_users", path: (c) => `/users/${c.w.victim.id}/sessions`, expect: SYSADMIN },
  {
    route: 'POST /users/:user_id/sessions/revoke',
    name: 'one of own sessions',
    caller: 'fresh',
    setup: async (c) => {
      if (!c.token) return { sessionId: 'a'.repeat(26) };
      await c.w.must(undefined, 'POST', '/users/login', { login_id: c.self.username, password: c.self.password });
      const sessions: Array<{ id: string; token: string }> = await c.w.must(c.w.accounts.sysAdmin.token, 'GET', `/users/${c.me}/sessions`);
      // Not the one making the request: the listing has no tokens, so take the newer session.
      const sorted = [...sessions].sort((a: any, b: any) => b.create_at - a.create_at);
      return { sessionId: sorted[0].id };
    },
    path: (c) => `/users/${c.me}/sessions/revoke`,
    body: (c) => ({ session_id: c.v.sessionId }),
    expect: SIGNED_IN,
  },
  {
    route: 'POST /users/:user_id/sessions/revoke',
    name: "someone else's: edit_other_users",
    setup: async (c) => {
      const target = await c.w.freshUser({ login: true });
      const [session] = await c.w.must(c.w.accounts.sysAdmin.token, 'GET', `/users/${target.id}/sessions`);
      return { target, sessionId: session.id };
    },
    path: (c) => `/users/${c.v.target.id}/sessions/revoke`,
    body: (c) => ({ session_id: c.v.sessionId }),
    expect: SYSADMIN,
  },
  {
    route: 'POST /users/:user_id/sessions/revoke/all',
    name: 'all own sessions',
    caller: 'fresh',
    path: (c) => `/users/${c.me}/sessions/revoke/all`,
    expect: SIGNED_IN,
  },
  {
    route: 'POST /users/:user_id/sessions/revoke/all',
    name: "someone else's: edit_other_users",
    setup: async (c) => ({ target: await c.w.freshUser({ login: true }) }),
    path: (c) => `/users/${c.v.target.id}/sessions/revoke/all`,
    expect: SYSADMIN,
  },
  { route: 'GET /users/:user_id/image', name: "someone's picture", path: (c) => `/users/${c.w.victim.id}/image`, expect: SIGNED_IN },
  { route: 'GET /users/:user_id/image/default', name: "someone's default picture", path: (c) => `/users/${c.w.victim.id}/image/default`, expect: SIGNED_IN },
  // The suite's JSON body is no multipart form: whoever passes the permission check gets the parse 400.
  {
    route: 'POST /users/:user_id/image',
    name: 'own picture (a JSON body: parse error)',
    path: (c) => `/users/${c.me}/image`,
    expect: x('401 400 400 400 400 400 400'),
  },
  {
    route: 'POST /users/:user_id/image',
    name: "someone else's: edit_other_users",
    path: (c) => `/users/${c.w.victim.id}/image`,
    expect: x('401 403 403 403 403 403 400'),
  },
  { route: 'DELETE /users/:user_id/image', name: 'own picture back to the default', path: (c) => `/users/${c.me}/image`, expect: SIGNED_IN },
  { route: 'DELETE /users/:user_id/image', name: "someone else's: edit_other_users", path: (c) => `/users/${c.w.victim.id}/image`, expect: SYSADMIN },
];

// ---- personal access tokens (EnableUserAccessTokens on; only system admins hold the token permissions) ----

const tokens: Row[] = [
  { route: 'GET /users/tokens', name: 'every token: manage_system', path: () => '/users/tokens', expect: SYSADMIN },
  {
    route: 'POST /users/:user_id/tokens',
    name: 'for oneself: create_user_access_token',
    path: (c) => `/users/${c.me}/tokens`,
    body: () => ({ description: 'matrix' }),
    expect: SYSADMIN,
  },
  {
    route: 'POST /users/:user_id/tokens',
    name: 'for someone else: create_user_access_token and edit_other_users',
    path: (c) => `/users/${c.w.victim.id}/tokens`,
    body: () => ({ description: 'matrix' }),
    expect: SYSADMIN,
  },
  { route: 'GET /users/:user_id/tokens', name: 'own tokens: read_user_access_token', path: (c) => `/users/${c.me}/tokens`, expect: SYSADMIN },
  { route: 'GET /users/:user_id/tokens', name: "someone else's", path: (c) => `/users/${c.w.victim.id}/tokens`, expect: SYSADMIN },
  {
    route: 'GET /users/tokens/:token_id',
    name: "someone's token: read_user_access_token",
    path: (c) => `/users/tokens/${c.w.victimTokenId}`,
    expect: SYSADMIN,
  },
  {
    route: 'POST /users/tokens/revoke',
    name: 'revoke_user_access_token',
    setup: async (c) => ({ tokenId: (await c.w.accessToken(c.w.victim.id)).id }),
    path: () => '/users/tokens/revoke',
    body: (c) => ({ token_id: c.v.tokenId }),
    expect: SYSADMIN,
  },
  {
    route: 'POST /users/tokens/disable',
    name: 'revoke_user_access_token',
    setup: async (c) => ({ tokenId: (await c.w.accessToken(c.w.victim.id)).id }),
    path: () => '/users/tokens/disable',
    body: (c) => ({ token_id: c.v.tokenId }),
    expect: SYSADMIN,
  },
  {
    route: 'POST /users/tokens/enable',
    name: 'create_user_access_token',
    setup: async (c) => ({ tokenId: (await c.w.accessToken(c.w.victim.id, { disabled: true })).id }),
    path: () => '/users/tokens/enable',
    body: (c) => ({ token_id: c.v.tokenId }),
    expect: SYSADMIN,
  },
];

// ---- a user's teams (api4/team.go) ----------------------------------------------------------------

const userTeams: Row[] = [
  { route: 'GET /users/:user_id/teams', name: 'own teams', path: (c) => `/users/${c.me}/teams`, expect: SIGNED_IN },
  {
    route: 'GET /users/:user_id/teams',
    name: "someone else's: sysconsole_read_user_management_users",
    path: (c) => `/users/${c.w.victim.id}/teams`,
    expect: SYSADMIN,
  },
  { route: 'GET /users/:user_id/teams/members', name: 'own memberships', path: (c) => `/users/${c.me}/teams/members`, expect: SIGNED_IN },
  {
    route: 'GET /users/:user_id/teams/members',
    name: "someone else's: read_other_users_teams",
    path: (c) => `/users/${c.w.victim.id}/teams/members`,
    expect: SYSADMIN,
  },
  { route: 'GET /users/:user_id/teams/unread', name: 'own unreads', path: (c) => `/users/${c.me}/teams/unread`, expect: SIGNED_IN },
  { route: 'GET /users/:user_id/teams/unread', name: "someone else's: manage_system", path: (c) => `/users/${c.w.victim.id}/teams/unread`, expect: SYSADMIN },
  {
    route: 'GET /users/:user_id/teams/:team_id/unread',
    name: 'own, on team A: view_team',
    path: (c) => `/users/${c.me}/teams/${c.w.teamA.id}/unread`,
    expect: TEAM,
  },
  {
    route: 'GET /users/:user_id/teams/:team_id/unread',
    name: "the member's: edit_other_users",
    path: (c) => `/users/${c.w.accounts.member.id}/teams/${c.w.teamA.id}/unread`,
    expect: MEMBERS_OWN,
  },
];

// ---- teams (api4/team.go) -----------------------------------------------------------------------

const newTeamBody = (c: Ctx) => {
  const name = c.w.unique('team');
  return { name, display_name: name, type: 'O' };
};

const teams: Row[] = [
  { route: 'POST /teams', name: 'create_team (every user)', path: () => '/teams', body: newTeamBody, expect: OK_201 },
  { route: 'GET /teams', name: 'list_public_teams (every user)', path: () => '/teams', expect: SIGNED_IN },
  { route: 'POST /teams/search', name: 'list_public_teams (every user)', path: () => '/teams/search', body: () => ({ term: 'team' }), expect: SIGNED_IN },
  { route: 'GET /teams/name/:team_name/exists', name: 'team A', path: (c) => `/teams/name/${c.w.teamA.name}/exists`, expect: SIGNED_IN },
  { route: 'GET /teams/name/:team_name', name: 'open team A: everyone', path: (c) => `/teams/name/${c.w.teamA.name}`, expect: SIGNED_IN },
  {
    route: 'GET /teams/name/:team_name',
    name: 'invite-only team B: view_team',
    path: (c) => `/teams/name/${c.w.teamB.name}`,
    expect: x('401 403 200 403 403 403 200'),
  },
  {
    route: 'GET /teams/name/:team_name/channels/name/:channel_name',
    name: 'public channel: read_public_channel',
    path: (c) => `/teams/name/${c.w.teamA.name}/channels/name/${c.w.pub.name}`,
    expect: TEAM,
  },
  {
    route: 'GET /teams/name/:team_name/channels/name/:channel_name',
    // A private channel the caller may not read is "missing"; manage_team lets team admins see it.
    name: 'private channel: read_channel or manage_team, else 404',
    path: (c) => `/teams/name/${c.w.teamA.name}/channels/name/${c.w.priv.name}`,
    expect: x('401 404 404 404 200 200 200'),
  },
  { route: 'GET /teams/invite/:invite_id', name: 'open team A (no session needed)', path: (c) => `/teams/invite/${c.w.teamA.inviteId}`, expect: EVERYONE },
  {
    route: 'POST /teams/members/invite',
    name: 'join an open team by its invite link',
    setup: async (c) => {
      const team = await c.w.must(c.w.accounts.teamAdmin.token, 'POST', '/teams', { ...newTeamBody(c), allow_open_invite: true });
      return { inviteId: team.invite_id };
    },
    path: (c) => `/teams/members/invite?invite_id=${c.v.inviteId}`,
    expect: OK_201,
  },
  {
    route: 'POST /teams/members/invite',
    name: 'an email invitation token that is none: the signup link is invalid',
    path: () => `/teams/members/invite?token=${'a'.repeat(64)}`,
    expect: x('401 400 400 400 400 400 400'),
  },
  {
    route: 'POST /teams/:team_id/invite/email',
    // team_user grants both; EnableEmailInvitations is off on the matrix server, so past them: 501.
    name: 'invite_user and add_user_to_team on the team, then EnableEmailInvitations (off: 501)',
    path: (c) => `/teams/${c.w.teamA.id}/invite/email`,
    body: () => ['matrix-invitee@example.com'],
    expect: x('401 403 403 501 501 501 501'),
  },
  { route: 'DELETE /teams/invites/email', name: 'invalidate_email_invite', path: () => '/teams/invites/email', expect: SYSADMIN },
  { route: 'GET /teams/:team_id', name: 'open team A: everyone', path: (c) => `/teams/${c.w.teamA.id}`, expect: SIGNED_IN },
  { route: 'GET /teams/:team_id', name: 'invite-only team B: view_team', path: (c) => `/teams/${c.w.teamB.id}`, expect: x('401 403 200 403 403 403 200') },
  // Neither team has an icon: whoever may see the team gets GetTeamIcon's 404.
  {
    route: 'GET /teams/:team_id/image',
    name: 'open team A: everyone (no icon: 404)',
    path: (c) => `/teams/${c.w.teamA.id}/image`,
    expect: x('401 404 404 404 404 404 404'),
  },
  {
    route: 'GET /teams/:team_id/image',
    name: 'invite-only team B: view_team (no icon: 404)',
    path: (c) => `/teams/${c.w.teamB.id}/image`,
    expect: x('401 403 404 403 403 403 404'),
  },
  // A JSON body is no multipart form: manage_team first, then the parse 400.
  { route: 'POST /teams/:team_id/image', name: 'manage_team', path: (c) => `/teams/${c.w.teamA.id}/image`, expect: x('401 403 403 403 403 400 400') },
  { route: 'DELETE /teams/:team_id/image', name: 'manage_team', path: (c) => `/teams/${c.w.teamA.id}/image`, expect: TEAM_ADMIN },
  {
    route: 'PUT /teams/:team_id',
    name: 'manage_team',
    setup: async (c) => ({ team: await c.w.teamClone() }),
    path: (c) => `/teams/${c.v.team}`,
    body: (c) => ({ id: c.v.team, display_name: 'Matrix', allow_open_invite: true }),
    expect: TEAM_ADMIN,
  },
  {
    route: 'DELETE /teams/:team_id',
    name: 'manage_team',
    setup: async (c) => ({ team: await c.w.teamClone() }),
    path: (c) => `/teams/${c.v.team}`,
    expect: TEAM_ADMIN,
  },
  {
    route: 'PUT /teams/:team_id/patch',
    name: 'manage_team',
    path: (c) => `/teams/${c.w.teamA.id}/patch`,
    body: () => ({ description: 'matrix' }),
    expect: TEAM_ADMIN,
  },
  {
    route: 'POST /teams/:team_id/restore',
    name: 'manage_team',
    setup: async (c) => ({ team: await c.w.teamClone({ archived: true }) }),
    path: (c) => `/teams/${c.v.team}/restore`,
    expect: TEAM_ADMIN,
  },
  {
    route: 'PUT /teams/:team_id/privacy',
    name: 'manage_team',
    setup: async (c) => ({ team: await c.w.teamClone() }),
    path: (c) => `/teams/${c.v.team}/privacy`,
    body: () => ({ privacy: 'I' }),
    expect: TEAM_ADMIN,
  },
  {
    route: 'POST /teams/:team_id/regenerate_invite_id',
    name: 'manage_team',
    setup: async (c) => ({ team: await c.w.teamClone() }),
    path: (c) => `/teams/${c.v.team}/regenerate_invite_id`,
    expect: TEAM_ADMIN,
  },
  { route: 'GET /teams/:team_id/stats', name: 'view_team', path: (c) => `/teams/${c.w.teamA.id}/stats`, expect: TEAM },
  { route: 'GET /teams/:team_id/members', name: 'view_team', path: (c) => `/teams/${c.w.teamA.id}/members`, expect: TEAM },
  {
    route: 'POST /teams/:team_id/members',
    // join_public_teams (every user) for a team open to invites; members are answered with their membership.
    name: 'join an open team oneself',
    setup: async (c) => ({ team: await c.w.teamClone() }),
    path: (c) => `/teams/${c.v.team}/members`,
    body: (c) => ({ team_id: c.v.team, user_id: c.me }),
    expect: OK_201,
  },
  {
    route: 'POST /teams/:team_id/members',
    name: 'add someone: add_user_to_team (team members)',
    setup: async (c) => ({ team: await c.w.teamClone(), target: await c.w.freshUser() }),
    path: (c) => `/teams/${c.v.team}/members`,
    body: (c) => ({ team_id: c.v.team, user_id: c.v.target.id }),
    expect: x('401 403 403 201 201 201 201'),
  },
  {
    route: 'POST /teams/:team_id/members/batch',
    name: 'add_user_to_team (team members)',
    setup: async (c) => ({ team: await c.w.teamClone(), target: await c.w.freshUser() }),
    path: (c) => `/teams/${c.v.team}/members/batch`,
    body: (c) => [{ team_id: c.v.team, user_id: c.v.target.id }],
    expect: x('401 403 403 201 201 201 201'),
  },
  {
    route: 'POST /teams/:team_id/members/ids',
    name: 'view_team',
    path: (c) => `/teams/${c.w.teamA.id}/members/ids`,
    body: (c) => [c.w.victim.id],
    expect: TEAM,
  },
  { route: 'GET /teams/:team_id/members/:user_id', name: 'view_team', path: (c) => `/teams/${c.w.teamA.id}/members/${c.w.victim.id}`, expect: TEAM },
  {
    route: 'DELETE /teams/:team_id/members/:user_id',
    name: 'remove someone: remove_user_from_team',
    setup: async (c) => ({ team: await c.w.teamClone() }),
    path: (c) => `/teams/${c.v.team}/members/${c.w.victim.id}`,
    expect: TEAM_ADMIN,
  },
  {
    route: 'DELETE /teams/:team_id/members/:user_id',
    // Leaving needs no permission; those not on the team get LeaveTeam's 400.
    name: 'leave oneself',
    setup: async (c) => ({ team: await c.w.teamClone() }),
    path: (c) => `/teams/${c.v.team}/members/${c.me}`,
    expect: x('401 400 400 200 200 200 400'),
  },
  {
    route: 'PUT /teams/:team_id/members/:user_id/roles',
    name: 'manage_team_roles',
    path: (c) => `/teams/${c.w.teamA.id}/members/${c.w.victim.id}/roles`,
    body: () => ({ roles: 'team_user' }),
    expect: TEAM_ADMIN,
  },
  {
    route: 'PUT /teams/:team_id/members/:user_id/schemeRoles',
    name: 'manage_team_roles',
    path: (c) => `/teams/${c.w.teamA.id}/members/${c.w.victim.id}/schemeRoles`,
    body: () => ({ scheme_admin: false, scheme_user: true, scheme_guest: false }),
    expect: TEAM_ADMIN,
  },
];

// ---- a team's channels (api4/channel.go) ------------------------------------------------------------

const teamChannels: Row[] = [
  {
    route: 'GET /teams/:team_id/channels/name/:channel_name',
    name: 'public channel: read_public_channel',
    path: (c) => `/teams/${c.w.teamA.id}/channels/name/${c.w.pub.name}`,
    expect: TEAM,
  },
  {
    route: 'GET /teams/:team_id/channels/name/:channel_name',
    name: 'private channel: read_channel or manage_team, else 404',
    path: (c) => `/teams/${c.w.teamA.id}/channels/name/${c.w.priv.name}`,
    expect: x('401 404 404 404 200 200 200'),
  },
  { route: 'GET /teams/:team_id/channels', name: 'list_team_channels', path: (c) => `/teams/${c.w.teamA.id}/channels`, expect: TEAM },
  { route: 'GET /teams/:team_id/channels/private', name: 'manage_system', path: (c) => `/teams/${c.w.teamA.id}/channels/private`, expect: SYSADMIN },
  { route: 'GET /teams/:team_id/channels/deleted', name: 'list_team_channels', path: (c) => `/teams/${c.w.teamA.id}/channels/deleted`, expect: TEAM },
  {
    route: 'POST /teams/:team_id/channels/ids',
    name: 'view_team',
    path: (c) => `/teams/${c.w.teamA.id}/channels/ids`,
    body: (c) => [c.w.pub.id],
    expect: TEAM,
  },
  {
    route: 'POST /teams/:team_id/channels/search',
    // Without list_team_channels the caller's own channels are searched, and non-members get a 404.
    name: 'list_team_channels, else the team membership (404)',
    path: (c) => `/teams/${c.w.teamA.id}/channels/search`,
    body: () => ({ term: 'matrix' }),
    expect: x('401 404 404 200 200 200 200'),
  },
  {
    route: 'GET /teams/:team_id/channels/autocomplete',
    name: 'list_team_channels',
    path: (c) => `/teams/${c.w.teamA.id}/channels/autocomplete?name=m`,
    expect: TEAM,
  },
  {
    route: 'GET /teams/:team_id/channels/search_autocomplete',
    // No permission check: the answer holds only the caller's own channels.
    name: 'no permission needed',
    path: (c) => `/teams/${c.w.teamA.id}/channels/search_autocomplete?name=m`,
    expect: SIGNED_IN,
  },
];

// ---- a user's channels (api4/channel.go) --------------------------------------------------------------

const userChannels: Row[] = [
  { route: 'GET /users/:user_id/channels', name: 'own channels', path: (c) => `/users/${c.me}/channels`, expect: SIGNED_IN },
  { route: 'GET /users/:user_id/channels', name: "someone else's: edit_other_users", path: (c) => `/users/${c.w.victim.id}/channels`, expect: SYSADMIN },
  { route: 'GET /users/:user_id/channel_members', name: 'own memberships', path: (c) => `/users/${c.me}/channel_members`, expect: SIGNED_IN },
  {
    route: 'GET /users/:user_id/channel_members',
    name: "someone else's: edit_other_users",
    path: (c) => `/users/${c.w.victim.id}/channel_members`,
    expect: SYSADMIN,
  },
  {
    route: 'GET /users/:user_id/teams/:team_id/channels',
    name: "the member's on team A: edit_other_users, then view_team",
    path: (c) => `/users/${c.w.accounts.member.id}/teams/${c.w.teamA.id}/channels`,
    expect: MEMBERS_OWN,
  },
  {
    route: 'GET /users/:user_id/teams/:team_id/channels/members',
    name: "the member's on team A: view_team, then manage_system for others",
    path: (c) => `/users/${c.w.accounts.member.id}/teams/${c.w.teamA.id}/channels/members`,
    expect: MEMBERS_OWN,
  },
  {
    route: 'GET /users/:user_id/channels/:channel_id/unread',
    name: "the member's in the public channel: edit_other_users, then read_channel",
    path: (c) => `/users/${c.w.accounts.member.id}/channels/${c.w.pub.id}/unread`,
    expect: MEMBERS_OWN,
  },
];

// ---- channels (api4/channel.go) -----------------------------------------------------------------

const newChannelBody = (type: 'O' | 'P') => (c: Ctx) => {
  const name = c.w.unique('chan');
  return { team_id: c.w.teamA.id, name, display_name: name, type };
};

const channels: Row[] = [
  {
    route: 'POST /channels',
    name: 'public: create_public_channel',
    path: () => '/channels',
    body: newChannelBody('O'),
    expect: x('401 403 403 201 201 201 201'),
  },
  {
    route: 'POST /channels',
    name: 'private: create_private_channel',
    path: () => '/channels',
    body: newChannelBody('P'),
    expect: x('401 403 403 201 201 201 201'),
  },
  {
    route: 'POST /channels/direct',
    name: 'with oneself in it: create_direct_channel',
    path: () => '/channels/direct',
    body: (c) => [c.token ? c.me : c.w.victim2.id, c.w.victim.id],
    expect: OK_201,
  },
  {
    route: 'POST /channels/direct',
    name: 'between two others: manage_system',
    path: () => '/channels/direct',
    body: (c) => [c.w.victim.id, c.w.victim2.id],
    expect: x('401 403 403 403 403 403 201'),
  },
  {
    route: 'POST /channels/group',
    name: 'create_group_channel (the caller is added)',
    path: () => '/channels/group',
    body: (c) => [c.w.victim.id, c.w.victim2.id],
    expect: OK_201,
  },
  {
    route: 'POST /channels/group/search',
    name: "the caller's own groups",
    path: () => '/channels/group/search',
    body: () => ({ term: 'user' }),
    expect: SIGNED_IN,
  },
  {
    route: 'POST /channels/members/:user_id/view',
    name: 'own view (focus lost)',
    path: (c) => `/channels/members/${c.me}/view`,
    body: () => ({ channel_id: '', prev_channel_id: '' }),
    expect: SIGNED_IN,
  },
  {
    route: 'POST /channels/members/:user_id/view',
    name: "someone else's: edit_other_users",
    path: (c) => `/channels/members/${c.w.victim.id}/view`,
    body: () => ({ channel_id: '' }),
    expect: SYSADMIN,
  },
  { route: 'GET /channels/:channel_id', name: 'public: read_public_channel (the team)', path: (c) => `/channels/${c.w.pub.id}`, expect: TEAM },
  { route: 'GET /channels/:channel_id', name: 'private: read_channel', path: (c) => `/channels/${c.w.priv.id}`, expect: PRIV_MEMBERS },
  { route: 'GET /channels/:channel_id', name: 'direct: read_channel', path: (c) => `/channels/${c.w.dm.id}`, expect: PRIV_MEMBERS },
  {
    route: 'PUT /channels/:channel_id',
    name: 'public: manage_public_channel_properties',
    path: (c) => `/channels/${c.w.pub.id}`,
    body: (c) => ({ id: c.w.pub.id, display_name: c.w.pub.name, header: 'matrix' }),
    expect: PUB_MEMBERS,
  },
  {
    route: 'PUT /channels/:channel_id',
    // Mattermost's default team_admin role (model.MakeDefaultRoles and the permissions migrations)
    // holds no manage_*_channel_properties; only channel_user does, so a team admin outside the
    // private channel is refused.
    name: 'private: manage_private_channel_properties',
    path: (c) => `/channels/${c.w.priv.id}`,
    body: (c) => ({ id: c.w.priv.id, display_name: c.w.priv.name, header: 'matrix' }),
    expect: PRIV_MEMBERS,
  },
  {
    route: 'PUT /channels/:channel_id/patch',
    name: 'public: manage_public_channel_properties',
    path: (c) => `/channels/${c.w.pub.id}/patch`,
    body: () => ({ header: 'matrix' }),
    expect: PUB_MEMBERS,
  },
  {
    route: 'PUT /channels/:channel_id/patch',
    // As PUT /channels/{id}: Mattermost's default team_admin role does not grant it.
    name: 'private: manage_private_channel_properties',
    path: (c) => `/channels/${c.w.priv.id}/patch`,
    body: () => ({ header: 'matrix' }),
    expect: PRIV_MEMBERS,
  },
  {
    route: 'PUT /channels/:channel_id/privacy',
    name: 'make private: convert_public_channel_to_private (team admins)',
    setup: async (c) => ({ channel: await c.w.channelClone('O') }),
    path: (c) => `/channels/${c.v.channel}/privacy`,
    body: () => ({ privacy: 'P' }),
    expect: TEAM_ADMIN,
  },
  {
    // api4 moveChannel: manage_system (mmctl channel move); every member of the channel is on the target team.
    route: 'POST /channels/:channel_id/move',
    name: 'manage_system',
    setup: async (c) => ({ channel: await c.w.channelClone('O'), team: await c.w.teamClone() }),
    path: (c) => `/channels/${c.v.channel}/move`,
    body: (c) => ({ team_id: c.v.team, force: false }),
    expect: SYSADMIN,
  },
  {
    route: 'POST /channels/:channel_id/restore',
    name: 'manage_team on its team',
    setup: async (c) => ({ channel: await c.w.channelClone('O', { archived: true }) }),
    path: (c) => `/channels/${c.v.channel}/restore`,
    expect: TEAM_ADMIN,
  },
  {
    route: 'DELETE /channels/:channel_id',
    name: 'public: delete_public_channel (its members, team admins)',
    setup: async (c) => ({ channel: await c.w.channelClone('O') }),
    path: (c) => `/channels/${c.v.channel}`,
    expect: PUB_MEMBERS,
  },
  {
    route: 'DELETE /channels/:channel_id',
    name: 'private: delete_private_channel (its members, team admins)',
    setup: async (c) => ({ channel: await c.w.channelClone('P') }),
    path: (c) => `/channels/${c.v.channel}`,
    expect: PUB_MEMBERS,
  },
  // read_channel itself: the team does not grant it, not even for a public channel.
  { route: 'GET /channels/:channel_id/stats', name: 'public: read_channel', path: (c) => `/channels/${c.w.pub.id}/stats`, expect: PUB_MEMBERS },
  { route: 'GET /channels/:channel_id/stats', name: 'private: read_channel', path: (c) => `/channels/${c.w.priv.id}/stats`, expect: PRIV_MEMBERS },
  { route: 'GET /channels/:channel_id/members', name: 'public: read_channel', path: (c) => `/channels/${c.w.pub.id}/members`, expect: PUB_MEMBERS },
  { route: 'GET /channels/:channel_id/members', name: 'private: read_channel', path: (c) => `/channels/${c.w.priv.id}/members`, expect: PRIV_MEMBERS },
  {
    route: 'POST /channels/:channel_id/members',
    // join_public_channels comes with the team; the system admin is not on team A (AddUserToChannel: 404).
    name: 'join a public channel oneself',
    setup: async (c) => ({ channel: await c.w.channelClone('O') }),
    path: (c) => `/channels/${c.v.channel}/members`,
    body: (c) => ({ user_id: c.me }),
    expect: x('401 403 403 201 201 201 404'),
  },
  {
    route: 'POST /channels/:channel_id/members',
    name: 'add someone to a public channel: manage_public_channel_members',
    setup: async (c) => ({ channel: await c.w.channelClone('O') }),
    path: (c) => `/channels/${c.v.channel}/members`,
    body: (c) => ({ user_id: c.w.victim2.id }),
    expect: x('401 403 403 403 201 201 201'),
  },
  {
    route: 'POST /channels/:channel_id/members',
    name: 'add someone to a private channel: manage_private_channel_members',
    setup: async (c) => ({ channel: await c.w.channelClone('P') }),
    path: (c) => `/channels/${c.v.channel}/members`,
    body: (c) => ({ user_id: c.w.victim2.id }),
    expect: x('401 403 403 403 201 201 201'),
  },
  {
    route: 'POST /channels/:channel_id/members/ids',
    name: 'read_channel',
    path: (c) => `/channels/${c.w.pub.id}/members/ids`,
    body: (c) => [c.w.victim.id],
    expect: PUB_MEMBERS,
  },
  {
    route: 'GET /channels/:channel_id/members/:user_id',
    name: 'public: read_channel',
    path: (c) => `/channels/${c.w.pub.id}/members/${c.w.victim.id}`,
    expect: PUB_MEMBERS,
  },
  {
    route: 'GET /channels/:channel_id/members/:user_id',
    name: 'private: read_channel',
    path: (c) => `/channels/${c.w.priv.id}/members/${c.w.victim.id}`,
    expect: PRIV_MEMBERS,
  },
  {
    route: 'DELETE /channels/:channel_id/members/:user_id',
    name: 'remove someone from a public channel: manage_public_channel_members',
    setup: async (c) => ({ channel: await c.w.channelClone('O') }),
    path: (c) => `/channels/${c.v.channel}/members/${c.w.victim.id}`,
    expect: PUB_MEMBERS,
  },
  {
    route: 'DELETE /channels/:channel_id/members/:user_id',
    name: 'remove someone from a private channel: manage_private_channel_members',
    setup: async (c) => ({ channel: await c.w.channelClone('P') }),
    path: (c) => `/channels/${c.v.channel}/members/${c.w.victim.id}`,
    expect: PUB_MEMBERS,
  },
  {
    route: 'PUT /channels/:channel_id/members/:user_id/roles',
    name: 'manage_channel_roles (channel and team admins)',
    path: (c) => `/channels/${c.w.pub.id}/members/${c.w.victim.id}/roles`,
    body: () => ({ roles: 'channel_user' }),
    expect: TEAM_ADMIN,
  },
  {
    route: 'PUT /channels/:channel_id/members/:user_id/schemeRoles',
    name: 'manage_channel_roles (channel and team admins)',
    path: (c) => `/channels/${c.w.pub.id}/members/${c.w.victim.id}/schemeRoles`,
    body: () => ({ scheme_admin: false, scheme_user: true, scheme_guest: false }),
    expect: TEAM_ADMIN,
  },
  {
    route: 'PUT /channels/:channel_id/members/:user_id/notify_props',
    name: "the member's: edit_other_users",
    path: (c) => `/channels/${c.w.pub.id}/members/${c.w.accounts.member.id}/notify_props`,
    body: () => ({ desktop: 'default' }),
    expect: MEMBERS_OWN,
  },
];

// ---- posts (api4/post.go) -----------------------------------------------------------------------

const posts: Row[] = [
  {
    route: 'POST /posts',
    name: 'public channel: create_post (its members)',
    path: () => '/posts',
    body: (c) => ({ channel_id: c.w.pub.id, message: 'matrix' }),
    expect: x('401 403 403 403 201 201 201'),
  },
  {
    route: 'POST /posts',
    // Mattermost's channel moderation permissions migration gives the default team_admin role
    // create_post, and SessionHasPermissionToChannel falls back to the channel's team for a
    // non-member, so a team admin may post in a private channel of the team it is not in.
    name: 'private channel: create_post (its members, team admins)',
    path: () => '/posts',
    body: (c) => ({ channel_id: c.w.priv.id, message: 'matrix' }),
    expect: x('401 403 403 403 201 201 201'),
  },
  // Posts the caller may not read are left out of the answer, not refused.
  { route: 'POST /posts/ids', name: 'unreadable posts are left out', path: () => '/posts/ids', body: (c) => [c.w.postPub, c.w.postPriv], expect: SIGNED_IN },
  { route: 'POST /posts/search', name: "the caller's own channels", path: () => '/posts/search', body: () => ({ terms: 'matrix' }), expect: SIGNED_IN },
  {
    route: 'POST /teams/:team_id/posts/search',
    name: 'view_team',
    path: (c) => `/teams/${c.w.teamA.id}/posts/search`,
    body: () => ({ terms: 'matrix' }),
    expect: TEAM,
  },
  // Reading a public channel's posts needs only read_public_channel from the team (SessionHasPermissionToReadChannel).
  { route: 'GET /posts/:post_id', name: 'public channel: read_public_channel (the team)', path: (c) => `/posts/${c.w.postPub}`, expect: TEAM },
  { route: 'GET /posts/:post_id', name: 'private channel: read_channel_content', path: (c) => `/posts/${c.w.postPriv}`, expect: PRIV_MEMBERS },
  {
    route: 'PUT /posts/:post_id',
    // The team admin is in the channel (edit_post), but Mattermost's default roles give
    // edit_others_posts to system admins only (team_admin in model.MakeDefaultRoles lacks it).
    name: "the member's, public: edit_post, then edit_others_posts",
    path: (c) => `/posts/${c.w.postPub}`,
    body: (c) => ({ id: c.w.postPub, message: 'matrix post' }),
    expect: x('401 403 403 403 200 403 200'),
  },
  {
    route: 'PUT /posts/:post_id',
    // edit_post on the channel comes first, and team_admin does not grant it.
    name: "the member's, private: edit_post, then edit_others_posts",
    path: (c) => `/posts/${c.w.postPriv}`,
    body: (c) => ({ id: c.w.postPriv, message: 'matrix post' }),
    expect: PRIV_MEMBERS,
  },
  {
    route: 'PUT /posts/:post_id/patch',
    // As PUT /posts/{id}: edit_others_posts is the system admin's only, in Mattermost's default roles.
    name: "the member's, public: edit_post or edit_others_posts",
    path: (c) => `/posts/${c.w.postPub}/patch`,
    body: () => ({ message: 'matrix post' }),
    expect: x('401 403 403 403 200 403 200'),
  },
  {
    route: 'PUT /posts/:post_id/patch',
    // Current Mattermost's patchPost checks only edit_others_posts, which its default team_admin
    // role does not hold, so a team admin outside the channel gets 403 there too. Finding 13:
    // patch checks read access first and the permissions of PUT /posts/{id}, so 403.
    name: "the member's, private: read access, then as PUT",
    path: (c) => `/posts/${c.w.postPriv}/patch`,
    body: () => ({}),
    expect: PRIV_MEMBERS,
    finding: 13,
  },
  {
    route: 'DELETE /posts/:post_id',
    name: "the member's, public: delete_post / delete_others_posts",
    setup: async (c) => ({ post: (await c.w.must(c.w.accounts.member.token, 'POST', '/posts', { channel_id: c.w.pub.id, message: 'to delete' })).id }),
    path: (c) => `/posts/${c.v.post}`,
    expect: PUB_MEMBERS,
  },
  { route: 'GET /posts/:post_id/thread', name: 'public channel: read_public_channel (the team)', path: (c) => `/posts/${c.w.postPub}/thread`, expect: TEAM },
  { route: 'GET /posts/:post_id/thread', name: 'private channel: read_channel_content', path: (c) => `/posts/${c.w.postPriv}/thread`, expect: PRIV_MEMBERS },
  {
    route: 'POST /posts/:post_id/pin',
    // Current Mattermost asks only read access, so team members outside a public channel may pin
    // there (200); before it, read_channel_content on the post's channel (its members). Finding
    // 12: pinning is for those who may post there, so 403 for them.
    name: 'public channel: channel members',
    path: (c) => `/posts/${c.w.postPub}/pin`,
    expect: PUB_MEMBERS,
    finding: 12,
  },
  { route: 'POST /posts/:post_id/pin', name: 'private channel: channel members', path: (c) => `/posts/${c.w.postPriv}/pin`, expect: PRIV_MEMBERS, finding: 12 },
  {
    route: 'POST /posts/:post_id/unpin',
    name: 'public channel: channel members',
    path: (c) => `/posts/${c.w.postPub}/unpin`,
    expect: PUB_MEMBERS,
    finding: 12,
  },
  {
    route: 'POST /posts/:post_id/unpin',
    name: 'private channel: channel members',
    path: (c) => `/posts/${c.w.postPriv}/unpin`,
    expect: PRIV_MEMBERS,
    finding: 12,
  },
  { route: 'GET /channels/:channel_id/posts', name: 'public: read_public_channel (the team)', path: (c) => `/channels/${c.w.pub.id}/posts`, expect: TEAM },
  { route: 'GET /channels/:channel_id/posts', name: 'private: read_channel_content', path: (c) => `/channels/${c.w.priv.id}/posts`, expect: PRIV_MEMBERS },
  { route: 'GET /channels/:channel_id/pinned', name: 'public: read_public_channel (the team)', path: (c) => `/channels/${c.w.pub.id}/pinned`, expect: TEAM },
  { route: 'GET /channels/:channel_id/pinned', name: 'private: read_channel_content', path: (c) => `/channels/${c.w.priv.id}/pinned`, expect: PRIV_MEMBERS },
  {
    route: 'GET /users/:user_id/channels/:channel_id/posts/unread',
    name: "the member's: edit_other_users, then read access",
    path: (c) => `/users/${c.w.accounts.member.id}/channels/${c.w.pub.id}/posts/unread`,
    expect: MEMBERS_OWN,
  },
];

// ---- reactions (api4/reaction.go): permissions on the post's channel, which the team does not grant ----

/** One emoji per role, so that the rows of different roles never touch the same reaction. */
const EMOJI: Record<Role, string> = {
  anon: 'smile',
  user: 'tada',
  outsider: 'rocket',
  nonMember: 'eyes',
  member: 'heart',
  teamAdmin: 'star',
  sysAdmin: 'fire',
};
/** Another set, for the reactions a role removes again. */
const OWN_EMOJI: Record<Role, string> = {
  anon: 'smiley',
  user: 'sparkles',
  outsider: 'airplane',
  nonMember: 'zap',
  member: 'sunny',
  teamAdmin: 'tulip',
  sysAdmin: 'snowflake',
};

const reactions: Row[] = [
  {
    route: 'POST /reactions',
    name: 'own reaction, public channel: add_reaction',
    path: () => '/reactions',
    body: (c) => ({ user_id: c.me === 'me' ? c.w.victim.id : c.me, post_id: c.w.postPub, emoji_name: EMOJI[c.role] }),
    expect: x('401 403 403 403 200 200 200'),
  },
  { route: 'GET /posts/:post_id/reactions', name: 'public channel: read_channel_content', path: (c) => `/posts/${c.w.postPub}/reactions`, expect: PUB_MEMBERS },
  {
    route: 'POST /posts/ids/reactions',
    name: 'read_channel_content on each',
    path: () => '/posts/ids/reactions',
    body: (c) => [c.w.postPub],
    expect: PUB_MEMBERS,
  },
  {
    route: 'DELETE /users/:user_id/posts/:post_id/reactions/:emoji_name',
    name: 'own reaction: remove_reaction',
    setup: async (c) => {
      if (c.token) await c.w.call(c.token, 'POST', '/reactions', { user_id: c.me, post_id: c.w.postPub, emoji_name: OWN_EMOJI[c.role] });
      return {};
    },
    path: (c) => `/users/${c.me}/posts/${c.w.postPub}/reactions/${OWN_EMOJI[c.role]}`,
    expect: PUB_MEMBERS,
  },
  {
    route: 'DELETE /users/:user_id/posts/:post_id/reactions/:emoji_name',
    name: "the member's reaction: remove_others_reactions (system admins)",
    setup: async (c) => {
      await c.w.must(c.w.accounts.member.token, 'POST', '/reactions', { user_id: c.w.accounts.member.id, post_id: c.w.postPub, emoji_name: EMOJI[c.role] });
      return {};
    },
    path: (c) => `/users/${c.w.accounts.member.id}/posts/${c.w.postPub}/reactions/${EMOJI[c.role]}`,
    expect: MEMBERS_OWN,
  },
];

// ---- files (api4/file.go): upload_file in the channel; a file is read by its uploader and its channel's readers ----

/** A text file the member uploads to the private channel (the raw-body form: the JSON body is the file). */
async function memberFile(c: Ctx): Promise<Record<string, any>> {
  const res = await c.w.must(c.w.accounts.member.token, 'POST', `/files?channel_id=${c.w.priv.id}&filename=matrix-${c.role}.txt`, { probe: c.role });
  return { fileId: res.file_infos[0].id };
}

const files: Row[] = [
  {
    route: 'GET /posts/:post_id/files/info',
    name: 'private channel post: read_channel_content',
    path: (c) => `/posts/${c.w.postPriv}/files/info`,
    expect: PRIV_MEMBERS,
  },
  {
    route: 'POST /files',
    name: 'raw body into the public channel: upload_file',
    path: (c) => `/files?channel_id=${c.w.pub.id}&filename=upload-${c.role}.txt`,
    body: (c) => ({ role: c.role }),
    expect: x('401 403 403 403 201 201 201'),
  },
  {
    route: 'POST /files',
    name: 'JSON body without channel_id: 400 once signed in',
    path: () => '/files',
    body: () => ({ channel_id: 'x' }),
    expect: x('401 400 400 400 400 400 400'),
  },
  {
    route: 'GET /files/:file_id',
    name: "the member's file in the private channel",
    setup: memberFile,
    path: (c) => `/files/${c.v.fileId}`,
    expect: PRIV_MEMBERS,
  },
  {
    route: 'GET /files/:file_id/info',
    name: "the member's file in the private channel",
    setup: memberFile,
    path: (c) => `/files/${c.v.fileId}/info`,
    expect: PRIV_MEMBERS,
  },
  {
    route: 'GET /files/:file_id/thumbnail',
    name: 'a text file has no thumbnail: 400 for its readers',
    setup: memberFile,
    path: (c) => `/files/${c.v.fileId}/thumbnail`,
    expect: x('401 403 403 403 400 403 400'),
  },
  {
    route: 'GET /files/:file_id/preview',
    name: 'a text file has no preview: 400 for its readers',
    setup: memberFile,
    path: (c) => `/files/${c.v.fileId}/preview`,
    expect: x('401 403 403 403 400 403 400'),
  },
  // File search only looks into the caller's own channels: no refusal beyond the team's view_team.
  { route: 'POST /files/search', name: "the caller's own channels", path: () => '/files/search', body: () => ({ terms: 'matrix' }), expect: SIGNED_IN },
  {
    route: 'POST /teams/:team_id/files/search',
    name: 'view_team',
    path: (c) => `/teams/${c.w.teamA.id}/files/search`,
    body: () => ({ terms: 'matrix' }),
    expect: TEAM,
  },
  {
    route: 'GET /files/:file_id/link',
    // Mattermost checks EnablePublicLink (off by default) before the file; the rest is in public-links.e2e.spec.ts.
    name: 'public links off (the default): 403 for every session',
    setup: memberFile,
    path: (c) => `/files/${c.v.fileId}/link`,
    expect: x('401 403 403 403 403 403 403'),
  },
  {
    route: 'GET /files/:file_id/public',
    name: 'no session needed; public links off (the default): the error page with 403 for everyone',
    web: true,
    setup: memberFile,
    path: (c) => `/files/${c.v.fileId}/public?h=matrix`,
    expect: x('403 403 403 403 403 403 403'),
  },
];

// ---- resumable uploads (api4/upload.go, issue 12): upload_file in the channel; a session is its creator's ----

/** The body every chunk row sends, and the size of the session it completes. */
const CHUNK = { chunk: 'matrix' };
const CHUNK_SIZE = JSON.stringify(CHUNK).length;

/** An upload session of the member's in the public channel, as big as CHUNK. */
async function memberUpload(c: Ctx): Promise<Record<string, any>> {
  const us = await c.w.must(c.w.accounts.member.token, 'POST', '/uploads', { channel_id: c.w.pub.id, filename: `matrix-${c.role}.txt`, file_size: CHUNK_SIZE });
  return { uploadId: us.id };
}

const uploads: Row[] = [
  {
    route: 'POST /uploads',
    name: 'upload_file in the public channel',
    path: () => '/uploads',
    body: (c) => ({ channel_id: c.w.pub.id, filename: `session-${c.role}.txt`, file_size: 10 }),
    expect: x('401 403 403 403 201 201 201'),
  },
  {
    route: 'GET /uploads/:upload_id',
    name: "the member's session: its creator, or a system admin",
    setup: memberUpload,
    path: (c) => `/uploads/${c.v.uploadId}`,
    expect: x('401 403 403 403 200 403 200'),
  },
  {
    route: 'POST /uploads/:upload_id',
    // Mattermost's uploadData: the creator only, system admins included (200: the handler sets no status).
    name: "the member's session, the whole file in one chunk: its creator only",
    setup: memberUpload,
    path: (c) => `/uploads/${c.v.uploadId}`,
    body: () => CHUNK,
    expect: x('401 403 403 403 200 403 403'),
  },
  {
    route: 'POST /uploads',
    // api4/upload.go createUpload: an import upload is the system admin's (no channel to check).
    name: 'an import file (type import): manage_system',
    path: () => '/uploads',
    body: (c) => ({ type: 'import', filename: `import-${c.role}.zip`, file_size: 10 }),
    expect: x('401 403 403 403 403 403 201'),
  },
  {
    route: 'POST /uploads/:upload_id',
    // api4/upload.go uploadData: an import upload is any system admin's to continue.
    name: "the system admin's import upload: manage_system",
    setup: async (c) => ({
      uploadId: (await c.w.must(c.w.accounts.sysAdmin.token, 'POST', '/uploads', { type: 'import', filename: `matrix-${c.role}.zip`, file_size: CHUNK_SIZE }))
        .id,
    }),
    path: (c) => `/uploads/${c.v.uploadId}`,
    body: () => CHUNK,
    expect: x('401 403 403 403 403 403 200'),
  },
  { route: 'GET /users/:user_id/uploads', name: 'own', path: (c) => `/users/${c.me}/uploads`, expect: SIGNED_IN },
  {
    route: 'GET /users/:user_id/uploads',
    name: "another user's: nobody, not even a system admin",
    path: (c) => `/users/${c.w.victim.id}/uploads`,
    expect: x('401 403 403 403 403 403 403'),
  },
];

// ---- preferences (api4/preference.go): one's own, or anyone's with edit_other_users ----------------------

const pref = (userId: string, value = '1') => [{ user_id: userId, category: 'matrix', name: 'probe', value }];
const ownPref = async (c: Ctx) => {
  if (c.token) await c.w.must(c.token, 'PUT', `/users/${c.me}/preferences`, pref(c.me));
  return {};
};

const preferences: Row[] = [
  { route: 'GET /users/:user_id/preferences', name: 'own', path: (c) => `/users/${c.me}/preferences`, expect: SIGNED_IN },
  { route: 'GET /users/:user_id/preferences', name: "someone else's", path: (c) => `/users/${c.w.victim.id}/preferences`, expect: SYSADMIN },
  { route: 'PUT /users/:user_id/preferences', name: 'own', path: (c) => `/users/${c.me}/preferences`, body: (c) => pref(c.me), expect: SIGNED_IN },
  {
    route: 'PUT /users/:user_id/preferences',
    name: "someone else's",
    path: (c) => `/users/${c.w.victim.id}/preferences`,
    body: (c) => pref(c.w.victim.id),
    expect: SYSADMIN,
  },
  {
    route: 'POST /users/:user_id/preferences/delete',
    name: 'own',
    path: (c) => `/users/${c.me}/preferences/delete`,
    body: (c) => [{ user_id: c.me, category: 'matrix', name: 'gone', value: '1' }],
    expect: SIGNED_IN,
  },
  {
    route: 'POST /users/:user_id/preferences/delete',
    name: "someone else's",
    path: (c) => `/users/${c.w.victim.id}/preferences/delete`,
    body: (c) => [{ user_id: c.w.victim.id, category: 'matrix', name: 'gone', value: '1' }],
    expect: SYSADMIN,
  },
  { route: 'GET /users/:user_id/preferences/:category', name: 'own', setup: ownPref, path: (c) => `/users/${c.me}/preferences/matrix`, expect: SIGNED_IN },
  {
    route: 'GET /users/:user_id/preferences/:category',
    name: "someone else's",
    path: (c) => `/users/${c.w.victim.id}/preferences/${c.w.prefCategory}`,
    expect: SYSADMIN,
  },
  {
    route: 'GET /users/:user_id/preferences/:category/name/:name',
    name: 'own',
    setup: ownPref,
    path: (c) => `/users/${c.me}/preferences/matrix/name/probe`,
    expect: SIGNED_IN,
  },
  {
    route: 'GET /users/:user_id/preferences/:category/name/:name',
    name: "someone else's",
    path: (c) => `/users/${c.w.victim.id}/preferences/${c.w.prefCategory}/name/probe`,
    expect: SYSADMIN,
  },
];

// ---- statuses and typing (api4/status.go, api4/user.go) ----------------------------------------------

const statuses: Row[] = [
  { route: 'POST /users/status/ids', name: "anyone's", path: () => '/users/status/ids', body: (c) => [c.w.victim.id], expect: SIGNED_IN },
  { route: 'GET /users/:user_id/status', name: "anyone's", path: (c) => `/users/${c.w.victim.id}/status`, expect: SIGNED_IN },
  {
    route: 'PUT /users/:user_id/status',
    name: 'own',
    path: (c) => `/users/${c.me}/status`,
    body: (c) => ({ user_id: c.me === 'me' ? c.w.victim.id : c.me, status: 'online' }),
    expect: SIGNED_IN,
  },
  {
    route: 'PUT /users/:user_id/status',
    name: "someone else's: edit_other_users",
    path: (c) => `/users/${c.w.victim.id}/status`,
    body: (c) => ({ user_id: c.w.victim.id, status: 'online' }),
    expect: SYSADMIN,
  },
  {
    route: 'POST /users/:user_id/typing',
    name: 'oneself, public channel: create_post there',
    path: (c) => `/users/${c.me}/typing`,
    body: (c) => ({ channel_id: c.w.pub.id }),
    expect: PUB_MEMBERS,
  },
  {
    route: 'POST /users/:user_id/typing',
    // For someone else: manage_system, then that user's create_post.
    name: 'as the member: manage_system',
    path: (c) => `/users/${c.w.accounts.member.id}/typing`,
    body: (c) => ({ channel_id: c.w.pub.id }),
    expect: MEMBERS_OWN,
  },
];

// ---- system, config, cluster, jobs (api4/system.go, config.go, cluster.go, job.go) --------------------------

const system: Row[] = [
  { route: 'GET /system/ping', name: 'no session needed', path: () => '/system/ping', expect: EVERYONE },
  { route: 'GET /license/client', name: 'no session needed', path: () => '/license/client?format=old', expect: EVERYONE },
  // Any session; only a system admin is told the active user count (the body, not the status).
  { route: 'GET /limits/server', name: 'any session', path: () => '/limits/server', expect: SIGNED_IN },
  { route: 'GET /config/client', name: 'no session needed', path: () => '/config/client?format=old', expect: EVERYONE },
  { route: 'GET /config', name: 'sysconsole read permissions', path: () => '/config', expect: SYSADMIN },
  {
    route: 'PUT /config',
    name: 'sysconsole write permissions',
    setup: async (c) => ({ config: await c.w.must(c.w.accounts.sysAdmin.token, 'GET', '/config') }),
    path: () => '/config',
    body: (c) => c.v.config,
    expect: SYSADMIN,
  },
  {
    route: 'PUT /config/patch',
    name: 'sysconsole write permissions',
    path: () => '/config/patch',
    body: () => ({ TeamSettings: { SiteName: 'Mattermost' } }),
    expect: SYSADMIN,
  },
  { route: 'POST /config/reload', name: 'reload_config', path: () => '/config/reload', expect: SYSADMIN },
  { route: 'GET /config/environment', name: 'manage_system', path: () => '/config/environment', expect: SYSADMIN },
  // The world's server has no S3 bucket configured: past the permission check, a clear 400.
  { route: 'POST /file/s3_test', name: 'test_s3', path: () => '/file/s3_test', body: () => ({}), expect: x('401 403 403 403 403 403 400') },
  // The matrix server's SMTP settings are the defaults (localhost:10025, where nothing listens):
  // past test_email, the SMTP server's failure (502, as POST /file/s3_test answers for its store).
  { route: 'POST /email/test', name: 'test_email', path: () => '/email/test', body: () => ({}), expect: x('401 403 403 403 403 403 502') },
  { route: 'GET /cluster/status', name: 'sysconsole_read_environment_high_availability', path: () => '/cluster/status', expect: SYSADMIN },
  // api4/export.go: the export_process job's zips, manage_system. The world has no export: past the check, 404.
  { route: 'GET /exports', name: 'manage_system', path: () => '/exports', expect: SYSADMIN },
  {
    route: 'GET /exports/:export_name',
    name: 'manage_system, then no such export',
    path: () => '/exports/none_export.zip',
    expect: x('401 403 403 403 403 403 404'),
  },
  {
    route: 'DELETE /exports/:export_name',
    name: 'manage_system, then no such export',
    path: () => '/exports/none_export.zip',
    expect: x('401 403 403 403 403 403 404'),
  },
  { route: 'GET /jobs', name: 'read permission of some job type', path: () => '/jobs', expect: SYSADMIN },
  // api4/import.go: the files waiting in ImportSettings.Directory are the system admin's.
  { route: 'GET /imports', name: 'manage_system', path: () => '/imports', expect: SYSADMIN },
  {
    route: 'DELETE /imports/:import_name',
    name: 'manage_system (a name that is not there is no error)',
    path: (c) => `/imports/matrix-${c.role}.zip`,
    expect: SYSADMIN,
  },
  {
    route: 'POST /jobs',
    name: "the type's create permission",
    path: () => '/jobs',
    body: () => ({ type: 'data_retention' }),
    expect: x('401 403 403 403 403 403 201'),
  },
  { route: 'GET /jobs/type/:job_type', name: "the type's read permission", path: () => '/jobs/type/data_retention', expect: SYSADMIN },
  { route: 'GET /jobs/:job_id', name: "the type's read permission", path: (c) => `/jobs/${c.w.jobId}`, expect: SYSADMIN },
  {
    route: 'POST /jobs/:job_id/cancel',
    name: "the type's create permission",
    setup: async (c) => ({ job: await c.w.pendingJob() }),
    path: (c) => `/jobs/${c.v.job}/cancel`,
    expect: SYSADMIN,
  },
  // api4/ldap.go, without the licence check. With EnableSync off (the default) the sync answers OK
  // and starts nothing, as Mattermost's SyncLdap; the test answers 501 while LDAP is off.
  { route: 'POST /ldap/sync', name: 'create_ldap_sync_job', path: () => '/ldap/sync', expect: SYSADMIN },
  { route: 'POST /ldap/test', name: 'test_ldap, then LDAP off: 501', path: () => '/ldap/test', expect: x('401 403 403 403 403 403 501') },
];

// ---- mobile push (issue 15: api4/user.go attachDeviceId, api4/system.go pushNotificationAck) ------------

const idLoadedAck = (postId: string) => ({ id: 'matrixack', platform: 'android', type: 'message', post_id: postId, received_at: 1, is_id_loaded: true });

const push: Row[] = [
  {
    route: 'PUT /users/sessions/device',
    // The caller's own session becomes a mobile one: a throwaway account's, so no other row sees it.
    name: 'own session: any session',
    caller: 'fresh',
    path: () => '/users/sessions/device',
    body: () => ({ device_id: 'android_rn:matrixdevice' }),
    expect: SIGNED_IN,
  },
  {
    route: 'PUT /users/sessions/device',
    name: 'an unknown platform: 400 for everyone signed in',
    path: () => '/users/sessions/device',
    body: () => ({ device_id: 'windows:matrixdevice' }),
    expect: x('401 400 400 400 400 400 400'),
  },
  {
    route: 'POST /notifications/ack',
    name: 'a plain ack: any session',
    path: () => '/notifications/ack',
    body: () => ({ id: 'matrixack', platform: 'android', type: 'message', received_at: 1, is_id_loaded: false }),
    expect: SIGNED_IN,
  },
  {
    route: 'POST /notifications/ack',
    // GetPostIfAuthorized: read_channel_content, or for a public channel read_public_channel on its team.
    name: 'an id-loaded ack of a public channel post: its team reads it',
    path: () => '/notifications/ack',
    body: (c) => idLoadedAck(c.w.postPub),
    expect: TEAM,
  },
  {
    route: 'POST /notifications/ack',
    name: 'an id-loaded ack of a private channel post: read_channel_content',
    path: () => '/notifications/ack',
    body: (c) => idLoadedAck(c.w.postPriv),
    expect: PRIV_MEMBERS,
  },
];

// ---- OpenID Connect / OAuth sign-in (issue 11): browser routes outside /api/v4 ----------------

/**
 * No session needed (Mattermost's APIHandler). A browser route never answers with an AppError:
 * with the service disabled (as on this suite's server) every one ends on the web app's error
 * page with a 302, where Mattermost's answers a disabled service with a 501 JSON AppError.
 */
const WEB_REDIRECT = x('302 302 302 302 302 302 302');

const oauthLogin: Row[] = [
  {
    route: 'GET /oauth/:service/login',
    name: 'anyone (a disabled service: the error page)',
    web: true,
    path: () => '/oauth/openid/login',
    expect: WEB_REDIRECT,
  },
  {
    route: 'GET /oauth/:service/signup',
    name: 'anyone (a disabled service: the error page)',
    web: true,
    path: () => '/oauth/gitlab/signup',
    expect: WEB_REDIRECT,
  },
  {
    route: 'GET /oauth/:service/mobile_login',
    name: 'anyone (a disabled service: the error page)',
    web: true,
    path: () => '/oauth/google/mobile_login?redirect_to=mmauth%3A%2F%2Fcallback',
    expect: WEB_REDIRECT,
  },
  {
    route: 'GET /oauth/:service/complete',
    name: 'anyone (no sign-in under way: the error page)',
    web: true,
    path: () => '/oauth/openid/complete?code=c&state=s',
    expect: WEB_REDIRECT,
  },
  {
    route: 'GET /signup/:service/complete',
    name: 'anyone (no sign-in under way: the error page)',
    web: true,
    path: () => '/signup/office365/complete?code=c&state=s',
    expect: WEB_REDIRECT,
  },
  {
    route: 'GET /login/:service/complete',
    name: 'anyone (no sign-in under way: the error page)',
    web: true,
    path: () => '/login/gitlab/complete?error=access_denied',
    expect: WEB_REDIRECT,
  },
];

// ---- SAML (issue 11): api4/saml.go's permissions; the browser routes of web/saml.go.
const SAML_NOT_CERTIFICATE = x('401 403 403 403 403 403 400');
const saml: Row[] = [
  // APIHandler: the IdP's administrator fetches it without a session (built from SiteURL here).
  { route: 'GET /saml/metadata', name: 'public', path: () => '/saml/metadata', expect: EVERYONE },
  {
    route: 'POST /saml/metadatafromidp',
    // The permission passes for the admin; the loopback address is then refused (AllowedUntrustedInternalConnections).
    name: 'get_saml_metadata_from_idp',
    path: () => '/saml/metadatafromidp',
    body: () => ({ saml_metadata_url: 'http://127.0.0.1:9/metadata' }),
    expect: SAML_NOT_CERTIFICATE,
  },
  // The JSON body the suite sends is no certificate: the admin passes the permission and gets a 400.
  { route: 'POST /saml/certificate/idp', name: 'add_saml_idp_cert', path: () => '/saml/certificate/idp', body: () => ({}), expect: SAML_NOT_CERTIFICATE },
  {
    route: 'POST /saml/certificate/public',
    name: 'add_saml_public_cert',
    path: () => '/saml/certificate/public',
    body: () => ({}),
    expect: SAML_NOT_CERTIFICATE,
  },
  {
    route: 'POST /saml/certificate/private',
    name: 'add_saml_private_cert',
    path: () => '/saml/certificate/private',
    body: () => ({}),
    expect: SAML_NOT_CERTIFICATE,
  },
  { route: 'DELETE /saml/certificate/idp', name: 'remove_saml_idp_cert', path: () => '/saml/certificate/idp', expect: SYSADMIN },
  { route: 'DELETE /saml/certificate/public', name: 'remove_saml_public_cert', path: () => '/saml/certificate/public', expect: SYSADMIN },
  { route: 'DELETE /saml/certificate/private', name: 'remove_saml_private_cert', path: () => '/saml/certificate/private', expect: SYSADMIN },
  { route: 'GET /saml/certificate/status', name: 'get_saml_cert_status', path: () => '/saml/certificate/status', expect: SYSADMIN },
  {
    route: 'POST /saml/reset_auth_data',
    name: 'manage_system (a dry run)',
    path: () => '/saml/reset_auth_data',
    body: () => ({ dry_run: true }),
    expect: SYSADMIN,
  },
  // Browser routes: never JSON; SAML is off here, so everyone is sent to the error page.
  {
    route: 'GET /login/sso/saml',
    name: 'public (SAML off: the error page)',
    web: true,
    path: () => '/login/sso/saml',
    expect: x('302 302 302 302 302 302 302'),
  },
  {
    route: 'POST /login/sso/saml',
    name: 'public (no response: the error page)',
    web: true,
    path: () => '/login/sso/saml',
    expect: x('302 302 302 302 302 302 302'),
  },
];

// ---- custom emoji (api4/emoji.go, issue 12) -----------------------------------------------------
// Every user holds create_emojis and delete_emojis (system_user); only system admins hold
// delete_others_emojis. Reading custom emoji needs a session and nothing else: they are server-wide.

const customEmoji: Row[] = [
  {
    route: 'POST /emoji',
    // The table sends JSON; the multipart creates (and their refusals) are in emoji.e2e.spec.ts.
    name: 'create_emojis (every user), then the form: a JSON body is no multipart form (400)',
    path: () => '/emoji',
    body: (c) => ({ name: c.w.unique('matrixemoji'), creator_id: c.me }),
    expect: x('401 400 400 400 400 400 400'),
  },
  { route: 'GET /emoji', name: 'any session', path: () => '/emoji?sort=name', expect: SIGNED_IN },
  { route: 'GET /emoji/autocomplete', name: 'any session', path: () => '/emoji/autocomplete?name=matrix', expect: SIGNED_IN },
  { route: 'POST /emoji/names', name: 'any session', path: () => '/emoji/names', body: () => ['matrix_probe'], expect: SIGNED_IN },
  { route: 'POST /emoji/search', name: 'any session', path: () => '/emoji/search', body: () => ({ term: 'matrix' }), expect: SIGNED_IN },
  {
    route: 'GET /emoji/name/:emoji_name',
    name: "any session, another user's emoji",
    setup: async (c) => c.w.customEmoji(c.w.accounts.member.token, c.w.accounts.member.id),
    path: (c) => `/emoji/name/${c.v.name}`,
    expect: SIGNED_IN,
  },
  {
    route: 'GET /emoji/:emoji_id',
    name: "any session, another user's emoji",
    setup: async (c) => c.w.customEmoji(c.w.accounts.member.token, c.w.accounts.member.id),
    path: (c) => `/emoji/${c.v.id}`,
    expect: SIGNED_IN,
  },
  {
    route: 'GET /emoji/:emoji_id/image',
    name: "any session, another user's emoji",
    setup: async (c) => c.w.customEmoji(c.w.accounts.member.token, c.w.accounts.member.id),
    path: (c) => `/emoji/${c.v.id}/image`,
    expect: SIGNED_IN,
  },
  {
    route: 'DELETE /emoji/:emoji_id',
    name: "the member's emoji: its creator (delete_emojis) or delete_others_emojis (system admins)",
    setup: async (c) => c.w.customEmoji(c.w.accounts.member.token, c.w.accounts.member.id),
    path: (c) => `/emoji/${c.v.id}`,
    expect: MEMBERS_OWN,
  },
];

// ---- bots (api4/bot.go, issue 14): the bot permissions are the system admin's by default ----------
// (create_bot, read_bots, read_others_bots, manage_bots, manage_others_bots). The suite's server has
// EnableBotAccountCreation on. A bot the caller may not read is "not found" (MakeBotNotFoundError),
// so every role but the system admin gets 404 on the rows that manage one.

/** A new bot owned by the system admin. */
async function newBot(c: Ctx): Promise<Record<string, any>> {
  const bot = await c.w.must(c.w.accounts.sysAdmin.token, 'POST', '/bots', { username: c.w.unique('mbot'), description: 'matrix' });
  return { bot: bot.user_id };
}
const BOT_HIDDEN = x('401 404 404 404 404 404 200');

const bots: Row[] = [
  {
    route: 'POST /bots',
    name: 'create_bot (then EnableBotAccountCreation)',
    path: () => '/bots',
    body: (c) => ({ username: c.w.unique('newbot') }),
    expect: x('401 403 403 403 403 403 201'),
  },
  { route: 'GET /bots', name: 'read_bots (own) or read_others_bots (all)', path: () => '/bots', expect: SYSADMIN },
  {
    route: 'GET /bots/:bot_user_id',
    name: "the system admin's bot: read_others_bots, else not found",
    setup: newBot,
    path: (c) => `/bots/${c.v.bot}`,
    expect: BOT_HIDDEN,
  },
  {
    route: 'PUT /bots/:bot_user_id',
    name: "the system admin's bot: manage_others_bots, else not found",
    setup: newBot,
    path: (c) => `/bots/${c.v.bot}`,
    body: () => ({ description: 'patched' }),
    expect: BOT_HIDDEN,
  },
  {
    route: 'POST /bots/:bot_user_id/disable',
    name: 'manage_others_bots, else not found',
    setup: newBot,
    path: (c) => `/bots/${c.v.bot}/disable`,
    expect: BOT_HIDDEN,
  },
  {
    route: 'POST /bots/:bot_user_id/enable',
    name: 'a disabled bot: manage_others_bots, else not found',
    setup: async (c) => {
      const v = await newBot(c);
      await c.w.must(c.w.accounts.sysAdmin.token, 'POST', `/bots/${v.bot}/disable`);
      return v;
    },
    path: (c) => `/bots/${c.v.bot}/enable`,
    expect: BOT_HIDDEN,
  },
  {
    route: 'POST /bots/:bot_user_id/assign/:user_id',
    name: 'to the victim: manage_others_bots, else not found',
    setup: newBot,
    path: (c) => `/bots/${c.v.bot}/assign/${c.w.victim.id}`,
    expect: BOT_HIDDEN,
  },
  {
    route: 'POST /bots/:bot_user_id/convert_to_user',
    name: 'manage_system (after the bot is found and the patch has a password)',
    setup: newBot,
    path: (c) => `/bots/${c.v.bot}/convert_to_user`,
    body: () => ({ password: 'Passw0rd!converted' }),
    expect: SYSADMIN,
  },
  {
    route: 'GET /bots/:bot_user_id/icon',
    name: 'any session (a bot with an icon)',
    setup: async (c) => {
      const v = await newBot(c);
      const form = new FormData();
      form.append('image', new File(['<svg xmlns="http://www.w3.org/2000/svg"/>'], 'icon.svg', { type: 'image/svg+xml' }));
      const res = await fetch(`${c.w.apiUrl}/bots/${v.bot}/icon`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${c.w.accounts.sysAdmin.token}` },
        body: form,
      });
      if (res.status !== 200) throw new Error(`setup: POST /bots/{id}/icon → ${res.status}`);
      return v;
    },
    path: (c) => `/bots/${c.v.bot}/icon`,
    expect: SIGNED_IN,
  },
  {
    route: 'POST /bots/:bot_user_id/icon',
    // No multipart body: past the permission check it is a 400 (no file).
    name: 'manage_others_bots, else not found (an empty body: 400)',
    setup: newBot,
    path: (c) => `/bots/${c.v.bot}/icon`,
    expect: x('401 404 404 404 404 404 400'),
  },
  {
    route: 'DELETE /bots/:bot_user_id/icon',
    name: 'manage_others_bots, else not found',
    setup: newBot,
    path: (c) => `/bots/${c.v.bot}/icon`,
    expect: BOT_HIDDEN,
  },
  {
    route: 'POST /users/:user_id/convert_to_bot',
    name: 'a new user: manage_system',
    setup: async (c) => ({ user: (await c.w.freshUser()).id }),
    path: (c) => `/users/${c.v.user}/convert_to_bot`,
    expect: SYSADMIN,
  },
];

// ---- the OAuth 2.0 provider (api4/oauth.go, web/oauth.go, issue 14) ---------------------------
// manage_oauth and manage_system_wide_oauth are the system admin's by default. The provider's own
// routes live at the site's root (`web`): the authorization page, the consent POST, deauthorizing,
// the token endpoint (no session: the client authenticates in its form) and the RFC 8414 metadata.

const MATRIX_CALLBACK = 'https://matrix.example.com/callback';

/** A new app of the system admin's; `trusted` skips the consent step. */
async function newOAuthApp(c: Ctx, trusted = false): Promise<Record<string, any>> {
  const app = await c.w.must(c.w.accounts.sysAdmin.token, 'POST', '/oauth/apps', {
    name: 'Matrix app',
    homepage: 'https://matrix.example.com',
    callback_urls: [MATRIX_CALLBACK],
    is_trusted: trusted,
  });
  return { app: app.id, secret: app.client_secret };
}
const authorizeQuery = (c: Ctx) => new URLSearchParams({ response_type: 'code', client_id: c.v.app, redirect_uri: MATRIX_CALLBACK, state: 'matrix' });
const appBody = (c: Ctx) => ({ id: c.v.app, name: 'Matrix app, renamed', homepage: 'https://matrix.example.com', callback_urls: [MATRIX_CALLBACK] });

const oauthProvider: Row[] = [
  {
    route: 'POST /oauth/apps',
    name: 'manage_oauth',
    path: () => '/oauth/apps',
    body: () => ({ name: 'New app', homepage: 'https://new.example.com', callback_urls: [MATRIX_CALLBACK] }),
    expect: x('401 403 403 403 403 403 201'),
  },
  { route: 'GET /oauth/apps', name: 'manage_oauth (all apps with manage_system_wide_oauth)', path: () => '/oauth/apps', expect: SYSADMIN },
  {
    route: 'GET /oauth/apps/:app_id',
    name: "the system admin's app: manage_oauth, then creator or manage_system_wide_oauth",
    setup: (c) => newOAuthApp(c),
    path: (c) => `/oauth/apps/${c.v.app}`,
    expect: SYSADMIN,
  },
  {
    route: 'PUT /oauth/apps/:app_id',
    name: 'manage_oauth, then creator or manage_system_wide_oauth',
    setup: (c) => newOAuthApp(c),
    path: (c) => `/oauth/apps/${c.v.app}`,
    body: appBody,
    expect: SYSADMIN,
  },
  {
    route: 'DELETE /oauth/apps/:app_id',
    name: 'manage_oauth, then creator or manage_system_wide_oauth',
    setup: (c) => newOAuthApp(c),
    path: (c) => `/oauth/apps/${c.v.app}`,
    expect: SYSADMIN,
  },
  {
    route: 'POST /oauth/apps/:app_id/regen_secret',
    name: 'manage_oauth, then creator or manage_system_wide_oauth',
    setup: (c) => newOAuthApp(c),
    path: (c) => `/oauth/apps/${c.v.app}/regen_secret`,
    expect: SYSADMIN,
  },
  {
    route: 'GET /oauth/apps/:app_id/info',
    name: 'any session (no secret in it)',
    setup: (c) => newOAuthApp(c),
    path: (c) => `/oauth/apps/${c.v.app}/info`,
    expect: SIGNED_IN,
  },
  {
    route: 'GET /users/:user_id/oauth/apps/authorized',
    name: 'their own: any session',
    path: (c) => `/users/${c.me}/oauth/apps/authorized`,
    expect: SIGNED_IN,
  },
  {
    route: 'GET /users/:user_id/oauth/apps/authorized',
    name: "the victim's: edit_other_users",
    path: (c) => `/users/${c.w.victim.id}/oauth/apps/authorized`,
    expect: SYSADMIN,
  },
  {
    route: 'GET /oauth/authorize',
    name: 'a trusted app: signed out, to the login page; signed in, back to the app with a code',
    web: true,
    setup: (c) => newOAuthApp(c, true),
    path: (c) => `/oauth/authorize?${authorizeQuery(c).toString()}`,
    expect: WEB_REDIRECT,
  },
  {
    route: 'POST /oauth/authorize',
    name: 'the consent step: any session',
    web: true,
    setup: (c) => newOAuthApp(c),
    path: () => '/oauth/authorize',
    body: (c) => Object.fromEntries(authorizeQuery(c)),
    expect: SIGNED_IN,
  },
  {
    route: 'POST /oauth/deauthorize',
    name: "withdrawing one's consent: any session",
    web: true,
    setup: (c) => newOAuthApp(c),
    path: () => '/oauth/deauthorize',
    body: (c) => ({ client_id: c.v.app }),
    expect: SIGNED_IN,
  },
  {
    route: 'POST /oauth/access_token',
    // The client authenticates with its id and secret in a form; a session changes nothing, and a
    // JSON body is no form (api.oauth.get_access_token.bad_grant.app_error).
    name: 'no session needed; a JSON body is refused for everyone',
    web: true,
    setup: (c) => newOAuthApp(c),
    path: () => '/oauth/access_token',
    body: (c) => ({ grant_type: 'refresh_token', refresh_token: 'x', client_id: c.v.app, client_secret: c.v.secret }),
    expect: x('400 400 400 400 400 400 400'),
  },
  {
    route: 'GET /.well-known/oauth-authorization-server',
    name: 'public metadata (RFC 8414)',
    web: true,
    path: () => '/.well-known/oauth-authorization-server',
    expect: EVERYONE,
  },
];

// ---- webhooks (api4/webhook.go, web/webhook.go; issue 14) ----------------------------------------
// EnableOnlyAdminIntegrations is on (the default): manage_own_* and manage_others_* webhooks belong
// to team_admin and system_admin. Each hook a row changes is made for that request by the system admin.

const MANAGE_WEBHOOKS = x('401 403 403 403 403 200 200');

const incomingHook = async (c: Ctx, channelId = c.w.pub.id) => ({
  hook: await c.w.must(c.w.accounts.sysAdmin.token, 'POST', '/hooks/incoming', { channel_id: channelId, display_name: 'matrix' }),
});
const outgoingHook = async (c: Ctx) => ({
  hook: await c.w.must(c.w.accounts.sysAdmin.token, 'POST', '/hooks/outgoing', {
    team_id: c.w.teamA.id,
    trigger_words: [c.w.unique('word')],
    callback_urls: [`http://hooks.invalid/${c.w.unique('cb')}`],
  }),
});

const webhooks: Row[] = [
  {
    route: 'POST /hooks/incoming',
    name: 'manage_own_incoming_webhooks on the team, reading the public channel',
    path: () => '/hooks/incoming',
    body: (c) => ({ channel_id: c.w.pub.id, display_name: 'matrix' }),
    expect: x('401 403 403 403 403 201 201'),
  },
  {
    route: 'POST /hooks/incoming',
    name: 'a private channel also needs reading it (teamAdmin is not in it)',
    path: () => '/hooks/incoming',
    body: (c) => ({ channel_id: c.w.priv.id }),
    expect: x('401 403 403 403 403 403 201'),
  },
  {
    route: 'GET /hooks/incoming',
    name: "a team's: manage_own_incoming_webhooks there",
    path: (c) => `/hooks/incoming?team_id=${c.w.teamA.id}`,
    expect: MANAGE_WEBHOOKS,
  },
  { route: 'GET /hooks/incoming', name: 'every team: the system permission', path: () => '/hooks/incoming', expect: SYSADMIN },
  {
    route: 'GET /hooks/incoming/:hook_id',
    name: "the system admin's hook on the public channel: manage_own and manage_others on the team",
    setup: incomingHook,
    path: (c) => `/hooks/incoming/${c.v.hook.id}`,
    expect: MANAGE_WEBHOOKS,
  },
  {
    route: 'GET /hooks/incoming/:hook_id',
    name: 'a hook on the private channel: also reading it',
    setup: (c) => incomingHook(c, c.w.priv.id),
    path: (c) => `/hooks/incoming/${c.v.hook.id}`,
    expect: x('401 403 403 403 403 403 200'),
  },
  {
    route: 'PUT /hooks/incoming/:hook_id',
    name: 'manage_own and manage_others on the team (Mattermost answers 201)',
    setup: incomingHook,
    path: (c) => `/hooks/incoming/${c.v.hook.id}`,
    body: (c) => ({ ...c.v.hook, display_name: 'renamed' }),
    expect: x('401 403 403 403 403 201 201'),
  },
  {
    route: 'DELETE /hooks/incoming/:hook_id',
    name: 'manage_own and manage_others on the team',
    setup: incomingHook,
    path: (c) => `/hooks/incoming/${c.v.hook.id}`,
    expect: MANAGE_WEBHOOKS,
  },
  {
    route: 'POST /hooks/:hook_id',
    name: 'no session needed: whoever holds the hook id posts (plain-text ok)',
    web: true,
    setup: incomingHook,
    path: (c) => `/hooks/${c.v.hook.id}`,
    body: () => ({ text: 'matrix webhook' }),
    expect: EVERYONE,
  },
  {
    route: 'POST /hooks/:hook_id',
    name: 'an unknown hook: 400 for everyone',
    web: true,
    path: () => `/hooks/${'h'.repeat(26)}`,
    body: () => ({ text: 'matrix webhook' }),
    expect: x('400 400 400 400 400 400 400'),
  },
  {
    route: 'POST /hooks/outgoing',
    name: 'manage_own_outgoing_webhooks on the team',
    path: () => '/hooks/outgoing',
    body: (c) => ({ team_id: c.w.teamA.id, trigger_words: [c.w.unique('word')], callback_urls: ['http://hooks.invalid/create'] }),
    expect: x('401 403 403 403 403 201 201'),
  },
  {
    route: 'GET /hooks/outgoing',
    name: "a team's: manage_own_outgoing_webhooks there",
    path: (c) => `/hooks/outgoing?team_id=${c.w.teamA.id}`,
    expect: MANAGE_WEBHOOKS,
  },
  {
    route: 'GET /hooks/outgoing',
    name: "a channel's: the channel's roles, then its team's",
    path: (c) => `/hooks/outgoing?channel_id=${c.w.pub.id}`,
    expect: MANAGE_WEBHOOKS,
  },
  { route: 'GET /hooks/outgoing', name: 'every team: the system permission', path: () => '/hooks/outgoing', expect: SYSADMIN },
  {
    route: 'GET /hooks/outgoing/:hook_id',
    name: 'manage_own and manage_others on the team (the token is in the answer)',
    setup: outgoingHook,
    path: (c) => `/hooks/outgoing/${c.v.hook.id}`,
    expect: MANAGE_WEBHOOKS,
  },
  {
    route: 'PUT /hooks/outgoing/:hook_id',
    name: 'manage_own and manage_others on the team',
    setup: outgoingHook,
    path: (c) => `/hooks/outgoing/${c.v.hook.id}`,
    body: (c) => ({ ...c.v.hook, display_name: 'renamed' }),
    expect: MANAGE_WEBHOOKS,
  },
  {
    route: 'DELETE /hooks/outgoing/:hook_id',
    name: 'manage_own and manage_others on the team',
    setup: outgoingHook,
    path: (c) => `/hooks/outgoing/${c.v.hook.id}`,
    expect: MANAGE_WEBHOOKS,
  },
  {
    route: 'POST /hooks/outgoing/:hook_id/regen_token',
    name: 'manage_own and manage_others on the team',
    setup: outgoingHook,
    path: (c) => `/hooks/outgoing/${c.v.hook.id}/regen_token`,
    expect: MANAGE_WEBHOOKS,
  },
];

export const ROWS: Row[] = [
  ...users,
  ...webhooks,
  ...saml,
  ...tokens,
  ...userTeams,
  ...teams,
  ...teamChannels,
  ...userChannels,
  ...channels,
  ...posts,
  ...reactions,
  ...files,
  ...uploads,
  ...preferences,
  ...statuses,
  ...system,
  ...push,
  ...bots,
  ...oauthProvider,
  // ---- saved posts, marking unread, acknowledgements (issue 10)
  {
    route: 'GET /users/:user_id/posts/flagged',
    name: "the member's: edit_other_users",
    path: (c) => `/users/${c.w.accounts.member.id}/posts/flagged`,
    expect: MEMBERS_OWN,
  },
  { route: 'GET /users/:user_id/posts/flagged', name: 'their own: any session', path: () => '/users/me/posts/flagged', expect: SIGNED_IN },
  {
    route: 'POST /users/:user_id/posts/:post_id/set_unread',
    name: "the member's: edit_other_users, then read_channel_content on the post",
    path: (c) => `/users/${c.w.accounts.member.id}/posts/${c.w.postPub}/set_unread`,
    body: () => ({ collapsed_threads_supported: true }),
    expect: MEMBERS_OWN,
  },
  {
    route: 'POST /users/:user_id/posts/:post_id/set_unread',
    // read_channel_content is the channel's members' (team_user does not grant it); a system admin
    // passes it but is no member of the channel (404, as countMentionsFromPost's GetChannelMember).
    name: 'their own, public channel: read_channel_content, then a channel member',
    path: (c) => `/users/me/posts/${c.w.postPub}/set_unread`,
    body: () => ({ collapsed_threads_supported: true }),
    expect: x('401 403 403 403 200 200 404'),
  },
  {
    route: 'POST /users/:user_id/posts/:post_id/ack',
    name: 'their own, public channel: read_channel_content',
    path: (c) => `/users/me/posts/${c.w.postPub}/ack`,
    expect: PUB_MEMBERS,
  },
  {
    route: 'POST /users/:user_id/posts/:post_id/ack',
    name: "the member's, private channel: edit_other_users, then read_channel_content",
    path: (c) => `/users/${c.w.accounts.member.id}/posts/${c.w.postPriv}/ack`,
    expect: MEMBERS_OWN,
  },
  {
    route: 'DELETE /users/:user_id/posts/:post_id/ack',
    name: 'their own, just made, public channel: read_channel_content',
    setup: async (c) => {
      const post = (await c.w.must(c.w.accounts.member.token, 'POST', '/posts', { channel_id: c.w.pub.id, message: 'ack me' })).id;
      await c.w.call(c.token, 'POST', `/users/me/posts/${post}/ack`);
      return { post };
    },
    path: (c) => `/users/me/posts/${c.v.post}/ack`,
    expect: PUB_MEMBERS,
  },
  // ---- previews (issue 10)
  {
    route: 'POST /opengraph',
    name: 'signed in (a refused loopback link answers {"url": ""})',
    path: () => '/opengraph',
    body: () => ({ url: 'http://127.0.0.1:9/matrix' }),
    expect: SIGNED_IN,
  },
  {
    route: 'GET /image',
    name: 'signed in; with ImageProxySettings.Enable off (the default) Mattermost refuses with 400',
    path: () => '/image?url=https%3A%2F%2Fimages.invalid%2Fa.png',
    expect: x('401 400 400 400 400 400 400'),
  },
  // ---- categories (issue 10): api4/channel_category.go. The user themself or edit_other_users
  // (SessionHasPermissionToUser); one category needs SessionHasPermissionToCategory (edit_other_users,
  // or the caller's own category of that team). Rows that change categories act on the member's
  // Favorites unchanged (idempotent), on a category made for the request, or on a fresh caller's own
  // categories, so that rows running side by side cannot change what another row sends.
  ...((): Row[] => {
    const base = (c: Ctx, userId: string) => `/users/${userId}/teams/${c.w.teamA.id}/channels/categories`;
    const member = (c: Ctx) => c.w.accounts.member;
    const memberCategory = (c: Ctx, type: string) => `${type}_${member(c).id}_${c.w.teamA.id}`;
    const memberCategories = async (c: Ctx) => ({
      categories: (await c.w.must(member(c).token, 'GET', base(c, member(c).id))).categories,
    });
    const favoritesOf = (c: Ctx) => c.v.categories.find((k: any) => k.type === 'favorites');
    // A fresh caller put on team A, with its categories made: its own order to send back.
    const freshOnTeam = async (c: Ctx) => {
      if (!c.token) return { order: [] };
      await c.w.must(c.w.accounts.sysAdmin.token, 'POST', `/teams/${c.w.teamA.id}/members`, { team_id: c.w.teamA.id, user_id: c.me });
      return { order: (await c.w.must(c.token, 'GET', base(c, c.me))).order };
    };
    return [
      {
        route: 'GET /users/:user_id/teams/:team_id/channels/categories',
        name: 'own (empty lists off the team, as Mattermost)',
        path: (c) => base(c, c.me),
        expect: x('401 200 200 200 200 200 200'),
      },
      {
        route: 'GET /users/:user_id/teams/:team_id/channels/categories',
        name: "the member's: edit_other_users",
        path: (c) => base(c, member(c).id),
        expect: MEMBERS_OWN,
      },
      {
        route: 'POST /users/:user_id/teams/:team_id/channels/categories',
        name: 'own, as a fresh account on team A',
        caller: 'fresh',
        setup: freshOnTeam,
        path: (c) => base(c, c.me),
        body: (c) => ({ user_id: c.me, team_id: c.w.teamA.id, display_name: 'Matrix' }),
        expect: x('401 200 200 200 200 200 200'),
      },
      {
        route: 'POST /users/:user_id/teams/:team_id/channels/categories',
        name: "the member's: edit_other_users",
        path: (c) => base(c, member(c).id),
        body: (c) => ({ user_id: member(c).id, team_id: c.w.teamA.id, display_name: 'Matrix' }),
        expect: MEMBERS_OWN,
      },
      {
        route: 'PUT /users/:user_id/teams/:team_id/channels/categories',
        // Someone else's category in the list is a 400 (invalid category), not a 403.
        name: "the member's Favorites, unchanged: edit_other_users",
        setup: memberCategories,
        path: (c) => base(c, member(c).id),
        body: (c) => [favoritesOf(c)],
        expect: MEMBERS_OWN,
      },
      {
        route: 'GET /users/:user_id/teams/:team_id/channels/categories/order',
        name: "the member's: edit_other_users",
        path: (c) => `${base(c, member(c).id)}/order`,
        expect: MEMBERS_OWN,
      },
      {
        route: 'PUT /users/:user_id/teams/:team_id/channels/categories/order',
        name: 'own, as a fresh account on team A',
        caller: 'fresh',
        setup: freshOnTeam,
        path: (c) => `${base(c, c.me)}/order`,
        body: (c) => c.v.order,
        expect: x('401 200 200 200 200 200 200'),
      },
      {
        route: 'PUT /users/:user_id/teams/:team_id/channels/categories/order',
        name: "the victim's (sent back as it is): edit_other_users",
        setup: async (c) => ({ order: await c.w.must(c.w.accounts.sysAdmin.token, 'GET', `${base(c, c.w.victim.id)}/order`) }),
        path: (c) => `${base(c, c.w.victim.id)}/order`,
        body: (c) => c.v.order,
        expect: SYSADMIN,
      },
      {
        route: 'GET /users/:user_id/teams/:team_id/channels/categories/:category_id',
        name: "the member's Channels: edit_other_users or one's own",
        setup: memberCategories,
        path: (c) => `${base(c, member(c).id)}/${memberCategory(c, 'channels')}`,
        expect: MEMBERS_OWN,
      },
      {
        route: 'PUT /users/:user_id/teams/:team_id/channels/categories/:category_id',
        name: "the member's Favorites, unchanged: edit_other_users or one's own",
        setup: memberCategories,
        path: (c) => `${base(c, member(c).id)}/${memberCategory(c, 'favorites')}`,
        body: (c) => favoritesOf(c),
        expect: MEMBERS_OWN,
      },
      {
        route: 'DELETE /users/:user_id/teams/:team_id/channels/categories/:category_id',
        name: "a custom category of the member's made for the request",
        setup: async (c) => ({
          category: await c.w.must(member(c).token, 'POST', base(c, member(c).id), { user_id: member(c).id, team_id: c.w.teamA.id, display_name: 'Gone' }),
        }),
        path: (c) => `${base(c, member(c).id)}/${c.v.category.id}`,
        expect: MEMBERS_OWN,
      },
    ];
  })(),
  // ---- users (issue 10): known users, group channel profiles, stats, timezones, custom status
  { route: 'GET /users/known', name: 'who shares a channel with the caller: any session', path: () => '/users/known', expect: SIGNED_IN },
  {
    route: 'POST /users/group_channels',
    name: 'read_channel on every channel asked about',
    path: () => '/users/group_channels',
    body: (c) => [c.w.priv.id],
    expect: PRIV_MEMBERS,
  },
  { route: 'GET /users/stats', name: 'the users the caller may see: any session', path: () => '/users/stats', expect: SIGNED_IN },
  { route: 'GET /channels/:channel_id/timezones', name: 'public: read_channel', path: (c) => `/channels/${c.w.pub.id}/timezones`, expect: PUB_MEMBERS },
  { route: 'GET /channels/:channel_id/timezones', name: 'private: read_channel', path: (c) => `/channels/${c.w.priv.id}/timezones`, expect: PRIV_MEMBERS },
  {
    route: 'PUT /users/:user_id/status/custom',
    name: 'own',
    path: (c) => `/users/${c.me}/status/custom`,
    body: () => ({ emoji: 'smile', text: 'matrix' }),
    expect: SIGNED_IN,
  },
  {
    route: 'PUT /users/:user_id/status/custom',
    name: "someone else's: edit_other_users",
    path: (c) => `/users/${c.w.victim.id}/status/custom`,
    body: () => ({ emoji: 'smile', text: 'matrix' }),
    expect: SYSADMIN,
  },
  { route: 'DELETE /users/:user_id/status/custom', name: 'own', path: (c) => `/users/${c.me}/status/custom`, expect: SIGNED_IN },
  {
    route: 'DELETE /users/:user_id/status/custom',
    name: "someone else's: edit_other_users",
    path: (c) => `/users/${c.w.victim.id}/status/custom`,
    expect: SYSADMIN,
  },
  {
    route: 'POST /users/:user_id/status/custom/recent/delete',
    name: 'own, a status in the recent list',
    setup: async (c) => (c.token ? { set: await c.w.must(c.token, 'PUT', '/users/me/status/custom', { emoji: 'smile', text: 'matrix' }) } : {}),
    path: (c) => `/users/${c.me}/status/custom/recent/delete`,
    body: () => ({ emoji: 'smile', text: 'matrix', duration: '', expires_at: '0001-01-01T00:00:00Z' }),
    expect: SIGNED_IN,
  },
  {
    route: 'POST /users/:user_id/status/custom/recent/delete',
    name: "someone else's: edit_other_users",
    setup: async (c) => ({
      set: await c.w.must(c.w.accounts.sysAdmin.token, 'PUT', `/users/${c.w.victim.id}/status/custom`, { emoji: 'smile', text: 'matrix' }),
    }),
    path: (c) => `/users/${c.w.victim.id}/status/custom/recent/delete`,
    body: () => ({ emoji: 'smile', text: 'matrix', duration: '', expires_at: '0001-01-01T00:00:00Z' }),
    expect: SYSADMIN,
  },
  {
    route: 'DELETE /users/:user_id/status/custom/recent',
    name: 'own, a status in the recent list (the DELETE twin)',
    // A fresh caller: the POST twin's row runs alongside for the same accounts, and two rows
    // editing one recent list at once could take each other's status out.
    caller: 'fresh',
    setup: async (c) => (c.token ? { set: await c.w.must(c.token, 'PUT', '/users/me/status/custom', { emoji: 'smile', text: 'matrix' }) } : {}),
    path: (c) => `/users/${c.me}/status/custom/recent`,
    body: () => ({ emoji: 'smile', text: 'matrix', duration: '', expires_at: '0001-01-01T00:00:00Z' }),
    expect: SIGNED_IN,
  },
  // ---- drafts and scheduled posts (issue 10) ------------------------------------------------
  // api4/drafts.go: writing a draft needs create_post in its channel (system admins have it
  // everywhere); listing needs view_team; the user id in the URL is ignored, so deleting (also
  // when there is nothing to delete) is OK for anyone signed in and only ever touches their own.
  {
    route: 'POST /drafts',
    name: 'public channel: create_post (its members)',
    path: () => '/drafts',
    body: (c) => ({ channel_id: c.w.pub.id, message: 'matrix draft' }),
    expect: x('401 403 403 403 201 201 201'),
  },
  {
    route: 'POST /drafts',
    // team_admin holds create_post in Mattermost's default roles and SessionHasPermissionToChannel
    // falls back to the channel's team for a non-member (as POST /posts above).
    name: 'private channel: create_post (its members, team admins)',
    path: () => '/drafts',
    body: (c) => ({ channel_id: c.w.priv.id, message: 'matrix draft' }),
    expect: x('401 403 403 403 201 201 201'),
  },
  {
    route: 'GET /users/:user_id/teams/:team_id/drafts',
    name: 'view_team; own drafts only',
    path: (c) => `/users/${c.me}/teams/${c.w.teamA.id}/drafts`,
    expect: TEAM,
  },
  {
    route: 'DELETE /users/:user_id/channels/:channel_id/drafts',
    name: "the caller's own draft, whoever the URL names",
    path: (c) => `/users/${c.w.victim.id}/channels/${c.w.pub.id}/drafts`,
    expect: SIGNED_IN,
  },
  {
    route: 'DELETE /users/:user_id/channels/:channel_id/drafts/:thread_id',
    name: "the caller's own thread draft, whoever the URL names",
    path: (c) => `/users/${c.w.victim.id}/channels/${c.w.pub.id}/drafts/${c.w.postPub}`,
    expect: SIGNED_IN,
  },
  // api4/scheduled_post.go: scheduling checks create_post as posting does; only the owner may
  // change or delete one (app.*_scheduled_post.*_permission.error, also for system admins).
  {
    route: 'POST /posts/schedule',
    name: 'public channel: create_post (its members)',
    path: () => '/posts/schedule',
    body: (c) => ({ channel_id: c.w.pub.id, message: 'matrix scheduled', scheduled_at: Date.now() + 3_600_000 }),
    expect: x('401 403 403 403 201 201 201'),
  },
  {
    route: 'POST /posts/schedule',
    // team_admin holds create_post in Mattermost's default roles and SessionHasPermissionToChannel
    // falls back to the channel's team for a non-member (as POST /posts above).
    name: 'private channel: create_post (its members, team admins)',
    path: () => '/posts/schedule',
    body: (c) => ({ channel_id: c.w.priv.id, message: 'matrix scheduled', scheduled_at: Date.now() + 3_600_000 }),
    expect: x('401 403 403 403 201 201 201'),
  },
  {
    route: 'PUT /posts/schedule/:scheduled_post_id',
    name: "the member's: its owner only",
    setup: async (c) => ({
      post: await c.w.must(c.w.accounts.member.token, 'POST', '/posts/schedule', {
        channel_id: c.w.pub.id,
        message: 'matrix scheduled',
        scheduled_at: Date.now() + 3_600_000,
      }),
    }),
    path: (c) => `/posts/schedule/${c.v.post.id}`,
    body: (c) => ({ ...c.v.post, message: 'matrix edited' }),
    expect: x('401 403 403 403 201 403 403'),
  },
  {
    route: 'DELETE /posts/schedule/:scheduled_post_id',
    name: "the member's: its owner only",
    setup: async (c) => ({
      post: await c.w.must(c.w.accounts.member.token, 'POST', '/posts/schedule', {
        channel_id: c.w.pub.id,
        message: 'matrix scheduled',
        scheduled_at: Date.now() + 3_600_000,
      }),
    }),
    path: (c) => `/posts/schedule/${c.v.post.id}`,
    expect: x('401 403 403 403 201 403 403'),
  },
  {
    route: 'GET /posts/scheduled/team/:team_id',
    name: 'view_team; own scheduled posts only',
    path: (c) => `/posts/scheduled/team/${c.w.teamA.id}?includeDirectChannels=true`,
    expect: TEAM,
  },
  // ---- threads (issue 10) ---------------------------------------------------------------------------
  // api4/user.go thread handlers: the user in the URL is the caller (or anyone, with edit_other_users);
  // team-wide routes need view_team, one-thread routes read_channel_content on the thread's channel.
  ...((): Row[] => {
    /** A thread in a channel of team A: a root and a reply by the system admin. */
    const threadIn = async (c: Ctx, channelId: string) => {
      const admin = c.w.accounts.sysAdmin.token;
      const root = await c.w.must(admin, 'POST', '/posts', { channel_id: channelId, message: 'matrix thread' });
      await c.w.must(admin, 'POST', '/posts', { channel_id: channelId, message: 'matrix reply', root_id: root.id });
      return root.id as string;
    };
    /** The same, followed by the caller where they may follow it (refusals are the rows' business). */
    const followedThreadIn = async (c: Ctx, channelId: string) => {
      const root = await threadIn(c, channelId);
      if (c.token) await c.w.call(c.token, 'PUT', `/users/${c.me}/teams/${c.w.teamA.id}/threads/${root}/following`);
      return { root };
    };
    const threadPath = (c: Ctx, rest = '') => `/users/${c.me}/teams/${c.w.teamA.id}/threads/${c.v.root}${rest}`;

    return [
      {
        route: 'GET /users/:user_id/teams/:team_id/threads',
        name: 'own, on team A: view_team',
        path: (c) => `/users/${c.me}/teams/${c.w.teamA.id}/threads`,
        expect: TEAM,
      },
      {
        route: 'GET /users/:user_id/teams/:team_id/threads',
        name: "the member's: edit_other_users",
        path: (c) => `/users/${c.w.accounts.member.id}/teams/${c.w.teamA.id}/threads`,
        expect: MEMBERS_OWN,
      },
      {
        route: 'PUT /users/:user_id/teams/:team_id/threads/read',
        name: 'own, on team A: view_team',
        path: (c) => `/users/${c.me}/teams/${c.w.teamA.id}/threads/read`,
        expect: TEAM,
      },
      {
        route: 'GET /users/:user_id/teams/:team_id/threads/:thread_id',
        name: 'public channel: read_channel_content (its members)',
        setup: (c) => followedThreadIn(c, c.w.pub.id),
        path: (c) => threadPath(c),
        expect: PUB_MEMBERS,
      },
      {
        route: 'GET /users/:user_id/teams/:team_id/threads/:thread_id',
        name: 'private channel: read_channel_content (its members)',
        setup: (c) => followedThreadIn(c, c.w.priv.id),
        path: (c) => threadPath(c),
        expect: PRIV_MEMBERS,
      },
      {
        route: 'PUT /users/:user_id/teams/:team_id/threads/:thread_id/following',
        name: 'public channel: read_channel_content (its members)',
        setup: async (c) => ({ root: await threadIn(c, c.w.pub.id) }),
        path: (c) => threadPath(c, '/following'),
        expect: PUB_MEMBERS,
      },
      {
        route: 'PUT /users/:user_id/teams/:team_id/threads/:thread_id/following',
        name: "the member's, private channel: edit_other_users",
        setup: async (c) => ({ root: await threadIn(c, c.w.priv.id) }),
        path: (c) => `/users/${c.w.accounts.member.id}/teams/${c.w.teamA.id}/threads/${c.v.root}/following`,
        expect: MEMBERS_OWN,
      },
      {
        route: 'DELETE /users/:user_id/teams/:team_id/threads/:thread_id/following',
        name: 'private channel: read_channel_content (its members)',
        setup: (c) => followedThreadIn(c, c.w.priv.id),
        path: (c) => threadPath(c, '/following'),
        expect: PRIV_MEMBERS,
      },
      {
        route: 'PUT /users/:user_id/teams/:team_id/threads/:thread_id/read/:timestamp',
        name: 'public channel: read_channel_content (its members)',
        setup: async (c) => ({ root: await threadIn(c, c.w.pub.id) }),
        path: (c) => threadPath(c, `/read/${Date.now()}`),
        expect: PUB_MEMBERS,
      },
      {
        route: 'POST /users/:user_id/teams/:team_id/threads/:thread_id/set_unread/:post_id',
        name: 'private channel: read_channel_content (its members)',
        setup: async (c) => ({ root: await threadIn(c, c.w.priv.id) }),
        path: (c) => threadPath(c, `/set_unread/${c.v.root}`),
        expect: PRIV_MEMBERS,
      },
    ];
  })(),
  // ---- roles (issue 10): api4/role.go. Reads need a session only; listing all needs manage_system;
  // patching team_user needs sysconsole_write_user_management_permissions (system admins), here a no-op patch.
  { route: 'GET /roles', name: 'manage_system', path: () => '/roles', expect: SYSADMIN },
  { route: 'POST /roles/names', name: 'any session', path: () => '/roles/names', body: () => ['system_user', 'channel_user'], expect: SIGNED_IN },
  { route: 'GET /roles/name/:role_name', name: 'any session', path: () => '/roles/name/team_user', expect: SIGNED_IN },
  {
    route: 'GET /roles/:role_id',
    name: 'any session',
    setup: async (c) => ({ role: await c.w.must(c.w.accounts.sysAdmin.token, 'GET', '/roles/name/team_user') }),
    path: (c) => `/roles/${c.v.role.id}`,
    expect: SIGNED_IN,
  },
  {
    route: 'PUT /roles/:role_id/patch',
    name: 'sysconsole_write_user_management_permissions',
    setup: async (c) => ({ role: await c.w.must(c.w.accounts.sysAdmin.token, 'GET', '/roles/name/team_user') }),
    path: (c) => `/roles/${c.v.role.id}/patch`,
    body: (c) => ({ permissions: c.v.role.permissions }),
    expect: SYSADMIN,
  },
  // ---- commands (issue 10)
  {
    route: 'POST /posts/ephemeral',
    name: 'create_post_ephemeral (system admins)',
    path: () => '/posts/ephemeral',
    body: (c) => ({ user_id: c.w.victim.id, post: { channel_id: c.w.pub.id, message: 'matrix ephemeral' } }),
    expect: x('401 403 403 403 403 403 201'),
  },
  {
    route: 'POST /commands/execute',
    name: 'create_post on the channel (its members), built-in /help',
    path: () => '/commands/execute',
    body: (c) => ({ command: '/help', channel_id: c.w.pub.id, team_id: c.w.teamA.id }),
    expect: PUB_MEMBERS,
  },
  {
    route: 'POST /commands/execute',
    // team_admin holds create_post in Mattermost's default roles and SessionHasPermissionToChannel
    // falls back to the channel's team for a non-member (as POST /posts above).
    name: 'create_post on the private channel (its members, team admins)',
    path: () => '/commands/execute',
    body: (c) => ({ command: '/help', channel_id: c.w.priv.id, team_id: c.w.teamA.id }),
    expect: x('401 403 403 403 200 200 200'),
  },
  { route: 'GET /commands', name: 'view_team: the built-ins', path: (c) => `/commands?team_id=${c.w.teamA.id}`, expect: TEAM },
  {
    route: 'GET /teams/:team_id/commands/autocomplete',
    name: 'view_team',
    path: (c) => `/teams/${c.w.teamA.id}/commands/autocomplete`,
    expect: TEAM,
  },
  {
    route: 'GET /teams/:team_id/commands/autocomplete_suggestions',
    name: 'view_team',
    path: (c) => `/teams/${c.w.teamA.id}/commands/autocomplete_suggestions?user_input=%2Fec`,
    expect: TEAM,
  },
  ...customCommands(),
  ...interactive(),
  ...oauthLogin,
  ...customEmoji,
];

// ---- custom slash commands (issue 14): api4/command.go. Managing takes manage_own_slash_commands on
// the command's team (team and system admins by default, EnableOnlyAdminIntegrations); a command the
// caller may not manage is "not found". Targets are teamAdmin's commands on team A, made per request.

/** A refused address (loopback, not in AllowedUntrustedInternalConnections): a call gets past every check and fails before any traffic. */
function refusedUrl(): string {
  return 'http://127.0.0.2:9/matrix';
}

async function teamAdminCommand(c: Ctx): Promise<Record<string, any>> {
  const command = await c.w.must(c.w.accounts.teamAdmin.token, 'POST', '/commands', {
    team_id: c.w.teamA.id,
    trigger: c.w.unique('mx'),
    url: 'https://example.com/matrix',
    method: 'P',
  });
  return { command };
}

function customCommands(): Row[] {
  /** Managing a command on team A: its admins, as not found for everyone else. */
  const COMMAND_MANAGERS = x('401 404 404 404 404 200 200');
  return [
    {
      route: 'POST /commands',
      name: 'manage_own_slash_commands on the team (team and system admins)',
      path: () => '/commands',
      body: (c) => ({ team_id: c.w.teamA.id, trigger: c.w.unique('mx'), url: 'https://example.com/matrix', method: 'P' }),
      expect: x('401 403 403 403 403 201 201'),
    },
    {
      route: 'GET /commands',
      name: 'custom_only: manage_own_slash_commands on the team',
      path: (c) => `/commands?team_id=${c.w.teamA.id}&custom_only=true`,
      expect: TEAM_ADMIN,
    },
    {
      route: 'GET /commands/:command_id',
      name: "team A's command: its managers",
      setup: teamAdminCommand,
      path: (c) => `/commands/${c.v.command.id}`,
      expect: COMMAND_MANAGERS,
    },
    {
      route: 'PUT /commands/:command_id',
      name: "team A's command: its managers",
      setup: teamAdminCommand,
      path: (c) => `/commands/${c.v.command.id}`,
      body: (c) => ({ ...c.v.command, description: 'matrix edit' }),
      expect: COMMAND_MANAGERS,
    },
    {
      route: 'DELETE /commands/:command_id',
      name: "team A's command: its managers",
      setup: teamAdminCommand,
      path: (c) => `/commands/${c.v.command.id}`,
      expect: COMMAND_MANAGERS,
    },
    {
      route: 'PUT /commands/:command_id/regen_token',
      name: "team A's command: its managers",
      setup: teamAdminCommand,
      path: (c) => `/commands/${c.v.command.id}/regen_token`,
      expect: COMMAND_MANAGERS,
    },
    {
      route: 'PUT /commands/:command_id/move',
      // The destination team's manage_own_slash_commands is asked first (a 403), then the command's.
      name: "to team A: manage_own_slash_commands there, then the command's managers",
      setup: teamAdminCommand,
      path: (c) => `/commands/${c.v.command.id}/move`,
      body: (c) => ({ team_id: c.w.teamA.id }),
      expect: x('401 403 403 403 403 200 200'),
    },
    {
      route: 'POST /hooks/commands/:hook_id',
      name: 'no session (the id is the secret): an unknown response URL is not found for everyone',
      web: true,
      path: () => `/hooks/commands/${'a'.repeat(26)}`,
      body: () => ({ text: 'matrix' }),
      expect: x('404 404 404 404 404 404 404'),
    },
  ];
}

// ---- interactive messages and dialogs (issue 14): api4/integration_action.go.

function interactive(): Row[] {
  return [
    {
      route: 'POST /posts/:post_id/actions/:action_id',
      // read_channel on the post's channel; past it the integration's URL is refused (400).
      name: 'public channel: read_channel (its members), then the refused integration',
      setup: async (c) => {
        const post = await c.w.must(c.w.accounts.member.token, 'POST', '/posts', {
          channel_id: c.w.pub.id,
          message: 'matrix action',
          props: { attachments: [{ actions: [{ id: 'matrixgo', name: 'Go', type: 'button', integration: { url: refusedUrl() } }] }] },
        });
        return { post };
      },
      path: (c) => `/posts/${c.v.post.id}/actions/matrixgo`,
      body: () => ({}),
      expect: x('401 403 403 403 400 400 400'),
    },
    {
      route: 'POST /actions/dialogs/open',
      name: 'no session (the signed trigger id says who): a trigger id that does not decode is a 400 for everyone',
      path: () => '/actions/dialogs/open',
      body: () => ({ trigger_id: 'not-a-trigger-id', url: 'https://example.com/dialog', dialog: { title: 'Matrix' } }),
      expect: x('400 400 400 400 400 400 400'),
    },
    {
      route: 'POST /actions/dialogs/submit',
      name: 'read_channel on the channel and view_team on the team, then the refused integration',
      path: () => '/actions/dialogs/submit',
      body: (c) => ({ url: refusedUrl(), callback_id: 'matrix', channel_id: c.w.pub.id, team_id: c.w.teamA.id, submission: {} }),
      expect: x('401 403 403 403 400 400 400'),
    },
  ];
}
