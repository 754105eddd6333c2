import { Injectable } from '@nestjs/common';
import { AppError, badRequest, newId, unauthorized } from '#common';
import { ConfigService } from '#config';
import { InvalidationBus } from '#realtime';
import { hasRole } from '../common/session.js';
import { SessionsService } from '../auth/sessions.service.js';
import { isValidEmail, isValidUsername, UserRow, validateUser } from '../users/user.model.js';
import { UsersRepository } from '../users/users.repository.js';
import { UsersService } from '../users/users.service.js';
import { SsoFlowsRepository } from './sso-flows.repository.js';

/** The sign-in services an account may belong to (model.UserAuthService*). */
export const AUTH_SERVICES = ['saml', 'gitlab', 'google', 'office365', 'openid', 'ldap'] as const;
export type AuthService = (typeof AUTH_SERVICES)[number];

/** How Mattermost names each service in its messages. */
export const AUTH_SERVICE_NAMES: Record<AuthService | '', string> = {
  '': 'email',
  saml: 'SAML',
  gitlab: 'GitLab',
  google: 'Google',
  office365: 'Office 365',
  openid: 'OpenID',
  ldap: 'AD/LDAP',
};

/**
 * A person as an identity provider describes them, already mapped from the provider's attributes
 * or claims by that provider's service.
 */
export interface ExternalIdentity {
  service: AuthService;
  /** The provider's stable subject: SAML's Id attribute (or email), the OIDC `sub`, LDAP's IdAttribute. */
  authData: string;
  email: string;
  /** Wanted username; cleaned, and made unique on first sign-in. From the email when missing. */
  username?: string;
  firstName?: string;
  lastName?: string;
  nickname?: string;
  position?: string;
  locale?: string;
  /**
   * The system role the provider's admin/guest attribute or filter gives. Undefined when the
   * provider maps no roles: the account's roles are left as they are.
   */
  role?: 'admin' | 'guest' | 'user';
}

const SWITCH_TTL_MS = 10 * 60_000;

const ROLES = { admin: 'system_admin system_user', guest: 'system_guest', user: 'system_user' };

/**
 * Accounts that sign in through an identity provider: found by (auth_service, auth_data), made on
 * first sign-in, kept in step with the provider on every later one (Mattermost's
 * CreateOAuthUser / UpdateOAuthUserAttrs and the SAML and LDAP equivalents). One place for every
 * provider, so they all follow the same account rules.
 */
@Injectable()
export class ExternalAccountsService {
  constructor(
    private readonly users: UsersRepository,
    private readonly usersService: UsersService,
    private readonly sessions: SessionsService,
    private readonly config: ConfigService,
    private readonly invalidation: InvalidationBus,
    private readonly flows: SsoFlowsRepository,
  ) {}

  /**
   * The account for `identity`, made or updated. Refused: a deactivated account, a new one while
   * TeamSettings.EnableUserCreation is off, and one whose email already belongs to an account of
   * another sign-in method (never merged: an IdP's say-so about an email would otherwise take over
   * that account; the owner switches it with /users/login/switch).
   */
  async signIn(identity: ExternalIdentity): Promise<UserRow> {
    checkIdentity(identity);
    const existing = await this.users.byAuth(identity.service, identity.authData);
    if (existing) {
      if (existing.delete_at > 0) throw unauthorized('api.user.login.inactive.app_error', 'Login failed because your account has been deactivated.');
      return this.update(existing, identity);
    }
    return this.create(identity);
  }

  /**
   * Updates an account from its provider without signing in (the LDAP sync); returns the row as
   * stored. Attributes the provider left empty keep their value.
   */
  async update(user: UserRow, identity: ExternalIdentity): Promise<UserRow> {
    const next: UserRow = { ...user };
    const email = identity.email.toLowerCase();
    if (email && email !== user.email) next.email = email;
    if (identity.firstName !== undefined) next.first_name = identity.firstName;
    if (identity.lastName !== undefined) next.last_name = identity.lastName;
    if (identity.nickname !== undefined) next.nickname = identity.nickname;
    if (identity.position !== undefined) next.position = identity.position;
    if (identity.locale) next.locale = identity.locale;
    if (identity.username) {
      const wanted = cleanUsername(identity.username);
      if (wanted !== user.username && !(await this.users.takenUsernames([wanted])).has(wanted)) next.username = wanted;
    }
    if (identity.role) next.roles = rolesFor(user.roles, identity.role);
    const changed = (Object.keys(next) as Array<keyof UserRow>).some((k) => next[k] !== user[k]);
    if (!changed) return user;
    validateUser(next);
    next.update_at = Date.now();
    await this.users.updateChecked(next, (clashes) => {
      if (clashes.some((c) => c.email === next.email)) throw emailTaken(identity.service);
    });
    if (next.roles !== user.roles) await this.sessions.rolesChanged(user.id, next.roles);
    this.invalidation.emit('user', user.id);
    this.usersService.publishUpdated(next);
    return next;
  }

  /**
   * Starts moving an email account to `service` (POST /users/login/switch, after the password was
   * checked): a one-time token, good for 10 minutes, that the provider's sign-in carries through
   * as `switch_token` and completeSwitch() takes. Mattermost carries the email in the link, so
   * anyone could start a switch for anyone's email; the token binds it to the checked password.
   */
  async startSwitch(userId: string, service: AuthService): Promise<string> {
    const token = newId() + newId();
    await this.flows.put('switch', token, { userId, service }, Date.now() + SWITCH_TTL_MS);
    return token;
  }

  /**
   * Ends an email → provider switch: the account the token was issued for now signs in through
   * the provider as `identity` (no password any more), its other sessions end (Mattermost's
   * CompleteSwitchWithOAuth), and its profile follows the provider's.
   */
  async completeSwitch(switchToken: string, identity: ExternalIdentity): Promise<UserRow> {
    checkIdentity(identity);
    const flow = switchToken ? await this.flows.take<{ userId: string; service: AuthService }>('switch', switchToken) : undefined;
    if (!flow || flow.service !== identity.service) {
      throw badRequest(
        'api.user.complete_switch_with_oauth.unavailable.app_error',
        'The sign-in method switch expired or was not started. Please start it again.',
      );
    }
    if (await this.users.byAuth(identity.service, identity.authData)) throw alreadyLinked(identity.service);
    const user = await this.users.byId(flow.userId);
    if (!user || user.delete_at > 0) throw unauthorized('api.user.login.inactive.app_error', 'Login failed because your account has been deactivated.');
    const now = Date.now();
    await this.users.setAuth(user.id, { service: identity.service, authData: identity.authData, passwordHash: '' }, now);
    // The provider signs the account in from now on; a second factor of ours would never be asked
    // again, so it is cleared as Mattermost's switch does (it comes back only with email sign-in).
    if (user.mfa_active) await this.users.deactivateMfa(user.id, now);
    await this.sessions.revokeAllForUser(user.id);
    return this.update({ ...user, auth_service: identity.service, auth_data: identity.authData, password: '', mfa_active: false }, identity);
  }

  private async create(identity: ExternalIdentity): Promise<UserRow> {
    if (!this.config.get().TeamSettings.EnableUserCreation) {
      throw new AppError('', 'api.user.create_user.disabled.app_error', 'User creation is disabled.', 501);
    }
    const email = identity.email.toLowerCase();
    if (await this.users.byEmail(email)) throw emailTaken(identity.service);
    const username = await this.freeUsername(cleanUsername(identity.username || email.split('@')[0]));
    return this.usersService.createExternal(
      {
        username,
        email,
        first_name: identity.firstName,
        last_name: identity.lastName,
        nickname: identity.nickname,
        position: identity.position,
        locale: identity.locale,
      },
      { service: identity.service, data: identity.authData, roles: ROLES[identity.role ?? 'user'] },
    );
  }

  /**
   * The wanted username, or the first of wanted1, wanted2, … that is free: a provider's username
   * that a local account already holds never signs in as that account.
   */
  private async freeUsername(wanted: string): Promise<string> {
    const candidates = [wanted, ...Array.from({ length: 20 }, (_, i) => `${wanted.slice(0, 60)}${i + 1}`)];
    const taken = await this.users.takenUsernames(candidates);
    const free = candidates.find((c) => !taken.has(c));
    if (!free) throw badRequest('app.user.save.username_exists.app_error', 'An account with that username already exists.');
    return free;
  }
}

function checkIdentity(identity: ExternalIdentity): void {
  if (!identity.authData || identity.authData.length > 128) {
    throw badRequest('api.user.authorize_oauth_user.missing.app_error', `The ${AUTH_SERVICE_NAMES[identity.service]} account has no usable id.`);
  }
  if (!isValidEmail(identity.email)) {
    throw badRequest('model.user.is_valid.email.app_error', `The ${AUTH_SERVICE_NAMES[identity.service]} account has no valid email address.`);
  }
}

function alreadyLinked(service: AuthService): AppError {
  return badRequest(
    'api.user.complete_switch_with_oauth.already_attached.app_error',
    `This ${AUTH_SERVICE_NAMES[service]} account is already used by another account.`,
  );
}

function emailTaken(service: AuthService): AppError {
  return badRequest(
    'api.user.create_oauth_user.already_attached.app_error',
    `There is already an account associated with that email address using a sign in method other than ${AUTH_SERVICE_NAMES[service]}. Please sign in using that method.`,
  );
}

/** Replaces the system role the provider decides, keeping any other role the account has. */
function rolesFor(current: string, role: 'admin' | 'guest' | 'user'): string {
  const others = current.split(' ').filter((r) => r && !['system_admin', 'system_user', 'system_guest'].includes(r));
  if (role === 'user' && hasRole(current, 'system_user') && !hasRole(current, 'system_admin')) return current;
  return [...ROLES[role].split(' '), ...others].join(' ');
}

/**
 * Mattermost's CleanUsername: lower case, characters outside [a-z0-9.-_] become '-', a leading
 * letter, 3–64 characters; anything still invalid becomes "a" + a random suffix.
 */
export function cleanUsername(raw: string): string {
  let name = raw
    .toLowerCase()
    .replace(/[^a-z0-9.\-_]/g, '-')
    .slice(0, 64);
  if (!/^[a-z]/.test(name)) name = `a${name}`.slice(0, 64);
  while (name.length < 3) name += '0';
  return isValidUsername(name) ? name : `a${Math.random().toString(36).slice(2, 12)}`;
}
