import { isIP } from 'node:net';
import nodemailer from 'nodemailer';
import type { Transporter } from 'nodemailer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport/index.js';
import type { Config } from '#config';
import { MailDriver, MailMessage } from './mail-driver.js';

type EmailSettings = Config['EmailSettings'];

/** What one SMTP connection needs, from EmailSettings. */
export interface SmtpSettings {
  host: string;
  port: number;
  /** '' plain (no STARTTLS even when offered, as Mattermost), 'TLS' implicit TLS, 'STARTTLS' required upgrade. */
  security: '' | 'TLS' | 'STARTTLS';
  auth: { user: string; pass: string } | null;
  /** SkipServerCertificateVerification. */
  skipVerify: boolean;
  /** SMTPServerTimeout, for connecting, the greeting and each reply. */
  timeoutMs: number;
  from: { name: string; address: string };
  replyTo: string;
}

/** The SMTP settings of a config's EmailSettings (Mattermost's MailServiceConfig). */
export function smtpSettings(email: EmailSettings): SmtpSettings {
  const security = email.ConnectionSecurity === 'TLS' || email.ConnectionSecurity === 'STARTTLS' ? email.ConnectionSecurity : '';
  return {
    host: email.SMTPServer,
    port: Number(email.SMTPPort),
    security,
    auth: email.EnableSMTPAuth ? { user: email.SMTPUsername, pass: email.SMTPPassword } : null,
    skipVerify: email.SkipServerCertificateVerification,
    timeoutMs: Math.max(1, email.SMTPServerTimeout) * 1000,
    from: { name: email.FeedbackName, address: email.FeedbackEmail },
    replyTo: email.ReplyToAddress,
  };
}

/**
 * A send the SMTP server did not accept (or could not be reached for): `code` is nodemailer's or
 * the socket's; `permanent` when the server answered 5xx (trying the same mail again will not help).
 */
export class MailSendError extends Error {
  readonly permanent: boolean;

  constructor(
    message: string,
    readonly code: string,
    readonly cause?: unknown,
  ) {
    super(message);
    this.name = 'MailSendError';
    const reply = Number((cause as { responseCode?: unknown } | undefined)?.responseCode);
    this.permanent = reply >= 500 && reply < 600;
  }
}

/**
 * Sends through SMTP with nodemailer, with the settings `settings()` gives at the time of each send:
 * the transport is rebuilt when they change (a config saved in the System Console applies to the
 * next mail). One connection per mail, no pool: nothing to go stale while the server is away, and
 * the retrying queue (mail-queue.ts) paces notification mail.
 */
export class SmtpMailDriver extends MailDriver {
  readonly sends = true;
  private transport: Transporter<SMTPTransport.SentMessageInfo> | null = null;
  private key = '';

  constructor(private readonly settings: () => SmtpSettings) {
    super();
  }

  async send(message: MailMessage): Promise<void> {
    const s = this.settings();
    if (!s.host) throw new MailSendError('no SMTP server is configured (EmailSettings.SMTPServer)', 'ENOSERVER');
    if (!(s.port > 0 && s.port < 65536)) throw new MailSendError(`EmailSettings.SMTPPort is not a port: ${s.port}`, 'EBADPORT');
    try {
      await this.transportFor(s).sendMail({
        from: { name: s.from.name, address: s.from.address },
        ...(s.replyTo ? { replyTo: s.replyTo } : {}),
        to: message.to,
        subject: message.subject,
        text: message.text,
        ...(message.html !== undefined ? { html: message.html } : {}),
        ...(message.messageId ? { messageId: message.messageId } : {}),
        ...(message.inReplyTo ? { inReplyTo: message.inReplyTo } : {}),
        ...(message.references ? { references: message.references } : {}),
        // Mattermost's headers for machine-sent mail: no auto-replies, no vacation answers.
        headers: { 'Auto-Submitted': 'auto-generated', Precedence: 'bulk', ...message.headers },
      });
    } catch (err) {
      throw new MailSendError(describe(err), String((err as { code?: unknown }).code ?? 'ESEND'), err);
    }
  }

  async close(): Promise<void> {
    this.transport?.close();
    this.transport = null;
    this.key = '';
  }

  private transportFor(s: SmtpSettings): Transporter<SMTPTransport.SentMessageInfo> {
    const key = JSON.stringify(s);
    if (this.transport && key === this.key) return this.transport;
    this.transport?.close();
    this.transport = nodemailer.createTransport(transportOptions(s));
    this.key = key;
    return this.transport;
  }
}

function transportOptions(s: SmtpSettings): SMTPTransport.Options {
  return {
    host: s.host,
    port: s.port,
    secure: s.security === 'TLS',
    // STARTTLS must succeed when asked for; with no security the upgrade is never tried (Mattermost
    // only calls StartTLS when ConnectionSecurity says so).
    requireTLS: s.security === 'STARTTLS',
    ignoreTLS: s.security === '',
    ...(s.auth ? { auth: { user: s.auth.user, pass: s.auth.pass } } : {}),
    // SNI carries host names only (RFC 6066); an address is checked against the certificate's IP SANs.
    tls: { rejectUnauthorized: !s.skipVerify, ...(isIP(s.host) ? {} : { servername: s.host }) },
    connectionTimeout: s.timeoutMs,
    greetingTimeout: s.timeoutMs,
    socketTimeout: s.timeoutMs,
  };
}

/** One line for logs and the test route: the SMTP reply when there was one, else the socket error. */
function describe(err: unknown): string {
  const e = err as { response?: unknown; message?: unknown; code?: unknown };
  if (typeof e.response === 'string' && e.response) return e.response;
  if (typeof e.message === 'string' && e.message) return e.message;
  return String(err);
}
