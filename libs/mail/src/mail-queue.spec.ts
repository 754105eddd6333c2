import { describe, expect, it } from 'vitest';
import { MailDriver, MailMessage } from './mail-driver.js';
import { MailQueue } from './mail-queue.js';

/** A driver that fails while `down` is set, and records what it sent. */
class FlakyDriver extends MailDriver {
  readonly sends = true;
  down = false;
  attempts = 0;
  readonly sent: MailMessage[] = [];
  async send(m: MailMessage): Promise<void> {
    this.attempts++;
    if (this.down) throw new Error('connect ECONNREFUSED');
    this.sent.push(m);
  }
}

const mail = (n: number): MailMessage => ({ to: `u${n}@example.com`, subject: `s${n}`, text: 't', category: 'test' });

describe('MailQueue', () => {
  it('sends in the background; enqueue never waits and idle() resolves when all went out', async () => {
    const driver = new FlakyDriver();
    const q = new MailQueue(driver);
    expect(q.enqueue(mail(1))).toBe(true);
    expect(q.enqueue(mail(2))).toBe(true);
    await q.idle();
    expect(driver.sent.map((m) => m.to)).toEqual(['u1@example.com', 'u2@example.com']);
    expect(q.stats).toMatchObject({ sent: 2, retried: 0, dropped: 0 });
  });

  it('retries a failed send with backoff until the driver works again', async () => {
    const driver = new FlakyDriver();
    driver.down = true;
    const logs: string[] = [];
    const q = new MailQueue(driver, { initialDelayMs: 10, maxDelayMs: 20, log: (_l, m) => logs.push(m) });
    q.enqueue(mail(1));
    while (driver.attempts < 3) await new Promise((r) => setTimeout(r, 5));
    expect(driver.sent).toHaveLength(0);
    driver.down = false;
    await q.idle();
    expect(driver.sent.map((m) => m.to)).toEqual(['u1@example.com']);
    expect(q.stats.retried).toBeGreaterThanOrEqual(2);
    expect(logs.some((l) => l.includes('ECONNREFUSED'))).toBe(true);
  });

  it('gives up after maxAttempts and is bounded: what does not fit is dropped, not queued', async () => {
    const driver = new FlakyDriver();
    driver.down = true;
    const q = new MailQueue(driver, { capacity: 2, maxAttempts: 2, initialDelayMs: 1, maxDelayMs: 1 });
    expect(q.enqueue(mail(1))).toBe(true);
    expect(q.enqueue(mail(2))).toBe(true);
    expect(q.enqueue(mail(3))).toBe(false);
    await q.idle();
    expect(driver.attempts).toBe(4);
    expect(q.stats.dropped).toBe(3);
    expect(q.size).toBe(0);
  });

  it('retryNow sends what waits for a later retry at once; close drops the rest', async () => {
    const driver = new FlakyDriver();
    driver.down = true;
    const q = new MailQueue(driver, { initialDelayMs: 60_000 });
    q.enqueue(mail(1));
    while (q.stats.retried < 1) await new Promise((r) => setTimeout(r, 5));
    driver.down = false;
    q.retryNow();
    await q.idle();
    expect(driver.sent).toHaveLength(1);
    driver.down = true;
    q.enqueue(mail(2));
    while (q.stats.retried < 2) await new Promise((r) => setTimeout(r, 5));
    q.close();
    await q.idle();
    expect(q.enqueue(mail(3))).toBe(false);
  });
});
