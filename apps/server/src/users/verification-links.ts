import { Injectable } from '@nestjs/common';
import { AccountMails, Delivery } from '../email/account-mails.service.js';
import { newTokenString, TokenType } from '../email/token.model.js';
import { TokensRepository } from '../email/tokens.repository.js';
import type { UserRow } from './user.model.js';

/**
 * Email verification links (Mattermost's CreateVerifyEmailToken and the mails that carry them).
 * A new link voids the user's earlier ones. The token's extra is Mattermost's {"UserId","Email"}:
 * the address it verifies, which becomes the account's when the link is used.
 */
@Injectable()
export class VerificationLinks {
  constructor(
    private readonly tokens: TokensRepository,
    private readonly mails: AccountMails,
  ) {}

  /** Mails a verify link for `email` (the account's own, or the new address it asked for). */
  async send(user: Pick<UserRow, 'id'>, email: string, opts: { newAddress: boolean; how: Delivery }): Promise<void> {
    const token = await this.create(user.id, email);
    await this.mails.verifyEmail(email, token, opts.newAddress, opts.how);
  }

  /**
   * After a sign-up whose address must be verified before its first login: Mattermost's welcome
   * mail with the verify link, through the retrying queue (the sign-up answers at once).
   */
  async welcome(user: Pick<UserRow, 'id' | 'email'>): Promise<void> {
    const token = await this.create(user.id, user.email);
    await this.mails.welcome(user.email, token, 'queued');
  }

  private async create(userId: string, email: string): Promise<string> {
    const token = newTokenString();
    await this.tokens.deleteForUser(TokenType.VerifyEmail, userId);
    await this.tokens.insert(token, TokenType.VerifyEmail, { UserId: userId, Email: email.toLowerCase() }, userId);
    return token;
  }
}
