import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  /** Why it was sent (e.g. "expiry_notify"), for logs and the record. */
  category: string;
}

/** Where outgoing mail goes. The SMTP driver comes with the notifications issue. */
export abstract class MailDriver {
  abstract readonly sends: boolean;
  abstract send(message: MailMessage): Promise<void>;
}

export interface RecordedMail extends MailMessage {
  recorded_at: number;
}

/**
 * Sends nothing. It keeps the last messages in memory and, when given a file, appends each one to
 * it as a JSON line, so that what would have been mailed can be inspected and tested.
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
