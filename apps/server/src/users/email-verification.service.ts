import { Injectable, Logger } from '@nestjs/common';
import { AppError, badRequest, invalidParam, isUnstorableText } from '#common';
import { isExpired, TOKEN_SIZE, tokenExtra, TokenType } from '../email/token.model.js';
import { TokensRepository } from '../email/tokens.repository.js';
import { isValidEmail } from './user.model.js';
import { UsersRepository } from './users.repository.js';
import { UsersService } from './users.service.js';
import { VerificationLinks } from './verification-links.js';

/** Every failure of POST /users/email/verify is this one answer (Mattermost's verifyUserEmail wraps them all). */
const badLink = (detail: string) => badRequest('api.user.verify_email.bad_link.app_error', 'Bad verify email link.', detail);

/** POST /users/email/verify and /users/email/verify/send. */
@Injectable()
export class EmailVerificationService {
  private readonly log = new Logger('users');

  constructor(
    private readonly users: UsersRepository,
    private readonly usersService: UsersService,
    private readonly tokens: TokensRepository,
    private readonly links: VerificationLinks,
  ) {}

  /**
   * Uses a verify link once: the token is taken in one statement, so a second use finds nothing.
   * The address in the token becomes the account's, verified; the profile goes to everyone as
   * user_updated. Returns the user's id (for the audit record).
   */
  async verify(token: string): Promise<string> {
    if (token.length !== TOKEN_SIZE) throw invalidParam('token');
    const row = await this.tokens.take(token, TokenType.VerifyEmail);
    if (!row) throw badLink((await this.tokens.find(token)) ? 'not an email verification token' : 'no such token');
    if (isExpired(row)) throw badLink('the email verification link has expired');
    const data = tokenExtra(row);
    let user;
    try {
      user = await this.users.verifyEmail(data.UserId ?? '', data.Email ?? '', Date.now());
    } catch (err) {
      // The address was taken by another account between the check and the write.
      if ((err as { code?: string }).code === '23505') throw badLink('the address belongs to another account');
      throw err;
    }
    if (!user) throw badLink('no such user, or the address belongs to another account');
    await this.usersService.announce(user.id);
    return user.id;
  }

  /**
   * Mails a new verify link to the account with this address. Whether there is one, and whether the
   * mail could be sent, is never told (Mattermost answers OK either way: no account enumeration).
   */
  async resend(email: string): Promise<void> {
    const address = email.toLowerCase();
    if (address === '') throw invalidParam('email');
    // No account has an address that is none, or that PostgreSQL could not even compare.
    if (!isValidEmail(address) || isUnstorableText(address)) return;
    const user = await this.users.byEmail(address);
    if (!user || user.delete_at > 0 || user.is_bot) return;
    try {
      await this.links.send(user, user.email, { newAddress: false, how: 'now' });
    } catch (err) {
      if (err instanceof AppError) throw err;
      this.log.warn(`verification mail for ${user.id} not sent: ${err instanceof Error ? err.message : err}`);
    }
  }
}
