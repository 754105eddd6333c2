import { Injectable } from '@nestjs/common';
import { AppError, badRequest, forbidden, invalidParam, permissionDenied, sessionExpired } from '#common';
import { Config, ConfigService } from '#config';
import { hashPassword } from '#auth';
import { InvalidationBus } from '#realtime';
import { isSystemAdmin, type Session } from '../common/session.js';
import { SessionsService } from '../auth/sessions.service.js';
import { AUTH_SERVICES, AuthService, ExternalAccountsService, ExternalIdentity } from '../sso/external-accounts.service.js';
import { LoginService } from '../users/login.service.js';
import type { UserRow } from '../users/user.model.js';
import { UsersRepository } from '../users/users.repository.js';
import { UsersService } from '../users/users.service.js';
import { LdapService } from '../ldap/ldap.service.js';

/** POST /users/login/switch's body (model.SwitchRequest). */
export interface SwitchRequest {
  current_service: string;
  new_service: string;
  email: string;
  password: string;
  new_password: string;
  mfa_code: string;
  ldap_id: string;
}

/** PUT /users/{id}/auth's body and answer (model.UserAuth; the password is never sent back). */
export interface UserAuth {
  auth_data?: string | null;
  auth_service?: string;
  password?: string;
}

/** The providers an email account can move to with a browser sign-in (SwitchRequest.EmailToOAuth). */
const BROWSER_SERVICES: ReadonlySet<string> = new Set<AuthService>(['saml', 'gitlab', 'google', 'office365', 'openid']);
const EMAIL = 'email';
/** Where the web app goes after a switch that ends here: the login page, with the "sign-in method changed" notice. */
const SIGNIN_CHANGED = '/login?extra=signin_change';
const PG_UNIQUE_VIOLATION = '23505';

/**
 * Moving an account from one sign-in method to another (Mattermost's switchAccountType and
 * updateUserAuth): email → SAML/OAuth (the password and MFA code checked as a login checks them,
 * then the provider's own sign-in completes it: ExternalAccountsService.startSwitch/completeSwitch),
 * SAML/OAuth → email (the signed-in owner sets a password), email ↔ AD/LDAP, and a system admin
 * setting an account's method directly.
 */
@Injectable()
export class SignInSwitchService {
  constructor(
    private readonly logins: LoginService,
    private readonly accounts: ExternalAccountsService,
    private readonly users: UsersRepository,
    private readonly usersService: UsersService,
    private readonly sessions: SessionsService,
    private readonly invalidation: InvalidationBus,
    private readonly config: ConfigService,
    private readonly ldap: LdapService,
  ) {}

  /** POST /users/login/switch: where the client goes next (`follow_link`). `session` is the caller's, if any. */
  async switchAccount(req: SwitchRequest, session: Session | undefined, clientAddress: string): Promise<string> {
    const from = req.current_service;
    const to = req.new_service;
    if (from === EMAIL && BROWSER_SERVICES.has(to)) return this.emailToProvider(req, to as AuthService, clientAddress);
    if (BROWSER_SERVICES.has(from) && to === EMAIL) return this.providerToEmail(req, session);
    if (from === EMAIL && to === 'ldap') return this.emailToLdap(req, clientAddress);
    if (from === 'ldap' && to === EMAIL) return this.ldapToEmail(req, clientAddress);
    throw invalidParam('switch_request');
  }

  /**
   * Email → a browser provider (SwitchEmailToOAuth): after the password and MFA code of the
   * account (counted as a login's), a one-time switch token bound to it and to `service`, carried
   * through the provider's sign-in, which moves the account when the provider answers.
   */
  private async emailToProvider(req: SwitchRequest, service: AuthService, clientAddress: string): Promise<string> {
    const cfg = this.config.get();
    checkProviderEnabled(cfg, service);
    const user = await this.logins.authenticate({ loginId: req.email, password: req.password, token: req.mfa_code, address: clientAddress }, { byEmail: true });
    const token = await this.accounts.startSwitch(user.id, service);
    const site = cfg.ServiceSettings.SiteURL.replace(/\/$/, '');
    const query = `action=email_to_sso&switch_token=${encodeURIComponent(token)}`;
    return service === 'saml' ? `${site}/login/sso/saml?${query}` : `${site}/oauth/${service}/login?${query}`;
  }

  /**
   * A browser provider → email (SwitchOAuthToEmail): only the signed-in owner of the account, and
   * only while email sign-up and sign-in are on; the new password follows the password rules. Every
   * session of the account ends.
   */
  private async providerToEmail(req: SwitchRequest, session: Session | undefined): Promise<string> {
    if (!session) throw sessionExpired('UserRequired');
    const cfg = this.config.get();
    checkEmailSignInOn(cfg);
    const user = req.email ? await this.users.byEmail(req.email) : undefined;
    // Mattermost checks only that the email is the caller's; the account must also be of the service
    // named, or an email account's owner could set a new password here without the current one.
    if (!user || user.id !== session.user_id || user.auth_service !== req.current_service) {
      throw forbidden('api.user.oauth_to_email.context.app_error', "Update password failed because context user_id did not match provided user's id.");
    }
    await this.toEmail(user, req.new_password);
    return SIGNIN_CHANGED;
  }

  /**
   * Email → AD/LDAP (SwitchEmailToLdap): the email password and MFA code, then the LDAP login id and
   * password (`new_password`), whose bind is counted as a login of that LDAP id is; the account then
   * belongs to the directory entry and takes its attributes (ExternalAccountsService.completeSwitch).
   */
  private async emailToLdap(req: SwitchRequest, clientAddress: string): Promise<string> {
    this.requireLdap(new AppError('', 'api.user.email_to_ldap.not_available.app_error', 'AD/LDAP is not available on this server.', 501));
    const user = await this.logins.authenticate({ loginId: req.email, password: req.password, token: req.mfa_code, address: clientAddress }, { byEmail: true });
    let identity: ExternalIdentity | undefined;
    let refusal: AppError | undefined;
    const bind = async () => {
      try {
        identity = await this.ldap.verify(req.ldap_id, req.new_password);
        return { user, ok: true };
      } catch (err) {
        // The directory's no (unknown entry, filtered out, wrong password) is a wrong guess; a
        // directory that cannot be asked is not (the try is taken back).
        if (!(err instanceof AppError) || err.statusCode >= 500) throw err;
        refusal = err;
        return { user, ok: false };
      }
    };
    await this.logins.countedPasswordCheck(req.ldap_id, clientAddress, bind, () => refusal!);
    await this.accounts.completeSwitch(await this.accounts.startSwitch(user.id, 'ldap'), identity!);
    return SIGNIN_CHANGED;
  }

  /**
   * AD/LDAP → email (SwitchLdapToEmail): the LDAP password and MFA code, checked by the login (its
   * directory path binds as the account's entry and counts the try), then the new email password.
   */
  private async ldapToEmail(req: SwitchRequest, clientAddress: string): Promise<string> {
    this.requireLdap(new AppError('', 'api.user.ldap_to_email.not_available.app_error', 'AD/LDAP is not available on this server.', 501));
    const user = await this.logins.authenticate({ loginId: req.email, password: req.password, token: req.mfa_code, address: clientAddress }, { byEmail: true });
    if (user.auth_service !== 'ldap') throw badRequest('api.user.ldap_to_email.not_ldap_account.app_error', 'This account does not use AD/LDAP.');
    await this.toEmail(user, req.new_password);
    return SIGNIN_CHANGED;
  }

  /**
   * PUT /users/{id}/auth (system admins; Mattermost's UpdateUserAuth): moves the account to
   * `auth_service` with `auth_data` (its password cleared), or — with no service and a `password`
   * (Mattermost before v6) — back to email with that password. An (auth_service, auth_data) pair
   * belongs to one account.
   */
  async updateAuth(actor: Session, userId: string, input: UserAuth): Promise<UserAuth> {
    if (!isSystemAdmin(actor)) throw permissionDenied('edit_other_users');
    const user = await this.usersService.get(userId);
    const service = input.auth_service === EMAIL ? '' : (input.auth_service ?? '');
    if (!service && !input.auth_data && input.password) {
      await this.toEmail(user, input.password, { revokeSessions: false });
      return { auth_service: '' };
    }
    const authData = input.auth_data ?? '';
    if (!authData || !service) {
      throw badRequest('api.user.update_user_auth.invalid_request', 'The request is missing the auth_data or auth_service parameter.');
    }
    if (!(AUTH_SERVICES as readonly string[]).includes(service)) throw invalidParam('auth_service');
    if (authData.length > 128) throw badRequest('model.user.is_valid.auth_data.app_error', 'Invalid auth data.', `user_id=${user.id}`);
    const taken = () => badRequest('app.user.update_auth_data.email_exists.app_error', 'That sign-in is already used by another account.');
    const holder = await this.users.byAuth(service, authData);
    if (holder && holder.id !== user.id) throw taken();
    await this.users.setAuth(user.id, { service, authData, passwordHash: '' }, Date.now()).catch((err: { code?: string }) => {
      throw err?.code === PG_UNIQUE_VIOLATION ? taken() : err;
    });
    this.changed({ ...user, auth_service: service, auth_data: authData, password: '' });
    return { auth_data: authData, auth_service: service };
  }

  /** The account signs in with email and `password` from now on; its sessions end (Mattermost's UpdatePassword then RevokeAllSessions). */
  private async toEmail(user: UserRow, password: string, opts = { revokeSessions: true }): Promise<void> {
    this.usersService.checkPassword(password);
    await this.users.setAuth(user.id, { service: '', authData: null, passwordHash: await hashPassword(password) }, Date.now());
    if (opts.revokeSessions) await this.sessions.revokeAllForUser(user.id);
    this.changed({ ...user, auth_service: '', auth_data: null });
  }

  /** Every node drops the account from its caches (sessions carry its sign-in method for the MFA enforcement); user_updated goes out. */
  private changed(user: UserRow): void {
    this.invalidation.emit('user', user.id);
    this.usersService.publishUpdated({ ...user, update_at: Date.now() });
  }

  private requireLdap(unavailable: AppError): void {
    if (!this.config.get().LdapSettings.Enable) throw unavailable;
  }
}

/** Mattermost's answers for a provider that is off (GetAuthorizationCode; the SAML login route). */
function checkProviderEnabled(cfg: Config, service: AuthService): void {
  const settings = {
    saml: cfg.SamlSettings,
    gitlab: cfg.GitLabSettings,
    google: cfg.GoogleSettings,
    office365: cfg.Office365Settings,
    openid: cfg.OpenIdSettings,
    ldap: cfg.LdapSettings,
  }[service];
  if (settings.Enable) return;
  if (service === 'saml') throw new AppError('', 'api.user.saml.not_available.app_error', 'SAML 2.0 is not configured or supported on this server.', 501);
  throw new AppError('', 'api.user.get_authorization_code.unsupported.app_error', 'Unsupported OAuth service provider.', 501, `service=${service}`);
}

/** Switching to email needs email sign-up and a way to sign in with it (SwitchOAuthToEmail). */
function checkEmailSignInOn(cfg: Config): void {
  const e = cfg.EmailSettings;
  if (!e.EnableSignUpWithEmail) {
    throw forbidden('api.user.auth_switch.not_available.email_signup_disabled.app_error', 'Signing up with email is disabled on this server.');
  }
  if (!e.EnableSignInWithEmail && !e.EnableSignInWithUsername) {
    throw forbidden('api.user.auth_switch.not_available.login_disabled.app_error', 'Signing in with email or username is disabled on this server.');
  }
}
