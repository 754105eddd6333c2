/**
 * The authorization matrix (issue 9): every route the server maps, sent as each kind of caller,
 * must answer the status Mattermost gives (authorization-matrix.table.ts says which, and why).
 * One server and one world for the whole file; the rows run a few at a time, each role after
 * the other. A mapped route without a row fails the suite, so new routes join the table.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { NewUser, startServer, TestServer } from '#testing';
import { Account, Answer, Ctx, Expect, Role, ROLES, Row, ROWS, SignedInRole, World } from './authorization-matrix.table.js';

const API = '/api/v4';
const PASSWORD = 'Passw0rd!matrix';

let server: TestServer;
let world: World;
let mapped: string[] = [];

let seq = 0;
const unique = (prefix: string) => `${prefix}${Date.now().toString(36)}${++seq}`;

async function call(token: string | undefined, method: string, path: string, body?: unknown, web = false): Promise<Answer> {
  const headers: Record<string, string> = { 'Content-Type': 'application/json' };
  if (token) headers.Authorization = `Bearer ${token}`;
  const res = await fetch(`${server.url}${web ? '' : API}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    redirect: web ? 'manual' : 'follow',
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // Images and other non-JSON answers are kept as text.
  }
  return { status: res.status, body: parsed, headers: res.headers };
}

async function must(token: string | undefined, method: string, path: string, body?: unknown): Promise<any> {
  const res = await call(token, method, path, body);
  if (res.status >= 300) throw new Error(`setup: ${method} ${path} → ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`);
  return res.body;
}

const accountOf = (u: NewUser): Account => ({
  id: u.user.id,
  username: u.user.username,
  email: u.user.email,
  password: u.password,
  token: u.client.getToken(),
});

/** Builds the world the table's rows talk about (see the table's header for who is who). */
async function buildWorld(): Promise<World> {
  const sysAdmin = accountOf(await server.newUser()); // the first account: the system admin
  const [teamAdmin, member, nonMember, outsider, user] = (await Promise.all([1, 2, 3, 4, 5].map(() => server.newUser()))).map(accountOf);
  const accounts: Record<SignedInRole, Account> = { user, outsider, nonMember, member, teamAdmin, sysAdmin };
  const admin = sysAdmin.token;

  async function freshUser(opts: { admin?: boolean; login?: boolean } = {}): Promise<Account> {
    const username = unique('u');
    const created = await must(admin, 'POST', '/users', { username, email: `${username}@example.com`, password: PASSWORD });
    if (opts.admin) await must(admin, 'PUT', `/users/${created.id}/roles`, { roles: 'system_user system_admin' });
    let token = '';
    if (opts.login) {
      const res = await call(undefined, 'POST', '/users/login', { login_id: username, password: PASSWORD });
      if (res.status !== 200) throw new Error(`setup: login → ${res.status}`);
      token = res.headers.get('Token') ?? '';
    }
    return { id: created.id, username, email: created.email, password: PASSWORD, token };
  }

  const [victim, victim2] = await Promise.all([freshUser(), freshUser()]);

  const teamName = unique('teama');
  const teamA = await must(teamAdmin.token, 'POST', '/teams', { name: teamName, display_name: 'Team A', type: 'O', allow_open_invite: true });
  await must(
    teamAdmin.token,
    'POST',
    `/teams/${teamA.id}/members/batch`,
    [nonMember, member, victim, victim2].map((u) => ({ team_id: teamA.id, user_id: u.id })),
  );
  const teamB = await must(outsider.token, 'POST', '/teams', { name: unique('teamb'), display_name: 'Team B', type: 'I' });

  async function channelIn(teamId: string, type: 'O' | 'P', members: string[]): Promise<{ id: string; name: string }> {
    const name = unique('chan');
    const channel = await must(teamAdmin.token, 'POST', '/channels', { team_id: teamId, name, display_name: name, type });
    if (members.length) await must(teamAdmin.token, 'POST', `/channels/${channel.id}/members`, { user_ids: members });
    return { id: channel.id, name };
  }
  const pub = await channelIn(teamA.id, 'O', [member.id, victim.id]);
  const priv = await channelIn(teamA.id, 'P', [member.id, victim.id]);
  // The team admin leaves the private channel: team_admin must not read it on its own.
  await must(teamAdmin.token, 'DELETE', `/channels/${priv.id}/members/${teamAdmin.id}`);
  const dm = await must(member.token, 'POST', '/channels/direct', [member.id, victim.id]);
  const postPub = (await must(member.token, 'POST', '/posts', { channel_id: pub.id, message: 'matrix public' })).id;
  const postPriv = (await must(member.token, 'POST', '/posts', { channel_id: priv.id, message: 'matrix private' })).id;

  async function accessToken(userId: string, opts: { disabled?: boolean } = {}) {
    const token = await must(admin, 'POST', `/users/${userId}/tokens`, { description: 'matrix' });
    if (opts.disabled) await must(admin, 'POST', '/users/tokens/disable', { token_id: token.id });
    return { id: token.id as string, token: token.token as string };
  }
  const pendingJob = async () => (await must(admin, 'POST', '/jobs', { type: 'data_retention' })).id as string;

  const emojiPng = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#c33' } })
    .png()
    .toBuffer();
  async function customEmoji(token: string, creatorId: string) {
    const form = new FormData();
    const name = unique('matrixemoji');
    form.append('image', new File([new Uint8Array(emojiPng)], 'emoji.png', { type: 'image/png' }));
    form.append('emoji', JSON.stringify({ name, creator_id: creatorId }));
    const res = await fetch(`${server.url}${API}/emoji`, { method: 'POST', headers: { Authorization: `Bearer ${token}` }, body: form });
    if (res.status !== 201) throw new Error(`setup: POST /emoji → ${res.status} ${await res.text()}`);
    return { id: ((await res.json()) as { id: string }).id, name };
  }

  await must(admin, 'PUT', `/users/${victim.id}/preferences`, [{ user_id: victim.id, category: 'matrix', name: 'probe', value: '1' }]);

  return {
    accounts,
    victim,
    victim2,
    teamA: { id: teamA.id, name: teamName, inviteId: teamA.invite_id },
    teamB: { id: teamB.id, name: teamB.name },
    pub,
    priv,
    dm: { id: dm.id },
    postPub,
    postPriv,
    victimTokenId: (await accessToken(victim.id)).id,
    jobId: await pendingJob(),
    prefCategory: 'matrix',
    apiUrl: `${server.url}${API}`,
    call,
    must,
    unique,
    freshUser,
    async teamClone(opts = {}) {
      const team = await must(teamAdmin.token, 'POST', '/teams', { name: unique('clone'), display_name: 'Clone', type: 'O', allow_open_invite: true });
      await must(
        teamAdmin.token,
        'POST',
        `/teams/${team.id}/members/batch`,
        [nonMember, member, victim].map((u) => ({ team_id: team.id, user_id: u.id })),
      );
      if (opts.archived) await must(teamAdmin.token, 'DELETE', `/teams/${team.id}`);
      return team.id;
    },
    async channelClone(type, opts = {}) {
      const { id } = await channelIn(teamA.id, type, [member.id, victim.id]);
      if (opts.archived) await must(teamAdmin.token, 'DELETE', `/channels/${id}`);
      return id;
    },
    accessToken,
    pendingJob,
    customEmoji,
  };
}

interface Outcome {
  status: number;
  id?: string;
}

/** Sends one row as one role: the caller, the row's own targets, then the request. */
async function send(row: Row, role: Role): Promise<Outcome> {
  const w = world;
  let self: Account = role === 'anon' ? w.victim : w.accounts[role];
  if (row.caller === 'fresh' && role !== 'anon') self = await w.freshUser({ admin: role === 'sysAdmin', login: true });
  const c: Ctx = { w, role, self, me: role === 'anon' ? 'me' : self.id, token: role === 'anon' ? undefined : self.token, v: {} };
  if (row.setup) c.v = await row.setup(c);
  const [method] = row.route.split(' ');
  const res = await call(c.token, method, row.path(c), row.body?.(c), row.web);
  return { status: res.status, id: res.status >= 400 && typeof res.body === 'object' ? res.body?.id : undefined };
}

/** Every role, one after the other (rows run side by side). */
async function sendAll(row: Row): Promise<Record<Role, Outcome>> {
  const out = {} as Record<Role, Outcome>;
  for (const role of ROLES) out[role] = await send(row, role);
  return out;
}

function check(row: Row, outcomes: Record<Role, Outcome>) {
  const statuses = Object.fromEntries(ROLES.map((r) => [r, outcomes[r].status])) as Expect;
  const detail = ROLES.filter((r) => outcomes[r].status !== row.expect[r])
    .map((r) => `${r}: ${outcomes[r].status}${outcomes[r].id ? ` ${outcomes[r].id}` : ''} (expected ${row.expect[r]})`)
    .join('; ');
  expect(statuses, `${row.route} [${row.name}] ${detail}`).toEqual(row.expect);
}

const title = (row: Row) => `${row.route} — ${row.name}${row.finding ? ` [finding ${row.finding}]` : ''}`;

beforeAll(async () => {
  server = await startServer({
    // INFO: the route mapping lines the coverage check reads.
    MM_LOGSETTINGS_CONSOLELEVEL: 'INFO',
    MM_LOGSETTINGS_CONSOLEJSON: 'false',
    MM_SERVICESETTINGS_ENABLEUSERACCESSTOKENS: 'true',
    // The MFA routes answer 501 without it; no account has MFA active, so nothing else changes.
    MM_SERVICESETTINGS_ENABLEMULTIFACTORAUTHENTICATION: 'true',
    // Jobs stay pending, so that they can be read and cancelled.
    MM_JOBSETTINGS_RUNJOBS: 'false',
    // POST /bots answers 403 for everyone without it.
    MM_SERVICESETTINGS_ENABLEBOTACCOUNTCREATION: 'true',
  });
  mapped = [...server.logs.matchAll(/Mapped \{([^,]+), (GET|POST|PUT|DELETE|PATCH)\} route/g)].map((m) => `${m[2]} ${m[1].replace(API, '')}`);
  world = await buildWorld();
}, 120_000);
afterAll(() => server?.stop());

describe('the table covers the server', () => {
  it('has a row for every mapped route', () => {
    expect(mapped.length).toBeGreaterThan(100);
    const covered = new Set(ROWS.map((r) => r.route));
    expect(mapped.filter((route) => !covered.has(route))).toEqual([]);
  });

  it('names only mapped routes', () => {
    const routes = new Set(mapped);
    expect(ROWS.map((r) => r.route).filter((route) => !routes.has(route))).toEqual([]);
  });
});

describe.concurrent('every route as every role', () => {
  for (const row of ROWS.filter((r) => !r.last)) {
    it(title(row), async () => check(row, await sendAll(row)), 60_000);
  }
});

// These end every session on the server, so they come after everything else.
describe('last', () => {
  for (const row of ROWS.filter((r) => r.last)) {
    it(title(row), async () => check(row, await sendAll(row)), 60_000);
  }
});
