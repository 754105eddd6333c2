import { Injectable, Logger } from '@nestjs/common';
import { AppError, badRequest, forbidden, invalidParam, newId, notFound } from '#common';
import { ConfigService } from '#config';
import { hashPassword, passwordError } from '#auth';
import { EventPublisher, InvalidationBus, newEvent, WsEvents } from '#realtime';
import { hasRole, isSystemAdmin, Session } from '../common/session.js';
import { PermissionsService } from '../auth/permissions.service.js';
import { SessionsService } from '../auth/sessions.service.js';
import { validSystemRoles } from '../auth/roles.js';
import { TeamInvitesService } from '../teams/team-invites.service.js';
import { TeamsService } from '../teams/teams.service.js';
import { defaultNotifyProps, defaultTimezone, PublicUser, sanitizeUser, UserRow, validateUser } from './user.model.js';
import { LoginService } from './login.service.js';
import { UserKeys, UsersRepository } from './users.repository.js';
import { VerificationLinks } from './verification-links.js';

export interface NewUser {
  username: string;
  email: string;
  password: string;
  nickname?: string;
  first_name?: string;
  last_name?: string;
  position?: string;
  locale?: string;
  props?: Record<string, string>;
  notify_props?: Record<string, string>;
  timezone?: Record<string, string>;
}

/**
 * A sign-up as the request sent it (fields of the right type). Missing required fields are refused
 * only after the sign-up rules, as Mattermost validates the user after checking that it may sign up.
 */
export type SignUpInput = Partial<NewUser> & {
  /** A system admin may create an account whose address is already verified (model.User.SanitizeInput). */
  email_verified?: boolean;
};

/** How a sign-up came: an invite id (`?iid=`) or an email invitation's token (`?t=`). */
export interface SignUpInvite {
  inviteId?: string;
  token?: string;
}

export type UserPatch = Partial<
  Pick<UserRow, 'username' | 'email' | 'nickname' | 'first_name' | 'last_name' | 'position' | 'locale' | 'props' | 'notify_props' | 'timezone'>
>;

const PATCHABLE: Array<keyof UserPatch> = [
  'username',
  'email',
  'nickname',
  'first_name',
  'last_name',
  'position',
  'locale',
  'props',
  'notify_props',
  'timezone',
];

@Injectable()
export class UsersService {
  private readonly log = new Logger('users');

  constructor(
    private readonly repo: UsersRepository,
    private readonly config: ConfigService,
    private readonly sessions: SessionsService,
    private readonly permissions: PermissionsService,
    private readonly teams: TeamsService,
    private readonly publisher: EventPublisher,
    private readonly invalidation: InvalidationBus,
    private readonly logins: LoginService,
    private readonly invites: TeamInvitesService,
    private readonly verification: VerificationLinks,
  ) {}

  /** The user as `viewer` may see it. */
  view(user: UserRow, viewer: Session | undefined): PublicUser {
    return sanitizeUser(user, {
      self: viewer?.user_id === user.id,
      admin: viewer ? isSystemAdmin(viewer) : false,
      config: this.config.get(),
    });
  }

  async get(id: string): Promise<UserRow> {
    const user = await this.repo.byId(id);
    if (!user) throw notFound('app.user.missing_account.const', 'Unable to find the user.', `user_id=${id}`);
    return user;
  }

  checkPassword(password: string) {
    const id = passwordError(password, this.config.get().PasswordSettings);
    if (id)
      throw badRequest(id, `Your password must contain at least ${this.config.get().PasswordSettings.MinimumLength} characters and meet the password rules.`);
  }

  /**
   * POST /users: anyone may create the first account, system admins may always create accounts;
   * others need EnableUserCreation and EmailSettings.EnableSignUpWithEmail (501 without) and, without a team invite (`?iid=`)
   * or an email invitation (`?t=`), EnableOpenServer (403). An invite adds the new user to its team.
   * With RequireEmailVerification an account whose address is not verified gets the welcome mail
   * with its verify link (an invitation's address is verified: the invitation reached it).
   */
  async signUp(actor: Session | undefined, input: SignUpInput, invite: SignUpInvite = {}): Promise<PublicUser> {
    if (invite.token) return this.signUpWithInvitation(actor, input, invite.token);
    const cfg = this.config.get();
    const isAdmin = actor ? isSystemAdmin(actor) : false;
    const firstUser = !(await this.repo.any());
    if (!isAdmin && !firstUser) {
      this.requireSignUpAllowed();
      if (!cfg.TeamSettings.EnableOpenServer && !invite.inviteId) {
        throw forbidden(
          'api.user.create_user.no_open_server',
          'This server does not allow open signups. Please speak with your Administrator to receive an invitation.',
        );
      }
    }
    const team = invite.inviteId ? await this.teams.byInviteId(invite.inviteId) : undefined;
    const user = await this.create(completeSignUp(input), undefined, { verified: isAdmin ? input.email_verified : undefined });
    if (team) await this.teams.addMember(team.id, user.id, null);
    this.welcome(user);
    return this.view(user, { user_id: user.id, roles: user.roles } as Session);
  }

  /**
   * A sign-up with an email invitation's token (Mattermost's CreateUserWithToken): the link is
   * checked, the address must be the invited one, the account is verified and joins the team, and
   * the link is used up — taken before the account is made, put back if making it fails (a taken
   * username), so that two sign-ups with one link never both get in.
   */
  private async signUpWithInvitation(actor: Session | undefined, input: SignUpInput, token: string): Promise<PublicUser> {
    const invitation = await this.invites.signUpInvitation(token);
    this.requireSignUpAllowed();
    const complete = completeSignUp(input);
    if (complete.email.toLowerCase() !== invitation.email) {
      throw badRequest('api.user.create_user.bad_token_email_data.app_error', 'The email address in the token does not match the one in the user data.');
    }
    const row = await this.invites.useForSignUp(token);
    if (!row) throw badRequest('api.user.create_user.signup_link_invalid.app_error', 'The signup link does not appear to be valid.');
    let user: UserRow;
    try {
      user = await this.create(complete, undefined, { verified: true });
    } catch (err) {
      await this.invites.putBack(row);
      throw err;
    }
    await this.invites.joinInvited(invitation.team, user.id);
    return this.view(user, actor?.user_id === user.id ? actor : ({ user_id: user.id, roles: user.roles } as Session));
  }

  /** Mattermost's IsUserSignUpAllowed: EnableUserCreation and EmailSettings.EnableSignUpWithEmail. */
  private requireSignUpAllowed(): void {
    const cfg = this.config.get();
    if (!cfg.TeamSettings.EnableUserCreation) {
      throw new AppError('', 'api.user.create_user.disabled.app_error', 'User creation is disabled.', 501);
    }
    // Sign-up with email and password; providers' sign-ups have their own switches.
    if (!cfg.EmailSettings.EnableSignUpWithEmail) {
      throw new AppError('', 'api.user.create_user.signup_email_disabled.app_error', 'User sign-up with email is disabled.', 501);
    }
  }

  /** The welcome mail with the verify link, in the background: the sign-up never waits for SMTP. */
  private welcome(user: UserRow): void {
    if (user.email_verified || !this.config.get().EmailSettings.RequireEmailVerification) return;
    this.verification.welcome(user).catch((err) => this.log.warn(`welcome mail for ${user.id} not queued: ${err instanceof Error ? err.message : err}`));
  }

  /**
   * Creates an account whose sign-in belongs to an identity provider (SAML, OAuth/OIDC, LDAP): no
   * password, `auth_service` and `auth_data` set, its roles as the provider maps them. Sign-up
   * rules are the caller's (sso/external-accounts.service.ts).
   */
  createExternal(input: Omit<NewUser, 'password'>, auth: { service: string; data: string; roles: string }): Promise<UserRow> {
    return this.create({ ...input, password: '' }, auth);
  }

  /**
   * The user of a new bot (model.UserFromBot): no password, `<username>@localhost` as its email,
   * the display name as its first name, a plain system_user. Nothing is announced: Mattermost saves
   * a bot's user straight to the store, without new_user.
   */
  createBotUser(username: string, displayName: string): Promise<UserRow> {
    const name = username.toLowerCase();
    return this.create({ username: name, email: `${name}@localhost`, password: '', first_name: displayName }, undefined, { bot: true });
  }

  /**
   * Creates a user; the very first account becomes a system admin (as Mattermost), a bot never does.
   * The address counts as verified for accounts of an identity provider (it vouches for it), when
   * the caller says so (an invitation, an admin), and otherwise unless RequireEmailVerification.
   */
  private async create(
    input: NewUser,
    auth?: { service: string; data: string; roles: string },
    opts: { bot?: boolean; verified?: boolean } = {},
  ): Promise<UserRow> {
    const now = Date.now();
    const user: UserRow = {
      id: newId(),
      create_at: now,
      update_at: now,
      delete_at: 0,
      username: input.username.toLowerCase(),
      password: '',
      auth_data: auth?.data ?? null,
      auth_service: auth?.service ?? '',
      email: input.email.toLowerCase(),
      email_verified: opts.bot ? false : auth ? true : (opts.verified ?? !this.config.get().EmailSettings.RequireEmailVerification),
      nickname: input.nickname ?? '',
      first_name: input.first_name ?? '',
      last_name: input.last_name ?? '',
      position: input.position ?? '',
      roles: auth?.roles ?? 'system_user',
      locale: input.locale || this.config.get().LocalizationSettings.DefaultClientLocale,
      notify_props: { ...defaultNotifyProps(), ...input.notify_props },
      props: input.props ?? {},
      timezone: { ...defaultTimezone(), ...input.timezone },
      last_password_update: now,
      last_picture_update: 0,
      failed_attempts: 0,
      mfa_active: false,
      is_bot: opts.bot === true,
    };
    validateUser(user);
    if (!auth && !opts.bot) {
      this.checkPassword(input.password);
      user.password = await hashPassword(input.password);
    }
    // Sign-ups are serialised so that exactly one can be "the first user".
    await this.repo.insertSerialised(user, (clashes, first) => {
      assertUnique(user, clashes);
      if (first && !opts.bot && !hasRole(user.roles, 'system_guest')) user.roles = 'system_admin system_user';
    });
    if (!opts.bot) this.publisher.publish(newEvent(WsEvents.NewUser, {}, { user_id: user.id }));
    return user;
  }

  /** PUT /users/{id} and /users/{id}/patch: one's own account, or anyone's with edit_other_users. */
  async patch(actor: Session, userId: string, patch: UserPatch): Promise<PublicUser> {
    this.permissions.requireSelfOrAdmin(actor, userId);
    return this.view(await this.applyPatch(actor, await this.get(userId), patch), actor);
  }

  /**
   * A bot's username and display name changed (App.PatchBot): its user follows, the email with the
   * username, then user_updated as for any profile change.
   */
  async patchBotUser(actor: Session, userId: string, change: { username?: string; displayName?: string }): Promise<UserRow> {
    const user = await this.get(userId);
    const username = (change.username ?? user.username).toLowerCase();
    return this.applyPatch(actor, user, {
      username,
      email: `${username}@localhost`,
      ...(change.displayName !== undefined ? { first_name: change.displayName } : {}),
    });
  }

  /**
   * Marks an account as a bot or as a person (converting it either way); the bots row is the
   * caller's. Sessions reload the account's flags (a bot cannot log in with a password) and
   * everyone gets the profile.
   */
  async setBot(userId: string, isBot: boolean): Promise<UserRow> {
    const user = await this.repo.setBot(userId, isBot, Date.now());
    if (!user) throw notFound('app.user.missing_account.const', 'Unable to find the user.', `user_id=${userId}`);
    this.invalidation.emit('user', userId);
    this.publishUpdated(user);
    return user;
  }

  private async applyPatch(actor: Session, user: UserRow, patch: UserPatch): Promise<UserRow> {
    const userId = user.id;
    const next: UserRow = { ...user };
    for (const key of PATCHABLE) {
      if (patch[key] !== undefined) (next as any)[key] = patch[key];
    }
    next.username = next.username.toLowerCase();
    next.email = next.email.toLowerCase();
    if (next.email !== user.email && !isSystemAdmin(actor) && user.auth_service) {
      throw badRequest('api.user.update_user.login_provider_attribute_set.app_error', 'Email is managed by the login provider.');
    }
    validateUser(next);
    const pendingEmail = this.pendingEmail(user, next);
    if (pendingEmail) {
      if (await this.repo.byEmail(pendingEmail)) throw badRequest('app.user.save.email_exists.app_error', 'An account with that email already exists.');
      next.email = user.email;
    }
    next.update_at = Date.now();
    await this.repo.updateChecked(next, (clashes) => assertUnique(next, clashes));
    this.invalidation.emit('user', userId);
    this.publishUpdated(next);
    if (pendingEmail) {
      this.verification
        .send(next, pendingEmail, { newAddress: true, how: 'queued' })
        .catch((err) => this.log.warn(`verification of ${userId}'s new address not queued: ${err instanceof Error ? err.message : err}`));
    }
    return next;
  }

  /**
   * With RequireEmailVerification a changed address is not the account's until it is verified
   * (Mattermost's UpdateUser): the old one stays and the new one gets a verify link. Bots' made-up
   * addresses follow their username at once.
   */
  private pendingEmail(before: UserRow, after: UserRow): string | null {
    if (after.email === before.email || before.is_bot || !this.config.get().EmailSettings.RequireEmailVerification) return null;
    return after.email;
  }

  /**
   * Sets one of the user's props (the custom status) and announces the profile as App.UpdateUser
   * does: `user_updated` to everyone, the cache entry dropped on every node.
   */
  async setProp(userId: string, key: string, value: string): Promise<UserRow> {
    const user = await this.repo.setProp(userId, key, value, Date.now());
    if (!user) throw notFound('app.user.missing_account.const', 'Unable to find the user.', `user_id=${userId}`);
    this.invalidation.emit('user', userId);
    this.publishUpdated(user);
    return user;
  }

  /** The user changed outside this service (a bot's icon): caches drop it and everyone gets the profile. */
  async announce(userId: string): Promise<void> {
    this.invalidation.emit('user', userId);
    this.publishUpdated(await this.get(userId));
  }

  publishUpdated(user: UserRow) {
    // Everyone gets the privacy-filtered profile; the user's own sockets get their full record.
    const cfg = this.config.get();
    this.publisher.publish(
      newEvent(WsEvents.UserUpdated, { omit_users: { [user.id]: true } }, { user: sanitizeUser(user, { self: false, admin: false, config: cfg }) }),
    );
    this.publisher.publish(newEvent(WsEvents.UserUpdated, { user_id: user.id }, { user: sanitizeUser(user, { self: true, admin: false, config: cfg }) }));
  }

  /** PUT /users/{id}/roles: needs manage_roles. */
  async updateRoles(actor: Session, userId: string, roles: string): Promise<void> {
    this.permissions.requireSystem(actor, 'manage_roles');
    const normalized = roles.trim().split(/\s+/).join(' ');
    if (!validSystemRoles(normalized)) throw badRequest('api.user.update_user_roles.bad_request', 'Invalid roles.', `roles=${roles}`);
    await this.get(userId);
    await this.repo.setRoles(userId, normalized, Date.now());
    await this.sessions.rolesChanged(userId, normalized);
    this.publisher.publish(newEvent(WsEvents.UserRoleUpdated, { user_id: userId }, { user_id: userId, roles: normalized }));
  }

  /**
   * DELETE /users/{id}: deactivates one's own account, or anyone's with edit_other_users. While
   * TeamSettings.EnableUserDeactivation is off only manage_system may deactivate itself here.
   */
  async deactivate(actor: Session, userId: string): Promise<void> {
    this.permissions.requireSelfOrAdmin(actor, userId);
    if (actor.user_id === userId && !this.permissions.hasSystem(actor, 'manage_system')) this.requireSelfDeactivation();
    await this.applyActive(userId, false);
  }

  /**
   * PUT /users/{id}/active: activating needs manage_system; deactivating, oneself or manage_system.
   * Deactivating oneself here is refused while EnableUserDeactivation is off, system admins
   * included (Mattermost's updateUserActive, unlike deleteUser, makes no exception for them).
   */
  async setActive(actor: Session, userId: string, active: boolean): Promise<void> {
    if (!active && actor.user_id === userId) this.requireSelfDeactivation();
    else this.permissions.requireSystem(actor, 'manage_system');
    await this.applyActive(userId, active);
  }

  /**
   * Deactivates (sessions revoked) or reactivates an account for its identity provider, as
   * PUT /users/{id}/active does: the LDAP sync, for people who left or came back to the directory.
   */
  async setActiveByProvider(userId: string, active: boolean): Promise<void> {
    await this.applyActive(userId, active);
  }

  /**
   * A bot disabled or enabled (App.UpdateBotActive calls UpdateActive): its user deactivated, its
   * sessions revoked, the same events as PUT /users/{id}/active. The caller checked the right.
   */
  async setBotActive(userId: string, active: boolean): Promise<void> {
    await this.applyActive(userId, active);
  }

  private requireSelfDeactivation(): void {
    if (!this.config.get().TeamSettings.EnableUserDeactivation) {
      throw new AppError('', 'api.user.update_active.not_enable.app_error', 'Users cannot deactivate themselves here.', 401);
    }
  }

  private async applyActive(userId: string, active: boolean): Promise<void> {
    const user = await this.get(userId);
    const now = Date.now();
    await this.repo.setDeleteAt(userId, active ? 0 : now, now);
    if (!active) await this.sessions.revokeAllForUser(userId);
    this.invalidation.emit('user', userId);
    this.publisher.publish(newEvent(WsEvents.UserActivationStatusChange, {}, {}));
    this.publishUpdated({ ...user, delete_at: active ? 0 : now, update_at: now });
  }

  /**
   * PUT /users/{id}/password: one's own with the current password, or anyone's as a system admin.
   * Then, with TerminateSessionsOnPasswordChange, the user's other sessions end (Mattermost's
   * UpdatePassword): all of them when an admin changed it, all but the caller's own otherwise.
   */
  async changePassword(actor: Session, userId: string, currentPassword: string | undefined, newPassword: string, clientAddress: string): Promise<void> {
    const user = await this.get(userId);
    if (actor.user_id === userId) {
      // Missing, it is a bad request, not a wrong password (Mattermost's updatePassword).
      if (!currentPassword) throw invalidParam('current_password');
      await this.logins.checkCurrentPassword(user, currentPassword, clientAddress);
    } else if (!isSystemAdmin(actor)) {
      throw forbidden('api.context.permissions.app_error', 'You do not have the appropriate permissions.');
    }
    this.checkPassword(newPassword);
    await this.repo.setPassword(userId, await hashPassword(newPassword), Date.now());
    if (this.config.get().ServiceSettings.TerminateSessionsOnPasswordChange) {
      await this.sessions.revokeOthersAfterPasswordChange(userId, actor.user_id === userId ? actor.id : '');
    }
  }
}

/** Mattermost's uniqueness errors for the users holding the same username or email. */
function assertUnique(user: UserKeys, clashes: UserKeys[]): void {
  for (const row of clashes) {
    if (row.username === user.username) throw badRequest('app.user.save.username_exists.app_error', 'An account with that username already exists.');
    if (row.email === user.email) throw badRequest('app.user.save.email_exists.app_error', 'An account with that email already exists.');
  }
}

/** The sign-up's required fields, each refused by name when missing. */
function completeSignUp(input: SignUpInput): NewUser {
  for (const key of ['username', 'email', 'password'] as const) {
    if (input[key] === undefined) throw invalidParam(key);
  }
  return input as NewUser;
}
