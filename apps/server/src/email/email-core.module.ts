import { Global, Injectable, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import { ConfigService } from '#config';
import { MailDriver, MailQueue } from '#mail';
import { createMailDriver } from '../jobs/job-infrastructure.js';
import { AccountMails } from './account-mails.service.js';
import { TokensRepository } from './tokens.repository.js';

const log = new Logger('mail');

/** Stops retrying and lets go of SMTP connections when the node shuts down. */
@Injectable()
export class MailLifecycle implements OnApplicationShutdown {
  constructor(
    private readonly queue: MailQueue,
    private readonly mail: MailDriver,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    if (this.queue.size > 0) log.warn(`${this.queue.size} notification mails were still waiting at shutdown`);
    this.queue.close();
    await this.mail.close();
  }
}

/**
 * Mail for every area: the SMTP driver (live EmailSettings), the retrying queue notification mail
 * goes through, the one-use link tokens, and the account mails (verification, password reset,
 * invitations). Global, so that users, teams, system and jobs use them without importing each other.
 */
@Global()
@Module({
  providers: [
    { provide: MailDriver, useFactory: (config: ConfigService) => createMailDriver(config), inject: [ConfigService] },
    {
      provide: MailQueue,
      useFactory: (mail: MailDriver) => new MailQueue(mail, { log: (level, message) => (level === 'warn' ? log.warn(message) : log.error(message)) }),
      inject: [MailDriver],
    },
    TokensRepository,
    AccountMails,
    MailLifecycle,
  ],
  exports: [MailDriver, MailQueue, TokensRepository, AccountMails],
})
export class EmailCoreModule {}
