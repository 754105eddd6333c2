import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';

export interface MailMessage {
  to: string;
  subject: string;
  /** The plain-text part; every mail has one, for clients that show no HTML. */
  text: string;
  /** The HTML part, sent beside the text as multipart/alternative. */
  html?: string;
  /** Why it was sent (e.g. "expiry_notify", "PasswordResetEmail"), for logs and the record. */
  category: string;
  /**
   * Threading headers, as Mattermost sets them on notifications (`<post_id@site host>`): a reply's
   * notification names its root post, so mail clients show a thread's notifications together.
   */
  messageId?: string;
  inReplyTo?: string;
  references?: string;
  /** Extra headers. */
  headers?: Record<string, string>;
}

/** Where outgoing mail goes. */
export abstract class MailDriver {
  /** Whether a send reaches someone (SMTP) or is only recorded (tests). */
  abstract readonly sends: boolean;
  /** Sends one message; rejects with the reason when the mail was not accepted. */
  abstract send(message: MailMessage): Promise<void>;
  /** Lets go of connections; the driver may be used again afterwards. */
  async close(): Promise<void> {}
}

export interface RecordedMail extends MailMessage {
  recorded_at: number;
}

/**
 * Sends nothing: for unit tests only (the server sends through SMTP). It keeps the last messages in
 * memory and, when given a file, appends each one to it as a JSON line.
 */
export class RecordingMailDriver extends MailDriver {
  readonly sends = false;
  private readonly kept: RecordedMail[] = [];

  constructor(private readonly options: { file?: string; keep?: number } = {}) {
    super();
  }

  get recorded(): readonly RecordedMail[] {
    return this.kept;
  }

  async send(message: MailMessage): Promise<void> {
    const record: RecordedMail = { ...message, recorded_at: Date.now() };
    this.kept.push(record);
    const keep = this.options.keep ?? 1000;
    if (this.kept.length > keep) this.kept.splice(0, this.kept.length - keep);
    if (this.options.file) {
      await mkdir(dirname(this.options.file), { recursive: true });
      await appendFile(this.options.file, JSON.stringify(record) + '\n');
    }
  }
}
