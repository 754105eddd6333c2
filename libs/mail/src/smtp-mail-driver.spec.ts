import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultConfig } from '#config';
import { startSmtpServer, type SmtpHarness } from '#testing';
import { MailSendError, SmtpMailDriver, smtpSettings, type SmtpSettings } from './smtp-mail-driver.js';

/** EmailSettings pointing at `h`, as a config would have them. */
function settingsFor(h: SmtpHarness, extra: Partial<(typeof defaultConfig)['EmailSettings']> = {}): SmtpSettings {
  return smtpSettings({ ...defaultConfig.EmailSettings, ...h.settings, FeedbackName: 'Mattermost Test', FeedbackEmail: 'noreply@example.com', ...extra });
}

const message = (to: string) => ({
  to,
  subject: 'Hello <there> & ünïcode',
  text: 'plain body',
  html: '<p>html <b>body</b></p>',
  category: 'test',
  messageId: '<post1@example.com>',
  inReplyTo: '<root1@example.com>',
  references: '<root1@example.com>',
});

describe('SmtpMailDriver against a real SMTP server', () => {
  let plain: SmtpHarness;
  let starttls: SmtpHarness;
  let implicit: SmtpHarness;

  beforeAll(async () => {
    [plain, starttls, implicit] = await Promise.all([
      startSmtpServer(),
      startSmtpServer({ tls: 'starttls', auth: { user: 'smtp-user', pass: 's3cret' } }),
      startSmtpServer({ tls: 'implicit' }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([plain?.close(), starttls?.close(), implicit?.close()]);
  });

  it('sends text and HTML, From/Reply-To from the settings, threading and machine-mail headers (plain)', async () => {
    const driver = new SmtpMailDriver(() => settingsFor(plain, { ReplyToAddress: 'replies@example.com' }));
    await driver.send(message('alice@example.com'));
    const mail = await plain.nextMail('alice@example.com');
    expect(mail.subject).toBe('Hello <there> & ünïcode');
    expect(mail.text.trim()).toBe('plain body');
    expect(mail.html).toContain('<b>body</b>');
    expect(mail.parsed.from?.value[0]).toMatchObject({ name: 'Mattermost Test', address: 'noreply@example.com' });
    expect(mail.parsed.replyTo?.value[0].address).toBe('replies@example.com');
    expect(mail.parsed.messageId).toBe('<post1@example.com>');
    expect(mail.parsed.inReplyTo).toBe('<root1@example.com>');
    expect(mail.parsed.headers.get('auto-submitted')).toBe('auto-generated');
    expect(mail.secure).toBe(false);
    await driver.close();
  });

  it('STARTTLS with AUTH: upgrades, authenticates, and refuses wrong credentials with the server reply', async () => {
    const driver = new SmtpMailDriver(() => settingsFor(starttls, { SkipServerCertificateVerification: true }));
    await driver.send(message('bob@example.com'));
    const mail = await starttls.nextMail('bob@example.com');
    expect(mail).toMatchObject({ secure: true, user: 'smtp-user' });

    const wrong = new SmtpMailDriver(() => settingsFor(starttls, { SkipServerCertificateVerification: true, SMTPPassword: 'nope' }));
    const err = await wrong.send(message('bob@example.com')).catch((e) => e);
    expect(err).toBeInstanceOf(MailSendError);
    expect(err.message).toMatch(/535/);
    expect(err.message).not.toContain('nope');
  });

  it('STARTTLS required: a server that does not offer it is refused rather than used in the clear', async () => {
    const driver = new SmtpMailDriver(() => settingsFor(plain, { ConnectionSecurity: 'STARTTLS' }));
    await expect(driver.send(message('carol@example.com'))).rejects.toBeInstanceOf(MailSendError);
    expect(plain.mailsTo('carol@example.com')).toHaveLength(0);
  });

  it('implicit TLS: verifies the certificate unless told to skip the check', async () => {
    const strict = new SmtpMailDriver(() => settingsFor(implicit));
    const err = await strict.send(message('dave@example.com')).catch((e) => e);
    expect(err).toBeInstanceOf(MailSendError);
    expect(implicit.mailsTo('dave@example.com')).toHaveLength(0);

    const lax = new SmtpMailDriver(() => settingsFor(implicit, { SkipServerCertificateVerification: true }));
    await lax.send(message('dave@example.com'));
    expect((await implicit.nextMail('dave@example.com')).secure).toBe(true);
  });

  it('follows the live settings: a changed server applies to the next mail', async () => {
    let current = settingsFor(plain);
    const driver = new SmtpMailDriver(() => current);
    await driver.send(message('erin@example.com'));
    await plain.nextMail('erin@example.com');
    current = settingsFor(implicit, { SkipServerCertificateVerification: true });
    await driver.send(message('erin@example.com'));
    await implicit.nextMail('erin@example.com');
  });

  it('a dead server: a MailSendError naming the connection failure; back up, it sends again', async () => {
    const driver = new SmtpMailDriver(() => settingsFor(plain));
    await plain.stop();
    try {
      const err = await driver.send(message('frank@example.com')).catch((e) => e);
      expect(err).toBeInstanceOf(MailSendError);
      expect(err.code).toMatch(/ECONNREFUSED|ECONNECTION|ESOCKET/);
    } finally {
      await plain.start();
    }
    await driver.send(message('frank@example.com'));
    await plain.nextMail('frank@example.com');
  });

  it('no server configured: refused before any connection', async () => {
    const driver = new SmtpMailDriver(() => ({ ...settingsFor(plain), host: '' }));
    await expect(driver.send(message('x@example.com'))).rejects.toMatchObject({ code: 'ENOSERVER' });
  });
});
