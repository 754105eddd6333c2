/**
 * deploy/systemd/mmchat.service: `systemd-analyze verify` (systemd 252 here) loads it as systemd
 * would — every directive known, every value parsed, ExecStart's binary present — and says
 * nothing; it runs without systemd as PID 1. Unknown directives and bad values are only warnings
 * to it (exit 0), so any output fails. The unit's drain settings and its env file's names are
 * checked against the server.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEPLOY_DIR, unknownSettings } from './settings.js';

const ANALYZE = '/usr/bin/systemd-analyze';
const UNIT = join(DEPLOY_DIR, 'systemd/mmchat.service');
const available = existsSync(ANALYZE);
if (!available) console.warn(`${ANALYZE} not found (apt-get install systemd): mmchat.service is not verified`);

/** The unit's [Service] directives (the last value of each). */
function directives(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of readFileSync(UNIT, 'utf8').split('\n')) {
    const m = /^([A-Za-z]+)=(.*)$/.exec(line.trim());
    if (m) out[m[1]] = m[2];
  }
  return out;
}

describe('deploy/systemd/mmchat.service', () => {
  it.runIf(available)('passes systemd-analyze verify without a word', () => {
    // verify checks the file under its own name; a copy keeps the repository out of its unit search path.
    const dir = mkdtempSync(join(tmpdir(), 'mm-systemd-'));
    try {
      copyFileSync(UNIT, join(dir, 'mmchat.service'));
      const r = spawnSync(ANALYZE, ['verify', '--man=no', join(dir, 'mmchat.service')], { encoding: 'utf8', timeout: 30_000 });
      expect(`${r.stdout}${r.stderr}`.trim()).toBe('');
      expect(r.status).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('stops with SIGTERM and waits for the drain, restarts on failure, allows many sockets', () => {
    const d = directives();
    expect(d.Type).toBe('simple'); // no sd_notify in the server
    expect(d.KillSignal).toBe('SIGTERM');
    expect(Number(d.TimeoutStopSec)).toBeGreaterThanOrEqual(45);
    expect(d.Restart).toBe('on-failure');
    expect(Number(d.LimitNOFILE)).toBeGreaterThanOrEqual(65536);
    expect(d.ExecStart).toMatch(/ \/opt\/mmchat\/dist\/apps\/server\/main\.js$/);
    expect(d.EnvironmentFile).toBe('/etc/mmchat/mmchat.env');
  });

  it('ships an env file whose names (set or commented) are all settings', () => {
    const text = readFileSync(join(DEPLOY_DIR, 'systemd/mmchat.env'), 'utf8');
    const names = [...text.matchAll(/^#?\s*(MM_[A-Z0-9_]+)=/gm)].map((m) => m[1]);
    expect(names.length).toBeGreaterThan(10);
    expect(unknownSettings(names)).toEqual([]);
    expect(
      unknownSettings(
        directives()
          .Environment.split(' ')
          .map((kv) => kv.split('=')[0]),
      ),
    ).toEqual([]);
  });
});
