import { Injectable } from '@nestjs/common';
import { ConfigService } from '#config';
import { MailDriver, MailQueue } from '#mail';
import { passwordChangedMail, passwordResetMail, teamInviteMail, verifyEmailMail, welcomeMail } from './templates/account-mails.js';
import { RenderedMail, siteOf } from './templates/layout.js';

/**
 * How an account mail goes out: `now`, while the request waits, when the route tells the caller
 * whether the SMTP server took it (a MailSendError otherwise; Mattermost's password reset answers
 * 500); `queued`, through the retrying queue, when the route answers OK whatever happens to the
 * mail (Mattermost sends those in a goroutine and logs a failure).
 */
export type Delivery = 'now' | 'queued';

/** Mails about an account: verification, welcome, password reset and change, team invitations. */
@Injectable()
export class AccountMails {
  constructor(
    private readonly mail: MailDriver,
    private readonly queue: MailQueue,
    private readonly config: ConfigService,
  ) {}

  /** The verify link for an address (a new one when `newAddress`: the account's email changes once it is verified). */
  verifyEmail(email: string, token: string, newAddress: boolean, how: Delivery): Promise<void> {
    return this.deliver(email, 'VerifyEmail', verifyEmailMail(siteOf(this.config.get()), { email, token, newAddress }), how);
  }

  /** The welcome mail of a sign-up, with the verify link when the address must be verified to sign in. */
  welcome(email: string, verifyToken: string | undefined, how: Delivery): Promise<void> {
    return this.deliver(email, 'WelcomeEmail', welcomeMail(siteOf(this.config.get()), { email, ...(verifyToken ? { verifyToken } : {}) }), how);
  }

  passwordReset(email: string, token: string, how: Delivery): Promise<void> {
    return this.deliver(email, 'PasswordResetEmail', passwordResetMail(siteOf(this.config.get()), { token }), how);
  }

  passwordChanged(email: string, how: Delivery): Promise<void> {
    return this.deliver(email, 'PasswordChangeEmail', passwordChangedMail(siteOf(this.config.get())), how);
  }

  teamInvite(email: string, token: string, senderName: string, team: { display_name: string; name: string }, how: Delivery): Promise<void> {
    return this.deliver(email, 'InviteEmail', teamInviteMail(siteOf(this.config.get()), { senderName, team, email, token }), how);
  }

  private async deliver(to: string, category: string, mail: RenderedMail, how: Delivery): Promise<void> {
    if (how === 'now') return this.mail.send({ to, category, ...mail });
    this.queue.enqueue({ to, category, ...mail });
  }
}
