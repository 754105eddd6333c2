import { Injectable } from '@nestjs/common';
import { AppError, badRequest, notFound, permissionDenied, unauthorized } from '#common';
import { Config, ConfigService } from '#config';
import { InvalidationBus } from '#realtime';
import type { Session } from '../common/session.js';
import { networkKey } from '../common/client-address.js';
import { PermissionsService } from '../auth/permissions.service.js';
import { SsoFlowsRepository } from '../sso/sso-flows.repository.js';
import { LoginThrottle } from '../users/login-throttle.js';
import { SecondFactor } from '../users/second-factor.js';
import type { UserRow } from '../users/user.model.js';
import { UsersRepository } from '../users/users.repository.js';
import { openMfaSecret, sealMfaSecret } from './mfa-secret-box.js';
import { isTotpCode, newTotpSecret, totpQrPng, totpStep, totpStepExpiry } from './totp.js';

/** POST /users/{id}/mfa/generate's answer (model.MfaSecret): the Base32 secret and the QR code PNG in base64. */
export interface MfaSecretView {
  secret: string;
  qr_code: string;
}

/**
 * Multi-factor authentication with TOTP codes (Mattermost's app/user.go GenerateMfaSecret,
 * ActivateMfa, DeactivateMfa, CheckUserMfa and shared/mfa): an authenticator app enrolled from a
 * generated secret, a code at every password sign-in of an account with MFA active. Each code is
 * good once: the (user, time step) of every accepted code is kept in used_once, so a code seen by
 * one node is refused by all.
 */
@Injectable()
export class MfaService implements SecondFactor {
  constructor(
    private readonly users: UsersRepository,
    private readonly flows: SsoFlowsRepository,
    private readonly permissions: PermissionsService,
    private readonly throttle: LoginThrottle,
    private readonly invalidation: InvalidationBus,
    private readonly config: ConfigService,
  ) {}

  /**
   * A new secret for `userId`, not active until PUT /users/{id}/mfa activates it with a code. The
   * only answer that ever holds a secret. Refused while MFA is active (Mattermost replaces the
   * active secret, so a stolen session could move the second factor to its own app without a code):
   * remove MFA first, as the web app's "Reset" does.
   */
  async generate(actor: Session, userId: string): Promise<MfaSecretView> {
    this.checkActor(actor, userId);
    const user = await this.account(userId);
    const cfg = this.enabled();
    checkMfaAccount(user);
    if (user.mfa_active) {
      throw badRequest(
        'api.user.generate_mfa_secret.mfa_active.app_error',
        'MFA is already active on this account; remove it before setting up a new authenticator.',
      );
    }
    const secret = newTotpSecret();
    const png = await totpQrPng(issuerOf(cfg), user.email, secret);
    await this.users.setPendingMfaSecret(user.id, sealMfaSecret(secret, user.id, cfg.SqlSettings.AtRestEncryptKey), Date.now());
    return { secret, qr_code: png.toString('base64') };
  }

  /**
   * PUT /users/{id}/mfa: activate with a code of the generated secret, or deactivate (no code, as
   * Mattermost; the web app's Remove and Reset send none). Sessions of the user on every node take
   * the new state at once (the 'user' invalidation drops them from the caches), which is what the
   * MFA enforcement reads.
   */
  async update(actor: Session, userId: string, activate: boolean, code: string): Promise<void> {
    this.checkActor(actor, userId);
    const user = await this.account(userId);
    if (activate) await this.activate(user, code);
    else await this.users.deactivateMfa(user.id, Date.now());
    this.invalidation.emit('user', user.id);
  }

  /** SecondFactor: the code of a password sign-in (Mattermost's CheckUserMfa). */
  async check(user: UserRow, code: string): Promise<void> {
    if (!user.mfa_active || !this.config.get().ServiceSettings.EnableMultifactorAuthentication) return;
    const trimmed = code.trim();
    // No code, or no code at all: the web app asks for one on this error.
    if (!isTotpCode(trimmed)) throw unauthorized('mfa.validate_token.authenticate.app_error', 'Enter the code from your authenticator app.');
    const stored = await this.users.mfaSecret(user.id);
    if (!(await this.useCode(user.id, stored, trimmed))) {
      throw unauthorized('api.user.check_user_mfa.bad_code.app_error', 'Invalid MFA token.');
    }
  }

  /**
   * POST /users/mfa: whether a login id needs a code, for clients that ask before the login.
   * Mattermost's answer (always true in ExperimentalEnableHardenedMode, which hides which accounts
   * have MFA); under the login limiter per address, as it names accounts.
   */
  async required(loginId: string, clientAddress: string): Promise<boolean> {
    await this.throttle.takeAddress(networkKey(clientAddress));
    const cfg = this.config.get();
    if (!cfg.ServiceSettings.EnableMultifactorAuthentication) return false;
    if (cfg.ServiceSettings.ExperimentalEnableHardenedMode) return true;
    return (await this.users.byLogin(loginId))?.mfa_active ?? false;
  }

  private async activate(user: UserRow, code: string): Promise<void> {
    checkMfaAccount(user);
    this.enabled();
    const stored = await this.users.mfaSecret(user.id);
    const badToken = () => unauthorized('mfa.activate.bad_token.app_error', 'Invalid MFA token.');
    if (!stored) throw badToken();
    if (!(await this.useCode(user.id, stored, code.trim()))) throw badToken();
    // Only the secret the code was checked against: a generate in between leaves MFA off.
    if (!(await this.users.activateMfa(user.id, stored, Date.now()))) throw badToken();
  }

  /** Whether `code` is a valid code of the stored secret whose time step this user has not used yet (then it is used). */
  private async useCode(userId: string, stored: string, code: string): Promise<boolean> {
    const secret = openMfaSecret(stored, userId, this.config.get().SqlSettings.AtRestEncryptKey);
    const step = await totpStep(secret, code);
    if (step === undefined) return false;
    return this.flows.useOnce(`mfa:${userId}:${step}`, totpStepExpiry(step));
  }

  /**
   * The account, read here rather than through UsersService: LoginService, which UsersService
   * uses, depends on this service (SecondFactor).
   */
  private async account(userId: string): Promise<UserRow> {
    const user = await this.users.byId(userId);
    if (!user) throw notFound('app.user.missing_account.const', 'Unable to find the user.', `user_id=${userId}`);
    return user;
  }

  /** The user themself or someone with edit_other_users; never an OAuth app's session (Mattermost's updateUserMfa). */
  private checkActor(actor: Session, userId: string): void {
    if (actor.is_oauth) throw permissionDenied('edit_other_users');
    this.permissions.requireSelfOrAdmin(actor, userId);
  }

  private enabled(): Config {
    const cfg = this.config.get();
    if (!cfg.ServiceSettings.EnableMultifactorAuthentication) {
      throw new AppError('', 'mfa.mfa_disabled.app_error', 'Multi-factor authentication has been disabled on this server.', 501);
    }
    return cfg;
  }
}

/** MFA is for accounts that sign in with a password: email and AD/LDAP ones (others have their provider's). */
function checkMfaAccount(user: UserRow): void {
  if (user.auth_service && user.auth_service !== 'ldap') {
    throw badRequest('api.user.activate_mfa.email_and_ldap_only.app_error', 'MFA is not available for this account type.');
  }
}

/** The authenticator app's label for this server: SiteURL's host (Mattermost's getIssuerFromURL), else the site name. */
function issuerOf(cfg: Config): string {
  const site = cfg.ServiceSettings.SiteURL.trim();
  if (!site) return cfg.TeamSettings.SiteName || 'Mattermost';
  return site
    .replace(/^https?:\/\//, '')
    .replace(/^www\./, '')
    .replace(/\/$/, '');
}
