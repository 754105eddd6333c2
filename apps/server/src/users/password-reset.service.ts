import { Injectable, Logger } from '@nestjs/common';
import { AppError, badRequest, invalidParam, isUnstorableText } from '#common';
import { ConfigService } from '#config';
import { hashPassword } from '#auth';
import { SessionsService } from '../auth/sessions.service.js';
import { AccountMails } from '../email/account-mails.service.js';
import { isExpired, newTokenString, TOKEN_SIZE, tokenExtra, TokenRow, TokenType } from '../email/token.model.js';
import { TokensRepository } from '../email/tokens.repository.js';
import { networkKey } from '../common/client-address.js';
import { LoginThrottle } from './login-throttle.js';
import { isValidEmail } from './user.model.js';
import { UsersRepository } from './users.repository.js';
import { UsersService } from './users.service.js';

const linkExpired = () => badRequest('api.user.reset_password.link_expired.app_error', 'The password reset link has expired.');

/**
 * Password recovery by mail (Mattermost's SendPasswordReset and ResetPasswordFromToken): a link
 * that works once and for 24 hours, the password policy on the new password, and the user's
 * sessions ended afterwards (TerminateSessionsOnPasswordChange).
 */
@Injectable()
export class PasswordResetService {
  private readonly log = new Logger('users');

  constructor(
    private readonly users: UsersRepository,
    private readonly usersService: UsersService,
    private readonly tokens: TokensRepository,
    private readonly mails: AccountMails,
    private readonly sessions: SessionsService,
    private readonly config: ConfigService,
    private readonly throttle: LoginThrottle,
  ) {}

  /**
   * POST /users/password/reset/send. An unknown address answers OK (nothing to tell a stranger).
   * As Mattermost: an account of a sign-in service is refused (400), and a mail the SMTP server
   * did not take is a 500 — unless ExperimentalEnableHardenedMode, where every failure answers OK.
   */
  async sendLink(email: string, clientAddress: string): Promise<void> {
    if (email === '') throw invalidParam('email');
    // Before anything else, and outside hardened mode's catch-all: a 429 is not a failure to hide.
    await this.throttle.takeResetSend(networkKey(clientAddress), email);
    try {
      await this.trySendLink(email.toLowerCase());
    } catch (err) {
      if (!this.config.get().ServiceSettings.ExperimentalEnableHardenedMode) throw err;
      this.log.warn(`password reset mail not sent (hardened mode answers OK): ${err instanceof Error ? err.message : err}`);
    }
  }

  private async trySendLink(email: string): Promise<void> {
    // No account has an address that is none, or that PostgreSQL could not even compare.
    if (!isValidEmail(email) || isUnstorableText(email)) return;
    const user = await this.users.byEmail(email);
    if (!user || user.is_bot) return;
    if (user.auth_data) {
      throw badRequest('api.user.send_password_reset.sso.app_error', 'Unable to reset password for SSO accounts.', `userId=${user.id}`);
    }
    const token = newTokenString();
    // A new link voids the older ones (InvalidatePasswordRecoveryTokensForUser).
    await this.tokens.deleteForUser(TokenType.PasswordRecovery, user.id);
    await this.tokens.insert(token, TokenType.PasswordRecovery, { UserId: user.id, Email: user.email }, user.id);
    try {
      await this.mails.passwordReset(user.email, token, 'now');
    } catch (err) {
      throw new AppError(
        'SendPasswordReset',
        'api.user.send_password_reset.send.app_error',
        'Failed to send password reset email successfully.',
        500,
        String(err),
      );
    }
  }

  /**
   * POST /users/password/reset: uses the link once (taken in one statement; a second use, or a
   * link of another kind, finds nothing). A new password the policy refuses puts the link back, so
   * the user can try another. Returns the user's id.
   */
  async reset(token: string, newPassword: string, clientAddress: string): Promise<string> {
    await this.throttle.takeReset(networkKey(clientAddress), token);
    if (token.length !== TOKEN_SIZE) throw invalidParam('token');
    const row = await this.tokens.take(token, TokenType.PasswordRecovery);
    if (!row) {
      if (await this.tokens.find(token))
        throw badRequest('api.user.reset_password.broken_token.app_error', 'The reset password token does not appear to be valid.');
      throw badRequest('api.user.reset_password.invalid_link.app_error', 'The reset password link does not appear to be valid.');
    }
    if (isExpired(row)) throw linkExpired();
    const data = tokenExtra(row);
    const user = await this.users.byId(data.UserId ?? '');
    // The address changed since the link was sent: the link was for the old one.
    if (!user || user.email !== data.Email) throw linkExpired();
    if (user.auth_service) {
      throw badRequest('api.user.reset_password.sso.app_error', 'Unable to reset password for SSO accounts.', `userId=${user.id}`);
    }
    await this.withLinkBack(row, () => this.usersService.checkPassword(newPassword));
    await this.users.setPassword(user.id, await hashPassword(newPassword), Date.now());
    if (this.config.get().ServiceSettings.TerminateSessionsOnPasswordChange) await this.sessions.revokeOthersAfterPasswordChange(user.id, '');
    void this.mails.passwordChanged(user.email, 'queued');
    return user.id;
  }

  private async withLinkBack(row: TokenRow, check: () => void): Promise<void> {
    try {
      check();
    } catch (err) {
      await this.tokens.restore(row);
      throw err;
    }
  }
}
