import { Injectable, Optional } from '@nestjs/common';
import { AppError, badRequest, unauthorized } from '#common';
import { Config, ConfigService } from '#config';
import { PasswordHasher } from '#auth';
import { isSystemAdmin, Session } from '../common/session.js';
import { networkKey } from '../common/client-address.js';
import { SessionsService } from '../auth/sessions.service.js';
import { DirectoryLogins, PasswordCheck } from './directory-login.js';
import { LoginAttemptsRepository } from './login-attempts.repository.js';
import { LoginThrottle } from './login-throttle.js';
import { SecondFactor } from './second-factor.js';
import { PublicUser, sanitizeUser, UserRow } from './user.model.js';
import { UsersRepository } from './users.repository.js';

export interface LoginRequest {
  loginId: string;
  password: string;
  /** The MFA code (the body's `token`); '' or absent when none was sent. */
  token?: string;
  deviceId: string;
  /** The client's address (common/client-address.ts). */
  address: string;
  /** `ldap_only`: only the directory may check this login (Mattermost's AD/LDAP login form). */
  ldapOnly?: boolean;
}

/**
 * Login ids are counted as typed, lower-cased (no account has a longer username or email, so
 * cutting changes nothing real). Not by user: "alice" and alice's email count apart, else a lock
 * on one would reveal that the other names the same account.
 */
function loginKey(loginId: string): string {
  return loginId.toLowerCase().slice(0, 256);
}

/**
 * POST /users/login. The order is what keeps a login from telling an anonymous caller anything
 * about an account it cannot open:
 * 1. the per-address rate limit (429);
 * 2. the try is counted for this (login id, address) pair; past MaximumLoginAttempts the pair is
 *    locked for LoginLockoutDurationSeconds, the same for every login id, existing or not;
 * 3. the per-account rate limit (429), which a locked-out pair never reaches;
 * 4. one bcrypt in the shared queue, against the account's hash or a dummy one for an unknown id,
 *    and a wrong password and an unknown id give the same answer (Mattermost masks both);
 * 5. after a correct password, the MFA code of an account that has MFA (SecondFactor); a wrong code
 *    counts as a wrong password, a missing one (a client asking whether a code is needed) not at all;
 * 6. only then is it said that the account is deactivated (or a bot).
 * users.failed_attempts still counts failures account-wide, in one statement, and a success resets
 * it, as Mattermost does; it no longer locks the account, which let anyone lock anyone out.
 */
@Injectable()
export class LoginService {
  /** Password and directory logins of this process that succeeded and failed. */
  readonly counts = { logins: 0, failures: 0 };

  constructor(
    private readonly users: UsersRepository,
    private readonly attempts: LoginAttemptsRepository,
    private readonly throttle: LoginThrottle,
    private readonly hasher: PasswordHasher,
    private readonly sessions: SessionsService,
    private readonly config: ConfigService,
    private readonly secondFactor: SecondFactor,
    // The LDAP area's login, when it is loaded (users/directory-login.ts).
    @Optional() private readonly directories?: DirectoryLogins,
  ) {}

  async login(req: LoginRequest): Promise<{ user: PublicUser; session: Session }> {
    const cfg = this.config.get();
    const user = await this.authenticate(req);
    const session = await this.sessions.create(user.id, user.roles, { deviceId: req.deviceId });
    return { user: sanitizeUser({ ...user, failed_attempts: 0 }, { self: true, admin: isSystemAdmin(session), config: cfg }), session };
  }

  /**
   * The account a login's credentials open, checked as login() checks them (limits, counted tries,
   * password or directory bind, MFA code, account state) without opening a session. POST
   * /users/login/switch checks the account it moves this way, naming it by email only (`byEmail`),
   * whatever EmailSettings.EnableSignInWith* say, as Mattermost's GetUserByEmail there.
   */
  async authenticate(req: Omit<LoginRequest, 'deviceId'>, opts: { byEmail?: boolean } = {}): Promise<UserRow> {
    // Every outcome counts, limits and locks included, as Mattermost's AuthenticateUserForLogin
    // counts its logins and failed logins (read by the metrics endpoint).
    try {
      const user = await this.authenticateOnce(req, opts);
      this.counts.logins++;
      return user;
    } catch (err) {
      this.counts.failures++;
      throw err;
    }
  }

  private async authenticateOnce(req: Omit<LoginRequest, 'deviceId'>, opts: { byEmail?: boolean }): Promise<UserRow> {
    const cfg = this.config.get();
    const key = loginKey(req.loginId);
    const address = networkKey(req.address);
    await this.throttle.takeAddress(address);
    const check = async () => {
      await this.throttle.takeAccount(key);
      return this.checkLogin(req, cfg, opts.byEmail === true);
    };
    const mfa = (user: UserRow) => this.checkCode(key, address, user, req.token ?? '');
    const user = await this.countedCheck(key, address, check, () => invalidCredentials(cfg), mfa);
    checkCanLogIn(user);
    checkVerified(user, cfg);
    return user;
  }

  /**
   * A password check outside a login (the LDAP bind of an email → AD/LDAP switch), counted for the
   * (login id, address) pair as a login's try is: refused once the pair is locked, kept counted when
   * `check` finds the password wrong, cleared when right.
   */
  countedPasswordCheck(loginId: string, address: string, check: () => Promise<PasswordCheck>, wrong: () => AppError): Promise<UserRow> {
    return this.countedCheck(loginKey(loginId), networkKey(address), check, wrong);
  }

  /**
   * The MFA step, after a right password and before the pair's count is cleared: a wrong code keeps
   * the try counted and adds to failed_attempts, like a wrong password, so that codes cannot be
   * guessed past MaximumLoginAttempts; a try without a code is taken back (clients send one first
   * to learn whether a code is needed; Mattermost counts only codes sent).
   */
  private async checkCode(key: string, address: string, user: UserRow, code: string): Promise<void> {
    try {
      await this.secondFactor.check(user, code);
    } catch (err) {
      if (code) await this.users.incrementFailedAttempts(user.id);
      else await this.attempts.uncount(key, address);
      throw err;
    }
  }

  /**
   * The current password of a signed-in user (PUT /users/{id}/password), as Mattermost's
   * DoubleCheckPassword: a wrong one counts toward MaximumLoginAttempts (a stolen session cannot
   * guess the password without limit), past it the check is locked for LoginLockoutDurationSeconds,
   * a right one clears the count. Counted per account and address as logins are, under a key no
   * typed login id can take (those are lower-cased): failed logins by others do not lock the
   * owner's password change, and a locked password change does not lock the owner's login.
   */
  async checkCurrentPassword(user: UserRow, password: string, clientAddress: string): Promise<void> {
    const incorrect = () =>
      badRequest(
        'api.user.update_password.incorrect.app_error',
        'The "Current Password" you entered is incorrect. Please check that Caps Lock is off and try again.',
      );
    const check = async () => ({ user, ok: await this.hasher.compare(password, user.password) });
    await this.countedCheck(`PASSWORD ${user.id}`, networkKey(clientAddress), check, incorrect);
  }

  /**
   * The login's account and whether the password is its: the directory's answer for the logins it
   * claims (LDAP), bcrypt for the rest. An account of a sign-in service never matches a password
   * here, even one an admin set (Mattermost's authenticateUser refuses them before any check).
   */
  private async checkLogin(req: Omit<LoginRequest, 'deviceId'>, cfg: Config, byEmail: boolean): Promise<PasswordCheck> {
    let user = byEmail ? await this.users.byEmail(req.loginId) : await this.findUser(req.loginId, cfg);
    const directory = this.directories?.get();
    if (directory?.handles(user, req.ldapOnly === true)) {
      const answer = await directory.check(req.loginId, req.password, user);
      if (answer) return answer;
      // No such entry: answered as an unknown id, after the same bcrypt.
      if (req.ldapOnly) user = undefined;
    }
    const matches = await this.hasher.compare(req.password, user?.password ?? '');
    return { user, ok: matches && !user?.auth_service };
  }

  /**
   * One password check counted for the (key, address) pair, for logins and password changes alike:
   * the try is counted and refused once the pair is locked; a try refused before the check ran (a
   * rate limit, a full bcrypt queue, a directory that cannot be reached) is taken back, as no
   * guess was made; a wrong password (or no account: bcrypt against the dummy hash all the same)
   * adds to failed_attempts and answers `wrong()`; a right one passes `afterPassword` (the MFA step)
   * and then clears the pair's count and failed_attempts. `check` is bcrypt, or an LDAP bind
   * (users/directory-login.ts).
   */
  private async countedCheck(
    key: string,
    address: string,
    check: () => Promise<PasswordCheck>,
    wrong: () => AppError,
    afterPassword?: (user: UserRow) => Promise<void>,
  ): Promise<UserRow> {
    await this.countTry(key, address, this.config.get());
    let user: UserRow | undefined;
    let matches: boolean;
    try {
      ({ user, ok: matches } = await check());
    } catch (err) {
      await this.attempts.uncount(key, address);
      throw err;
    }
    if (!matches || !user) {
      // The same statement for an unknown id (it matches no row), so both answers cost the same.
      await this.users.incrementFailedAttempts(user?.id ?? '');
      throw wrong();
    }
    if (afterPassword) await afterPassword(user);
    await this.attempts.forget(key, address);
    await this.users.resetFailedAttempts(user.id);
    return user;
  }

  /** Counts the try for the pair; refuses it once the pair has used up its tries. */
  private async countTry(key: string, address: string, cfg: Config): Promise<void> {
    const s = cfg.ServiceSettings;
    const max = s.MaximumLoginAttempts;
    const tries = await this.attempts.count(key, address, { now: Date.now(), lockoutMs: s.LoginLockoutDurationSeconds * 1000, max });
    if (tries > max) {
      throw unauthorized(
        'api.user.check_user_login_attempts.too_many.app_error',
        'Your account is locked because of too many failed password attempts. Please try again later.',
      );
    }
  }

  /** The account the id names, if sign-in with that kind of id is on (Mattermost's GetUserForLogin). */
  private async findUser(loginId: string, cfg: Config): Promise<UserRow | undefined> {
    const user = await this.users.byLogin(loginId);
    if (!user) return undefined;
    const byEmail = user.email === loginId.toLowerCase();
    return (byEmail ? cfg.EmailSettings.EnableSignInWithEmail : cfg.EmailSettings.EnableSignInWithUsername) ? user : undefined;
  }
}

/** Checked only after the right password, so an anonymous caller cannot tell these accounts apart. */
function checkCanLogIn(user: UserRow): void {
  if (user.delete_at > 0) throw unauthorized('api.user.login.inactive.app_error', 'Login failed because your account has been deactivated.');
  if (user.is_bot) throw unauthorized('api.user.login.bot_login_forbidden.app_error', 'Bot login is forbidden.');
}

/**
 * Mattermost's CheckUserPostflightAuthenticationCriteria: with RequireEmailVerification an account
 * whose address is not verified cannot log in (401, one of the errors its login does not mask),
 * told only after the right password.
 */
function checkVerified(user: UserRow, cfg: Config): void {
  if (!user.email_verified && cfg.EmailSettings.RequireEmailVerification) {
    throw unauthorized('api.user.login.not_verified.app_error', 'Login failed because email address has not been verified.', `user_id=${user.id}`);
  }
}

/**
 * Mattermost's answer for an unknown login id and a wrong password alike (api4 login masks every
 * error but a few with one of these, picked by the sign-in methods in force).
 */
export function invalidCredentials(cfg: Config): AppError {
  const byUsername = cfg.EmailSettings.EnableSignInWithUsername;
  const byEmail = cfg.EmailSettings.EnableSignInWithEmail;
  const sso = [cfg.SamlSettings, cfg.GitLabSettings, cfg.OpenIdSettings, cfg.GoogleSettings, cfg.Office365Settings];
  if (sso.some((s) => s.Enable)) {
    return unauthorized('api.user.login.invalid_credentials_sso', 'Enter a valid email or username and/or password, or sign in using another method.');
  }
  if (byUsername && !byEmail) return unauthorized('api.user.login.invalid_credentials_username', 'Enter a valid username and/or password.');
  if (!byUsername && byEmail) return unauthorized('api.user.login.invalid_credentials_email', 'Enter a valid email and/or password.');
  return unauthorized('api.user.login.invalid_credentials_email_username', 'Enter a valid email or username and/or password.');
}
