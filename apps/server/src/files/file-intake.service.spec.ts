import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalFileStore } from '#storage';
import { expectAppError } from '#testing';
import { FileIntake } from './file-intake.service.js';

/** A local store whose writers fail on the first write, as a full disk or an unreachable bucket does. */
class FailingStore extends LocalFileStore {
  async openWriter(path: string) {
    const writer = await super.openWriter(path);
    return { ...writer, write: () => Promise.reject(new Error('ENOSPC: no space left on device')), commit: writer.commit, abort: writer.abort };
  }
}

describe('FileIntake.storeStream', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'intake-spec-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("answers a store failure with Mattermost's 500 write error, not as a cut-off request", async () => {
    const err = await expectAppError(new FileIntake(new FailingStore(dir)).storeStream('u', 'c', 'a.txt', Readable.from([Buffer.from('data')]), 100));
    expect([err.statusCode, err.id, err.detailedError]).toEqual([500, 'api.file.write_file.app_error', expect.stringContaining('ENOSPC')]);
  });

  it('answers a body that breaks off with the 400 read error and leaves nothing in the store', async () => {
    // Cut off once the intake reads, not after a fixed time: a body destroyed before the intake
    // listens (it first opens the store's writer) would throw its error into the process.
    let sent = false;
    const body = new Readable({
      read() {
        if (sent) return;
        sent = true;
        this.push('half a file');
        setImmediate(() => this.destroy(new Error('aborted')));
      },
    });
    const err = await expectAppError(new FileIntake(new LocalFileStore(dir)).storeStream('u', 'c', 'a.txt', body, 100));
    expect([err.statusCode, err.id]).toEqual([400, 'api.file.upload_file.read_request.app_error']);
    expect(readdirSync(dir, { recursive: true }).filter((p) => String(p).endsWith('.txt'))).toEqual([]);
  });
});
