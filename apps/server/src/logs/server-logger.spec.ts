import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { defaultConfig, type Config } from '#config';
import { readLogPage } from './log-reader.js';
import { formatLine, logFilePath, ServerLogger } from './server-logger.js';

const dirs: string[] = [];
const loggers: ServerLogger[] = [];
afterEach(() => {
  for (const l of loggers.splice(0)) l.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'mmlogs-'));
  dirs.push(d);
  return d;
}

/** A config holder that can change, as ConfigService's save does (listeners called after). */
function configWith(log: Partial<Config['LogSettings']>) {
  let cfg = structuredClone(defaultConfig) as Config;
  cfg.LogSettings = { ...cfg.LogSettings, EnableConsole: false, ...log };
  const listeners: Array<() => void> = [];
  return {
    get: () => cfg,
    onChange: (l: () => void) => {
      listeners.push(l);
      return () => undefined;
    },
    set(change: Partial<Config['LogSettings']>) {
      cfg = { ...cfg, LogSettings: { ...cfg.LogSettings, ...change } };
      for (const l of listeners) l();
    },
  };
}

function logger(config: ReturnType<typeof configWith>): ServerLogger {
  const l = new ServerLogger(config as never);
  loggers.push(l);
  return l;
}

async function until(check: () => boolean) {
  const deadline = Date.now() + 5000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('log lines', () => {
  const at = new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 6));

  it("are Mattermost's JSON: timestamp, level, msg, caller, then fields", () => {
    expect(JSON.parse(formatLine(true, at, 'info', 'Server is starting', 'server', { n: 1 }))).toEqual({
      timestamp: '2026-01-02 03:04:05.006 Z',
      level: 'info',
      msg: 'Server is starting',
      caller: 'server',
      n: 1,
    });
    expect(Object.keys(JSON.parse(formatLine(true, at, 'warn', 'm', 'c')))).toEqual(['timestamp', 'level', 'msg', 'caller']);
  });

  it('or plain: level, [timestamp], msg and key=value fields', () => {
    expect(formatLine(false, at, 'info', 'Server is starting', 'server', { user_agent: 'a b' })).toBe(
      'info  [2026-01-02 03:04:05.006 Z] Server is starting caller=server user_agent="a b"',
    );
  });

  it('live in mattermost.log in FileLocation, or in ./logs when it is empty', () => {
    expect(logFilePath('/var/log/mm')).toBe('/var/log/mm/mattermost.log');
    expect(logFilePath('')).toBe(join(process.cwd(), 'logs', 'mattermost.log'));
  });
});

describe('ServerLogger', () => {
  it('writes lines at or above FileLevel to the file, and takes a saved change at the next line', async () => {
    const dir = tempDir();
    const config = configWith({ EnableFile: true, FileLocation: dir, FileLevel: 'INFO', FileJson: true });
    const l = logger(config);
    l.debug('not at INFO', 'users');
    l.log('signed in', 'users');
    l.error('failed', 'Error: failed\n    at x (y.ts:1:1)', 'jobs');
    await l.flush();
    const lines = readFileSync(join(dir, 'mattermost.log'), 'utf8')
      .trim()
      .split('\n')
      .map((x) => JSON.parse(x));
    expect(lines.map((x) => [x.level, x.msg, x.caller])).toEqual([
      ['info', 'signed in', 'users'],
      ['error', 'failed', 'jobs'],
    ]);
    expect(lines[1].stack).toContain('y.ts:1:1');

    config.set({ FileLevel: 'DEBUG', FileJson: false });
    l.debug('now at DEBUG', 'users');
    await l.flush();
    expect(readFileSync(join(dir, 'mattermost.log'), 'utf8').trim().split('\n').at(-1)).toMatch(/^debug \[.* Z\] now at DEBUG caller=users$/);

    // Moved to another folder, and off.
    const other = tempDir();
    config.set({ FileLocation: other });
    l.log('moved', 'server');
    await l.flush();
    await until(() => existsSync(join(other, 'mattermost.log')) && readFileSync(join(other, 'mattermost.log'), 'utf8').includes('moved'));
    config.set({ EnableFile: false });
    expect(l.filePath).toBeUndefined();
  });

  it('rotates by size into mattermost.log.1 … and keeps FileMaxBackups old files', async () => {
    const dir = tempDir();
    // 2 KB files (the size is in MB, fractions allowed), two old files kept.
    const l = logger(configWith({ EnableFile: true, FileLocation: dir, FileMaxSizeMB: 2 / 1024, FileMaxBackups: 2 }));
    for (let i = 0; i < 60; i++) {
      l.log(`line ${i} ${'x'.repeat(100)}`, 'test');
      await l.flush();
    }
    await until(() => readdirSync(dir).includes('mattermost.log.2'));
    await new Promise((r) => setTimeout(r, 200));
    expect(
      readdirSync(dir)
        .filter((f) => f.startsWith('mattermost.log'))
        .sort(),
    ).toEqual(['mattermost.log', 'mattermost.log.1', 'mattermost.log.2']);
    // The newest lines are in the current file.
    expect(readFileSync(join(dir, 'mattermost.log'), 'utf8')).toContain('line 59 ');
  });
});

describe('readLogPage', () => {
  it('pages from the end of the file, each page in file order', async () => {
    const path = join(tempDir(), 'mattermost.log');
    writeFileSync(path, Array.from({ length: 10 }, (_, i) => `l${i}`).join('\n') + '\n');
    expect(await readLogPage(path, 0, 3)).toEqual(['l7', 'l8', 'l9']);
    expect(await readLogPage(path, 1, 3)).toEqual(['l4', 'l5', 'l6']);
    expect(await readLogPage(path, 3, 3)).toEqual(['l0']);
    expect(await readLogPage(path, 4, 3)).toEqual([]);
    expect(await readLogPage(path, 0, 100)).toHaveLength(10);
  });

  it('reads lines across chunk boundaries and a last line without a newline', async () => {
    const path = join(tempDir(), 'mattermost.log');
    const lines = Array.from({ length: 3000 }, (_, i) => `${i} ${'y'.repeat(i % 97)}`);
    writeFileSync(path, lines.join('\n'));
    expect(await readLogPage(path, 0, 3000)).toEqual(lines);
    expect(await readLogPage(path, 2, 1000)).toEqual(lines.slice(0, 1000));
  });

  it('gives nothing for an empty file', async () => {
    const path = join(tempDir(), 'mattermost.log');
    writeFileSync(path, '');
    expect(await readLogPage(path, 0, 10)).toEqual([]);
  });
});
