import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RecordingMailDriver } from './mail-driver.js';

describe('RecordingMailDriver', () => {
  it('sends nothing, keeps the last messages and appends each to its file as a JSON line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mail-'));
    try {
      const file = join(dir, 'mail', 'recorded.jsonl');
      const mail = new RecordingMailDriver({ file, keep: 2 });
      expect(mail.sends).toBe(false);
      for (const n of [1, 2, 3]) await mail.send({ to: `u${n}@example.com`, subject: `s${n}`, text: 't', category: 'test' });
      expect(mail.recorded.map((m) => m.to)).toEqual(['u2@example.com', 'u3@example.com']);
      const lines = readFileSync(file, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      expect(lines.map((l) => l.subject)).toEqual(['s1', 's2', 's3']);
      expect(lines[0]).toMatchObject({ to: 'u1@example.com', category: 'test', recorded_at: expect.any(Number) });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
