/**
 * Sends malformed input to every route the server maps and checks that each answer is a
 * Mattermost AppError with a 4xx status: never a 5xx, never a crash. The route list is read from
 * the server's own start-up log, so new routes are covered without editing this file.
 *
 * Beyond malformed shapes on unknown ids, the batches below aim at what got past validation to
 * PostgreSQL or to recursive code: NUL and unpaired surrogates in every field and query parameter
 * (on real teams, channels and posts, so the request reaches the database), JSON nested 40,000
 * deep, bodies over the size limit, huge arrays, long strings, 30,000-word searches, and seeded
 * random JSON. Each batch ends with a ping. Every random choice comes from one seeded generator:
 * a failure names the seed, and FUZZ_SEED=<seed> replays the same requests.
 */
import type { Channel } from '@mattermost/types/channels';
import type { Post } from '@mattermost/types/posts';
import type { Team } from '@mattermost/types/teams';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NewUser, PushRecorder, sample as sampleOf, seededRandom, SmtpHarness, startPushRecorder, startServer, startSmtpServer, TestServer } from '#testing';

let server: TestServer;
let pushProxy: PushRecorder;
let smtp: SmtpHarness;
let admin: NewUser;
let user: NewUser;
let routes: Route[] = [];
let team: Team;
let channel: Channel;
let post: Post;

interface Route {
  method: string;
  path: string;
}
interface Answer {
  status: number;
  text: string;
  type: string;
}

const SEED = Number(process.env.FUZZ_SEED ?? 20_260_509);
const ID = 'abcdefghijklmnopqrstuvwxyz'; // valid shape, unknown
const BODIES: Array<[string, string]> = [
  ['invalid JSON', '{"unterminated": '],
  ['wrong top-level type', '"just a string"'],
  ['array', '[1, {"a": null}, "x"]'],
  [
    'wrong field types',
    JSON.stringify({
      id: 5,
      user_id: [],
      channel_id: {},
      team_id: true,
      name: 7,
      message: { a: 1 },
      roles: 3,
      user_ids: 'x',
      terms: 9,
      page: 'x',
      per_page: -1,
      status: 42,
      token_id: 1,
      login_id: 1,
      password: [],
      active: 'yes',
      category: 1,
      emoji_name: [],
      post_id: 0,
      description: {},
      display_name: null,
      type: 9,
    }),
  ],
  [
    'over-long strings',
    JSON.stringify({
      name: 'a'.repeat(70_000),
      message: 'm'.repeat(70_000),
      display_name: 'd'.repeat(5000),
      username: 'u'.repeat(5000),
      email: 'e'.repeat(5000),
      terms: 't'.repeat(10_000),
      description: 'x'.repeat(5000),
      header: 'h'.repeat(5000),
      purpose: 'p'.repeat(5000),
    }),
  ],
  ['nulls', JSON.stringify({ id: null, user_id: null, channel_id: null, team_id: null, message: null, name: null })],
  ['empty object', '{}'],
];

/** Every body field name the API reads (and a few it does not), for the per-field batches. */
const FIELDS = [
  'id',
  'user_id',
  'channel_id',
  'team_id',
  'post_id',
  'root_id',
  'message',
  'type',
  'name',
  'display_name',
  'header',
  'purpose',
  'description',
  'username',
  'email',
  'password',
  'current_password',
  'new_password',
  'nickname',
  'first_name',
  'last_name',
  'position',
  'locale',
  'login_id',
  'token',
  'token_id',
  'device_id',
  'term',
  'terms',
  'roles',
  'status',
  'category',
  'value',
  'emoji_name',
  'invite_id',
  'pending_post_id',
  'prev_channel_id',
  'team_name',
  'privacy',
  'allowed_domains',
  'company_name',
  'manual',
  'not_in_channel_id',
  'in_channel_id',
  'not_in_team_id',
  // Push acks (POST /notifications/ack).
  'received_at',
  'platform',
  'is_id_loaded',
  'emails',
  'EmailSettings',
];

/** Strings PostgreSQL cannot store; each reached it as a 500 before. */
const UNSTORABLE = ['nul\u0000inside', '\u0000', 'lone high \ud800', 'lone low \udc00 surrogate'];

// ---- seeded randomness ------------------------------------------------------------------------

const random = seededRandom(SEED);
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
const sample = <T>(items: readonly T[], n: number): T[] => sampleOf(items, n, random);

const TEXT_PIECES = [
  'a',
  'Z',
  '0',
  ' ',
  '"',
  '\\',
  '%',
  '#',
  '@',
  '~',
  '*',
  '-',
  ':',
  '\n',
  '\t',
  '\u0000',
  '\u0001',
  '\u202e',
  '\ud800',
  '\udfff',
  'ñ',
  '😀',
  '\u0301',
  '日本',
  "'",
  '<script>',
];
const NUMBERS = ['0', '-1', '1.5', '-0', '1e308', '-1e308', '9007199254740993', '2147483648', '1e-7'];

/** A random string; sometimes long. */
function randomText(): string {
  let text = '';
  const pieces = random() < 0.1 ? 2000 : Math.floor(random() * 12);
  for (let i = 0; i < pieces; i++) text += pick(TEXT_PIECES);
  return text;
}

/**
 * Random JSON as text (built as text, so that keys like __proto__ go out as written; a JS object
 * would swallow them). Field names, prototype keys and random keys; every JSON type.
 */
function randomJson(depth = 0): string {
  const roll = random();
  if (depth >= 4 || roll < 0.35) {
    return pick([() => 'null', () => 'true', () => 'false', () => pick(NUMBERS), () => JSON.stringify(randomText()), () => JSON.stringify(pick(FIELDS))])();
  }
  if (roll < 0.55) {
    return `[${Array.from({ length: Math.floor(random() * 5) }, () => randomJson(depth + 1)).join(',')}]`;
  }
  const keys = Array.from({ length: 1 + Math.floor(random() * 6) }, () =>
    random() < 0.7 ? pick(FIELDS) : random() < 0.5 ? pick(['__proto__', 'constructor', 'prototype', 'props']) : randomText(),
  );
  return `{${keys.map((k) => `${JSON.stringify(k)}:${randomJson(depth + 1)}`).join(',')}}`;
}

// ---- requests ---------------------------------------------------------------------------------

/** Path parameters filled with unknown ids (`value`), or with the fixtures' real ones. */
function fill(path: string, value: string): string {
  return path.replace(/:(\w+)/g, (_, name: string) => (name === 'user_id' ? 'me' : name.endsWith('name') ? 'no-such-name' : value));
}
function fillReal(path: string): string {
  const real: Record<string, string> = {
    user_id: 'me',
    team_id: team.id,
    channel_id: channel.id,
    post_id: post.id,
    username: admin.user.username,
    email: admin.user.email,
    team_name: team.name,
    channel_name: channel.name,
    invite_id: team.invite_id,
    category: 'display_settings',
    name: 'use_military_time',
    emoji_name: 'smile',
    job_type: 'data_retention',
  };
  return path.replace(/:(\w+)/g, (_, name: string) => real[name] ?? ID);
}

/** Routes that end the caller's session whatever the body (DELETE /users/me deactivates the caller). */
function endsTheSession(route: Route): boolean {
  return /\/logout$|revoke/.test(route.path) || (route.method === 'DELETE' && route.path === '/api/v4/users/:user_id');
}
/** Routes that, given a plausible body or real ids, could end the sessions under test or take the fixtures away. */
function endsTheTest(route: Route): boolean {
  if (endsTheSession(route) || /\/active$|\/roles$|\/schemeRoles$|\/password$/.test(route.path)) return true;
  return route.method === 'DELETE' && !route.path.includes('/reactions/');
}
const hasBody = (route: Route) => route.method !== 'GET' && route.method !== 'DELETE';

beforeAll(async () => {
  // A push proxy that takes everything, so that device registrations, acks and the pushes they
  // cause run their whole path; a real SMTP server, so that the mail routes (password reset,
  // invitations, /email/test) answer as they do when mail works.
  pushProxy = await startPushRecorder();
  smtp = await startSmtpServer();
  server = await startServer({
    ...smtp.env,
    MM_SERVICESETTINGS_ENABLEEMAILINVITATIONS: 'true',
    MM_EMAILSETTINGS_PUSHNOTIFICATIONSERVER: pushProxy.url,
    MM_LOGSETTINGS_CONSOLELEVEL: 'INFO',
    MM_LOGSETTINGS_CONSOLEJSON: 'false',
    MM_SERVICESETTINGS_ENABLEUSERACCESSTOKENS: 'true',
    // The MFA routes answer 501 (Mattermost's mfa_disabled) without it.
    MM_SERVICESETTINGS_ENABLEMULTIFACTORAUTHENTICATION: 'true',
  });
  admin = await server.newUser();
  user = await server.newUser();
  routes = [...server.logs.matchAll(/Mapped \{([^,]+), (GET|POST|PUT|DELETE|PATCH)\} route/g)].map((m) => ({ method: m[2], path: m[1] }));
  team = await admin.client.createTeam({ name: `fuzz-${Date.now()}`, display_name: 'Fuzz', type: 'O' } as Team);
  channel = await admin.client.getChannelByName(team.id, 'town-square');
  post = await admin.client.createPost({ channel_id: channel.id, message: 'fuzz target' } as Post);
}, 60_000);
afterAll(async () => {
  await server?.stop();
  await pushProxy?.stop();
  await smtp?.close();
});

async function send(method: string, path: string, token: string, body?: string, extraHeaders: Record<string, string> = {}): Promise<Answer> {
  const res = await fetch(`${server.url}${path}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', ...extraHeaders },
    body: method === 'GET' || method === 'DELETE' ? undefined : body,
  });
  const text = await res.text();
  return { status: res.status, text, type: res.headers.get('content-type') ?? '' };
}

// Mattermost answers 501 (by design) when these are asked without format=old, and the LDAP test
// while LDAP is off (ent.ldap.disabled.app_error).
const NOT_IMPLEMENTED_BY_DESIGN = new Set(['/api/v4/config/client', '/api/v4/license/client', '/api/v4/ldap/test']);

function expectCleanAnswer(label: string, r: Answer, path: string) {
  if (r.status === 501 && NOT_IMPLEMENTED_BY_DESIGN.has(path.split('?')[0])) return;
  expect(r.status, `${label} → ${r.status} ${r.text.slice(0, 300)}`).toBeLessThan(500);
  if (r.status >= 400 && r.type.startsWith('application/json')) {
    const body = JSON.parse(r.text);
    expect(typeof body.id, `${label}: AppError id`).toBe('string');
    expect(body.status_code, `${label}: AppError status_code`).toBe(r.status);
  }
}

interface Case {
  label: string;
  method: string;
  path: string;
  body?: string;
  token?: string;
}

/**
 * Sends the cases a few at a time (the server is one process on a shared machine: enough to
 * overlap waiting, not to load it), collects every unclean answer, then checks the server still
 * answers a ping. Returns the failures, labelled with the seed.
 */
async function runBatch(cases: Case[], concurrency = 4): Promise<string[]> {
  const failures: string[] = [];
  let next = 0;
  const worker = async () => {
    while (next < cases.length) {
      const c = cases[next++];
      try {
        expectCleanAnswer(c.label, await send(c.method, c.path, c.token ?? admin.client.getToken(), c.body), c.path);
      } catch (err) {
        failures.push(`[seed ${SEED}] ${String((err as Error).message).split('\n')[0]}`);
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  await expectAlive();
  return failures;
}

async function expectAlive() {
  const r = await send('GET', '/api/v4/system/ping', user.client.getToken());
  expect(r.status, `ping after the batch (seed ${SEED}): ${r.text.slice(0, 200)}`).toBe(200);
  // The batch must not have ended the sessions it runs under (it would test nothing afterwards).
  const me = await send('GET', '/api/v4/users/me', admin.client.getToken());
  expect(me.status, `the admin's session after the batch (seed ${SEED}): ${me.text.slice(0, 200)}`).toBe(200);
}

describe('malformed input on every route', () => {
  it('finds the mapped routes', () => {
    expect(routes.length).toBeGreaterThan(40);
  });

  it('never answers 5xx to malformed bodies, bad ids or unknown ids', async () => {
    const cases: Case[] = [];
    for (const route of routes) {
      if (endsTheSession(route)) continue;
      const paths = [fill(route.path, ID), fill(route.path, 'not-a-valid-id!'), fill(route.path, '0'.repeat(26))];
      for (const token of [user.client.getToken(), admin.client.getToken()]) {
        for (const path of paths) {
          for (const [name, body] of hasBody(route) ? BODIES : [['no body', '']]) {
            cases.push({ label: `${route.method} ${path} [${name}]`, method: route.method, path, body, token });
          }
        }
      }
    }
    expect(await runBatch(cases)).toEqual([]);
  }, 120_000);

  it('answers unknown routes with a 404 AppError', async () => {
    const r = await send('GET', '/api/v4/no/such/route', user.client.getToken());
    expect(r.status).toBe(404);
    expect(JSON.parse(r.text).id).toBe('api.context.404.app_error');
  });

  it('answers an oversized body with 413', async () => {
    const r = await send('PUT', '/api/v4/users/me/patch', user.client.getToken(), JSON.stringify({ nickname: 'x'.repeat(400_000) }));
    expect(r.status).toBe(413);
    expect(JSON.parse(r.text).id).toBe('api.context.request_body_too_large.app_error');
  });

  it('answers an over-long URL with 414', async () => {
    const r = await send('GET', `/api/v4/users/${'a'.repeat(3000)}`, user.client.getToken());
    expect(r.status).toBe(414);
  });
});

describe('input the database and recursive code cannot take, on every route', () => {
  /** A body that gets past the usual checks on the fixtures: real ids, plausible values. */
  const baseBody = (): Record<string, unknown> => ({
    channel_id: channel.id,
    team_id: team.id,
    user_id: admin.user.id,
    post_id: post.id,
    message: 'fuzz',
    display_name: 'Fuzz',
    name: `fuzz-${Math.floor(random() * 1e9)}`,
    type: 'O',
    term: 'fuzz',
    terms: 'fuzz',
    category: 'display_settings',
    value: 'true',
    emoji_name: 'smile',
  });
  /** JSON text of `fields`, with `raw` (already JSON) as the value of `key`. */
  const withRaw = (fields: Record<string, unknown>, key: string, raw: string) => {
    const rest = JSON.stringify(fields).slice(1, -1);
    return `{${rest}${rest ? ',' : ''}${JSON.stringify(key)}:${raw}}`;
  };
  const writeRoutes = () => routes.filter((r) => hasBody(r) && !endsTheTest(r));
  const label = (route: Route, what: string) => `${route.method} ${route.path} [${what}]`;

  it('NUL and unpaired surrogates in every field, in props, and as keys: never 5xx', async () => {
    const cases: Case[] = [];
    for (const route of writeRoutes()) {
      const path = fillReal(route.path);
      const every = Object.fromEntries(FIELDS.map((f) => [f, pick(UNSTORABLE)]));
      cases.push({ label: label(route, 'every field'), method: route.method, path, body: JSON.stringify({ ...baseBody(), ...every }) });
      // One field at a time over a valid-looking body, so each handler reads it where it would store it.
      const fields = new Set(['message', 'nickname', 'term', 'terms', 'name', 'display_name', ...sample(FIELDS, 4)]);
      for (const field of fields) {
        cases.push({
          label: label(route, `${field} unstorable`),
          method: route.method,
          path,
          body: JSON.stringify({ ...baseBody(), [field]: pick(UNSTORABLE) }),
        });
      }
      for (const key of ['props', 'notify_props', 'timezone']) {
        const props = { ok: 'x', bad: pick(UNSTORABLE), nested: { list: [pick(UNSTORABLE)] } };
        cases.push({ label: label(route, `${key} value`), method: route.method, path, body: JSON.stringify({ ...baseBody(), [key]: props }) });
        cases.push({ label: label(route, `${key} key`), method: route.method, path, body: JSON.stringify({ ...baseBody(), [key]: { 'k\u0000': 'v' } }) });
      }
      // A bare array of ids or names with one unstorable entry (POST /users/ids, /usernames, …).
      cases.push({ label: label(route, 'array'), method: route.method, path, body: JSON.stringify([admin.user.id, pick(UNSTORABLE)]) });
    }
    expect(await runBatch(cases)).toEqual([]);
  }, 60_000);

  it('NUL in query parameters and path parameters: never 5xx', async () => {
    const query = [
      'name',
      'term',
      'page',
      'per_page',
      'since',
      'in_team',
      'in_channel',
      'not_in_channel',
      'before',
      'after',
      'format',
      'include_deleted',
      'limit_after',
      'iid',
    ]
      .map((q) => `${q}=a%00b`)
      .join('&');
    const cases: Case[] = [];
    for (const route of routes.filter((r) => !endsTheTest(r))) {
      const path = fillReal(route.path);
      cases.push({ label: label(route, 'query NUL'), method: route.method, path: `${path}?${query}`, body: '{}' });
      if (route.path.includes(':')) {
        const nulParams = route.path.replace(/:(\w+)/g, (_, name: string) => (name === 'user_id' ? 'me' : `x%00${name}`));
        cases.push({ label: label(route, 'path NUL'), method: route.method, path: nulParams, body: '{}' });
      }
    }
    expect(await runBatch(cases)).toEqual([]);
  }, 60_000);

  it('JSON nested 40,000 deep, as the body and inside props: 400, never 5xx', async () => {
    const levels = 40_000;
    const arrays = '['.repeat(levels) + ']'.repeat(levels);
    const objects = '{"a":'.repeat(levels) + '1' + '}'.repeat(levels);
    const cases: Case[] = [];
    for (const route of writeRoutes()) {
      const path = fillReal(route.path);
      cases.push({ label: label(route, 'deep arrays'), method: route.method, path, body: arrays });
      cases.push({ label: label(route, 'deep props'), method: route.method, path, body: withRaw(baseBody(), 'props', `{"a":${arrays}}`) });
      cases.push({ label: label(route, 'deep objects'), method: route.method, path, body: withRaw(baseBody(), pick(FIELDS), objects) });
    }
    expect(await runBatch(cases)).toEqual([]);
  }, 60_000);

  it('bodies over the size limit: 413 or 400, never 5xx', async () => {
    const oversized = JSON.stringify({ ...baseBody(), message: 'x'.repeat(310_000) });
    const cases = writeRoutes().map((route) => ({ label: label(route, 'oversized'), method: route.method, path: fillReal(route.path), body: oversized }));
    const failures = await runBatch(cases);
    expect(failures).toEqual([]);
    for (const route of writeRoutes().slice(0, 3)) {
      expect([400, 413]).toContain((await send(route.method, fillReal(route.path), admin.client.getToken(), oversized)).status);
    }
  }, 60_000);

  it('huge arrays and very long strings in every field: never 5xx', async () => {
    const ids = Array.from({ length: 5_000 }, (_, i) => (i % 2 ? admin.user.id : ID));
    const cases: Case[] = [];
    for (const route of writeRoutes()) {
      const path = fillReal(route.path);
      cases.push({ label: label(route, 'huge array body'), method: route.method, path, body: JSON.stringify(ids) });
      const field = pick(FIELDS);
      cases.push({ label: label(route, `huge array in ${field}`), method: route.method, path, body: JSON.stringify({ ...baseBody(), [field]: ids }) });
      const long = pick(['x', '😀', 'e\u0301', '日', ' ']).repeat(60_000);
      cases.push({ label: label(route, `long ${field}`), method: route.method, path, body: JSON.stringify({ ...baseBody(), [field]: long }) });
    }
    expect(await runBatch(cases)).toEqual([]);
  }, 60_000);

  it('30,000-word searches on every search route: never 5xx', async () => {
    const words = Array.from({ length: 30_000 }, (_, i) => `w${i}`).join(' ');
    const searches = routes.filter((r) => /search|autocomplete/.test(r.path));
    expect(searches.length).toBeGreaterThan(5);
    const cases = searches.flatMap((route) =>
      ['term', 'terms'].map((field) => ({
        label: label(route, `30,000 words in ${field}`),
        method: route.method,
        path: hasBody(route) ? fillReal(route.path) : `${fillReal(route.path)}?name=${'w+'.repeat(300)}&term=w`,
        body: JSON.stringify({ ...baseBody(), [field]: words }),
      })),
    );
    expect(await runBatch(cases)).toEqual([]);
  }, 60_000);

  it('seeded random JSON on every route: never 5xx', async () => {
    const cases: Case[] = [];
    for (const route of writeRoutes()) {
      const path = fillReal(route.path);
      for (let i = 0; i < 4; i++) cases.push({ label: label(route, `random #${i}`), method: route.method, path, body: randomJson() });
    }
    expect(await runBatch(cases)).toEqual([]);
  }, 60_000);
});

describe('refusals with Mattermost error ids', () => {
  const raw = (method: string, path: string, body: string) => send(method, path, admin.client.getToken(), body);
  const errorOf = async (method: string, path: string, body: string) => {
    const r = await raw(method, path, body);
    return { status: r.status, id: (JSON.parse(r.text) as { id: string }).id };
  };
  const invalidBody = { status: 400, id: 'api.context.invalid_body_param.app_error' };

  it('refuses NUL in a post message, its props, a nickname and user props with a 400', async () => {
    const before = { message: (await admin.client.getPost(post.id)).message, nickname: (await admin.client.getMe()).nickname };
    expect(await errorOf('POST', '/api/v4/posts', JSON.stringify({ channel_id: channel.id, message: 'a\u0000b' }))).toEqual(invalidBody);
    expect(await errorOf('POST', '/api/v4/posts', JSON.stringify({ channel_id: channel.id, message: 'ok', props: { a: 'x\u0000' } }))).toEqual(invalidBody);
    expect(await errorOf('POST', '/api/v4/posts', '{"channel_id":"' + channel.id + '","message":"ok","props":{"a":"\\ud800"}}')).toEqual(invalidBody);
    expect(await errorOf('PUT', `/api/v4/posts/${post.id}/patch`, JSON.stringify({ message: '\u0000' }))).toEqual(invalidBody);
    expect(await errorOf('PUT', '/api/v4/users/me/patch', JSON.stringify({ nickname: 'n\u0000' }))).toEqual(invalidBody);
    expect(await errorOf('PUT', '/api/v4/users/me/patch', JSON.stringify({ props: { a: 'n\u0000' } }))).toEqual(invalidBody);
    expect(await errorOf('POST', '/api/v4/users/search', JSON.stringify({ term: 'a\u0000' }))).toEqual(invalidBody);
    // Nothing was stored: the post and the user are as they were.
    expect((await admin.client.getPost(post.id)).message).toBe(before.message);
    expect((await admin.client.getMe()).nickname).toBe(before.nickname);
  });

  it('refuses NUL in the URL with invalid_url_param', async () => {
    for (const path of [`/api/v4/users/username/a%00`, '/api/v4/users/autocomplete?name=a%00', `/api/v4/teams/name/x%00/exists`]) {
      expect(await errorOf('GET', path, '')).toEqual({ status: 400, id: 'api.context.invalid_url_param.app_error' });
    }
  });

  it('refuses props nested 40,000 deep with a 400, and keeps serving', async () => {
    const deep = '['.repeat(40_000) + ']'.repeat(40_000);
    expect(await errorOf('POST', '/api/v4/posts', `{"channel_id":"${channel.id}","message":"d","props":{"a":${deep}}}`)).toEqual(invalidBody);
    expect(await errorOf('PUT', `/api/v4/posts/${post.id}/patch`, `{"props":${'{"a":'.repeat(40_000)}1${'}'.repeat(40_000)}}`)).toEqual(invalidBody);
    // Within the limit, props of a dozen levels are fine.
    const modest = { attachments: [{ fields: [{ title: 't', value: { deeper: [[[['ok']]]] } }] }] };
    const created = await admin.client.createPost({ channel_id: channel.id, message: 'modest', props: modest } as unknown as Post);
    expect(created.props).toEqual(modest);
  });

  it('refuses a 30,000-word post search with a 400 instead of a database error', async () => {
    const terms = Array.from({ length: 30_000 }, (_, i) => `w${i}`).join(' ');
    expect(await errorOf('POST', `/api/v4/teams/${team.id}/posts/search`, JSON.stringify({ terms }))).toEqual(invalidBody);
    expect(await errorOf('POST', '/api/v4/posts/search', JSON.stringify({ terms: `"${'x '.repeat(30_000)}"` }))).toEqual(invalidBody);
  });

  it('still serves requests afterwards', async () => {
    expect((await user.client.getMe()).id).toBe(user.user.id);
    expect((await admin.client.getMe()).id).toBe(admin.user.id);
  });
});

describe("the OAuth provider's forms and queries", () => {
  /** A real trusted app, so that requests get past the client lookup. */
  const app = { id: ID, secret: 'x', callback: 'https://app.example.com/cb' };
  /** A form or query value: random text, an unstorable string, a long one, or a plausible one. */
  const value = () =>
    pick([randomText, () => pick(UNSTORABLE), () => 'v'.repeat(5000), () => app.id, () => app.secret, () => 'S256', () => 'code', () => app.callback])();
  const FORM_FIELDS = ['grant_type', 'code', 'refresh_token', 'client_id', 'client_secret', 'redirect_uri', 'code_verifier', 'scope'];
  const QUERY_FIELDS = ['response_type', 'client_id', 'redirect_uri', 'scope', 'state', 'code_challenge', 'code_challenge_method'];

  it('never answers 5xx to malformed token requests (form bodies, Basic credentials) or authorization queries', async () => {
    const failures: string[] = [];
    const check = async (label: string, res: Response, path: string) => {
      const r = { status: res.status, text: await res.text(), type: res.headers.get('content-type') ?? '' };
      try {
        expectCleanAnswer(label, r, path);
      } catch (err) {
        failures.push(`[seed ${SEED}] ${String((err as Error).message).split('\n')[0]}`);
      }
    };
    const created = await admin.client.createOAuthApp({
      name: 'Fuzz',
      homepage: 'https://app.example.com',
      callback_urls: [app.callback],
      is_trusted: true,
    } as never);
    Object.assign(app, { id: created.id, secret: created.client_secret });
    for (let i = 0; i < 60; i++) {
      const form = new URLSearchParams();
      for (const field of sample(FORM_FIELDS, 1 + Math.floor(random() * FORM_FIELDS.length))) form.set(field, value());
      if (random() < 0.5) form.set('grant_type', pick(['authorization_code', 'refresh_token']));
      const headers: Record<string, string> = { 'Content-Type': 'application/x-www-form-urlencoded' };
      if (random() < 0.3)
        headers.Authorization = `Basic ${pick([Buffer.from(`${ID}:${value()}`).toString('base64'), '!!!', Buffer.from(value()).toString('base64')])}`;
      const res = await fetch(`${server.url}/oauth/access_token`, { method: 'POST', headers, body: form.toString() });
      await check(`POST /oauth/access_token #${i}`, res, '/oauth/access_token');

      const query = new URLSearchParams();
      for (const field of sample(QUERY_FIELDS, 1 + Math.floor(random() * QUERY_FIELDS.length))) query.set(field, value());
      const signedIn = random() < 0.7 ? { Authorization: `Bearer ${user.client.getToken()}` } : undefined;
      const page = await fetch(`${server.url}/oauth/authorize?${query.toString()}`, { redirect: 'manual', headers: signedIn });
      await check(`GET /oauth/authorize #${i}`, page, '/oauth/authorize');
      const consent = await fetch(`${server.url}/oauth/authorize`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${user.client.getToken()}`, 'Content-Type': 'application/json' },
        body: JSON.stringify(Object.fromEntries(query)),
      });
      await check(`POST /oauth/authorize #${i}`, consent, '/oauth/authorize');
    }
    expect(failures).toEqual([]);
    await expectAlive();
  }, 60_000);
});
