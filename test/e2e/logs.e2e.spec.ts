/**
 * Log files and the logs API: file logging turned on by a config save (no restart), lines in
 * Mattermost's JSON shape (or plain, after another save), read back by system admins page by page
 * from the end with GET /api/v4/logs; clients' messages through POST /api/v4/logs with
 * Mattermost's rules (a session needed without EnableDeveloper, only admins' errors logged as
 * errors, messages cut at 400 characters).
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, expectClientError, type NewUser, startServer, type TestServer } from '#testing';

let server: TestServer;
let admin: NewUser;
let user: NewUser;
const dir = mkdtempSync(join(tmpdir(), 'mm-logs-e2e-'));

beforeAll(async () => {
  server = await startServer();
  admin = await server.newUser();
  user = await server.newUser();
});
afterAll(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

function postLog(who: NewUser | undefined, body: unknown): Promise<Response> {
  return fetch(`${server.url}/api/v4/logs`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'User-Agent': 'logs-e2e/1.0', ...(who ? { Authorization: `Bearer ${who.client.getToken()}` } : {}) },
    body: JSON.stringify(body),
  });
}

const jsonLines = (lines: string[]) => lines.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, string>);

describe('GET and POST /api/v4/logs', () => {
  it('answers one empty line while file logging is off', async () => {
    expect(await admin.client.getPlainLogs(0, 10)).toEqual(['']);
  });

  it('writes the file once a config save turns it on, in JSON lines, and admins read it back', async () => {
    await admin.client.patchConfig({ LogSettings: { EnableFile: true, FileLocation: dir, FileLevel: 'DEBUG', FileJson: true } } as never);

    const fromUser = await postLog(user, { level: 'ERROR', message: 'from a user' });
    expect(fromUser.status).toBe(200);
    expect(await fromUser.json()).toEqual({ level: 'ERROR', message: 'Client Logs API Endpoint Message: from a user' });
    expect((await postLog(admin, { level: 'ERROR', message: 'from an admin' })).status).toBe(200);

    expect(existsSync(join(dir, 'mattermost.log'))).toBe(true);
    const lines = await eventually(async () => {
      const got = jsonLines(await admin.client.getPlainLogs(0, 100));
      expect(got.map((l) => l.msg)).toEqual(expect.arrayContaining(['Client Logs API Endpoint Message: from an admin']));
      return got;
    }, 5000);
    const userLine = lines.find((l) => l.msg === 'Client Logs API Endpoint Message: from a user');
    const adminLine = lines.find((l) => l.msg === 'Client Logs API Endpoint Message: from an admin');
    // Only a system admin's ERROR is logged as an error without EnableDeveloper.
    expect(userLine).toMatchObject({ level: 'debug', caller: 'client', type: 'client_message', user_agent: 'logs-e2e/1.0' });
    expect(adminLine).toMatchObject({ level: 'error', caller: 'client', type: 'client_message' });
    expect(Object.keys(adminLine!).slice(0, 4)).toEqual(['timestamp', 'level', 'msg', 'caller']);
    expect(adminLine!.timestamp).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} Z$/);
    // In file order (newest last), and paged from the end.
    expect(lines.indexOf(userLine!)).toBeLessThan(lines.indexOf(adminLine!));
    expect(await admin.client.getPlainLogs(0, 1)).toHaveLength(1);
    const all = await admin.client.getPlainLogs(0, 10000);
    expect(await admin.client.getPlainLogs(10000, 10000)).toEqual([]);
    expect(all.length).toBeGreaterThanOrEqual(2);
  });

  it('refuses the file to everyone but system admins', async () => {
    expect((await expectClientError(() => user.client.getPlainLogs(0, 10))).status_code).toBe(403);
    const anon = await fetch(`${server.url}/api/v4/logs`);
    expect(anon.status).toBe(401);
  });

  it('takes no message without a session unless EnableDeveloper, and cuts long ones', async () => {
    const anon = await postLog(undefined, { level: 'ERROR', message: 'anonymous' });
    expect(anon.status).toBe(403);
    expect((await anon.json()).id).toBe('api.context.permissions.app_error');

    const long = await postLog(user, { level: 'DEBUG', message: 'z'.repeat(500) });
    expect((await long.json()).message).toBe(`Client Logs API Endpoint Message: ${'z'.repeat(399)}`);

    await admin.client.patchConfig({ ServiceSettings: { EnableDeveloper: true } } as never);
    try {
      expect((await postLog(undefined, { level: 'ERROR', message: 'anonymous developer' })).status).toBe(200);
      await eventually(async () => {
        const line = jsonLines(await admin.client.getPlainLogs(0, 5)).find((l) => l.msg.endsWith('anonymous developer'));
        expect(line?.level).toBe('error');
      }, 5000);
    } finally {
      await admin.client.patchConfig({ ServiceSettings: { EnableDeveloper: false } } as never);
    }
  });

  it('switches to plain lines and to a higher level on the next save', async () => {
    await admin.client.patchConfig({ LogSettings: { FileJson: false, FileLevel: 'INFO' } } as never);
    await postLog(user, { level: 'DEBUG', message: 'below INFO' });
    await postLog(admin, { level: 'ERROR', message: 'plain error' });
    await eventually(async () => {
      const recent = await admin.client.getPlainLogs(0, 20);
      expect(recent.find((l) => l.includes('plain error'))).toMatch(
        /^error \[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} Z\] Client Logs API Endpoint Message: plain error caller=client type=client_message/,
      );
    }, 5000);
    expect((await admin.client.getPlainLogs(0, 100)).some((l) => l.includes('below INFO'))).toBe(false);
  });
});
