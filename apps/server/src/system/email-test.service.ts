import { Injectable } from '@nestjs/common';
import { AppError, badRequest, notFound } from '#common';
import { Config, ConfigService, FAKE_SETTING } from '#config';
import { SmtpMailDriver, smtpSettings } from '#mail';
import { testMail } from '../email/templates/account-mails.js';
import { siteOf } from '../email/templates/layout.js';
import { UsersRepository } from '../users/users.repository.js';

type EmailSettings = Config['EmailSettings'];

/**
 * POST /email/test: Mattermost's testEmail, the System Console's "Test Connection" for SMTP. Sends
 * the test mail to the calling admin's own address with the EmailSettings of the config in the
 * body (what the admin is editing), or the current ones when the body has none.
 */
@Injectable()
export class EmailTestService {
  constructor(
    private readonly config: ConfigService,
    private readonly users: UsersRepository,
  ) {}

  async test(userId: string, body: unknown): Promise<void> {
    const current = this.config.get();
    if (current.ExperimentalSettings.RestrictSystemAdmin) {
      throw new AppError('testEmail', 'api.restricted_system_admin', 'This action is forbidden to a restricted system admin.', 403);
    }
    const e = withOverrides(current.EmailSettings, body);
    if (!e.SMTPServer) throw badRequest('api.admin.test_email.missing_server', 'SMTP Server is required', 'Invalid SMTPServer parameter.');
    // The console shows the saved password masked: it stands for the saved one only while the
    // server, port and user are the saved ones (else the admin must type the password again).
    if (e.SMTPPassword === FAKE_SETTING) {
      const saved = current.EmailSettings;
      if (e.SMTPServer !== saved.SMTPServer || e.SMTPPort !== saved.SMTPPort || e.SMTPUsername !== saved.SMTPUsername) {
        throw badRequest(
          'api.admin.test_email.reenter_password',
          'The SMTP server, port, or username has changed. Please re-enter the SMTP password to test connection.',
        );
      }
      e.SMTPPassword = saved.SMTPPassword;
    }
    const user = await this.users.byId(userId);
    if (!user) throw notFound('app.user.missing_account.const', 'Unable to find the user.');
    const driver = new SmtpMailDriver(() => smtpSettings(e));
    try {
      await driver.send({ to: user.email, category: 'TestEmail', ...testMail(siteOf(current)) });
    } catch (err) {
      // Mattermost answers 500; the failure is the SMTP server's (or the settings'), not this
      // server's: 502, as POST /file/s3_test answers for its store. The message never carries the password.
      throw new AppError('testEmail', 'app.admin.test_email.failure', `Connection unsuccessful: ${err instanceof Error ? err.message : err}`, 502);
    } finally {
      await driver.close();
    }
  }
}

/** The body's EmailSettings values (when they have the right type) over the current ones. */
function withOverrides(current: EmailSettings, body: unknown): EmailSettings {
  const next = { ...current };
  const given = body && typeof body === 'object' ? (body as { EmailSettings?: unknown }).EmailSettings : undefined;
  if (!given || typeof given !== 'object' || Array.isArray(given)) return next;
  for (const [key, value] of Object.entries(given)) {
    if (Object.hasOwn(current, key) && typeof value === typeof current[key as keyof EmailSettings]) (next as Record<string, unknown>)[key] = value;
  }
  return next;
}
