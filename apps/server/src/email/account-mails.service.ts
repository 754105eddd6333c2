import { Injectable } from '@nestjs/common';
import { ConfigService } from '#config';
import { MailDriver } from '#mail';
import { passwordResetMail, teamInviteMail, verifyEmailMail, welcomeMail } from './templates/account-mails.js';
import { RenderedMail, siteOf } from './templates/layout.js';

/**
 * Mails about an account, sent while the request waits: the caller learns whether the SMTP server
 * took the mail (a MailSendError otherwise) and answers as Mattermost does for that route.
 */
@Injectable()
export class AccountMails {
  constructor(
    private readonly mail: MailDriver,
    private readonly config: ConfigService,
  ) {}

  /** The verify link for an address (a new one when `newAddress`: the account's email changes once it is verified). */
  verifyEmail(email: string, token: string, newAddress: boolean): Promise<void> {
    return this.send(email, 'VerifyEmail', verifyEmailMail(siteOf(this.config.get()), { email, token, newAddress }));
  }

  /** The welcome mail of a sign-up, with the verify link when the address must be verified to sign in. */
  welcome(email: string, verifyToken?: string): Promise<void> {
    return this.send(email, 'WelcomeEmail', welcomeMail(siteOf(this.config.get()), { email, ...(verifyToken ? { verifyToken } : {}) }));
  }

  passwordReset(email: string, token: string): Promise<void> {
    return this.send(email, 'PasswordResetEmail', passwordResetMail(siteOf(this.config.get()), { token }));
  }

  teamInvite(email: string, token: string, senderName: string, team: { display_name: string; name: string }): Promise<void> {
    return this.send(email, 'InviteEmail', teamInviteMail(siteOf(this.config.get()), { senderName, team, email, token }));
  }

  private send(to: string, category: string, mail: RenderedMail): Promise<void> {
    return this.mail.send({ to, category, ...mail });
  }
}
