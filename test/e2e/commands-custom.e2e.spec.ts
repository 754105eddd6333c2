/**
 * Custom slash commands end to end: managed through @mattermost/client, run through
 * POST /commands/execute against an integration this suite starts (asserting the exact requests it
 * gets), their replies as posts and ephemeral posts on the sockets, later replies through the
 * response URL, and the refusals.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client4 } from '@mattermost/client';
import type { Command } from '@mattermost/types/integrations';
import type { Post } from '@mattermost/types/posts';
import type { Team } from '@mattermost/types/teams';
import { expectClientError, startServer, type TestServer, type WsEventMessage } from '#testing';
import { openSockets, PERMISSION, signUpCast, teamWithChannels, type Cast, type TeamWithChannels } from './fixtures.js';
import { formPairs, IntegrationReceiver } from './integration-receiver.js';
import type { TestSocket } from '#testing';

let server: TestServer;
let cast: Cast;
let t: TeamWithChannels;
let team2: Team;
let receiver: IntegrationReceiver;
let bobSocket: TestSocket;
let aliceSocket: TestSocket;

const NOT_FOUND = 'store.sql_command.save.get.app_error';

beforeAll(async () => {
  receiver = await IntegrationReceiver.start();
  server = await startServer({ MM_SERVICESETTINGS_ALLOWEDUNTRUSTEDINTERNALCONNECTIONS: '127.0.0.1' });
  cast = await signUpCast(server);
  t = await teamWithChannels(cast, {
    team: { name: 'cmdcustom', display_name: 'Custom' },
    pub: { name: 'ops', display_name: 'Ops' },
    priv: { name: 'secret', display_name: 'Secret' },
  });
  team2 = await cast.alice.client.createTeam({ name: 'cmdother', display_name: 'Other', type: 'O' } as Team);
  [bobSocket, aliceSocket] = await openSockets(server, [cast.bob, cast.alice]);
});
afterAll(async () => {
  bobSocket?.close();
  aliceSocket?.close();
  await server?.stop();
  await receiver?.close();
});

/** Client4's fetch, for the routes it has no method for. */
const fetchAs = <T = any>(c: Client4, url: string, options: object) =>
  (c as unknown as { doFetch(url: string, options: object): Promise<T> }).doFetch(url, options);
const commandsRoute = (c: Client4) => `${c.getBaseRoute()}/commands`;
const getCommand = (c: Client4, id: string) => fetchAs<Command>(c, `${commandsRoute(c)}/${id}`, { method: 'get' });
const moveCommand = (c: Client4, id: string, teamId: string) =>
  fetchAs(c, `${commandsRoute(c)}/${id}/move`, { method: 'put', body: JSON.stringify({ team_id: teamId }) });
const run = (c: Client4, command: string, channelId = t.pub.id) => c.executeCommand(command, { channel_id: channelId, team_id: t.team.id } as never);

let seq = 0;
/** A new command of alice's on the team, pointing at `path` on the receiver. */
function newCommand(path: string, extra: Partial<Command> = {}): Promise<Command> {
  return cast.alice.client.addCommand({
    team_id: t.team.id,
    trigger: `cmd${++seq}`,
    url: receiver.url(path),
    method: 'P',
    ...extra,
  } as Command);
}

/** A predicate for events after this point. */
function after(socket: TestSocket): (e: WsEventMessage) => boolean {
  const mark = socket.events.length;
  return (e) => socket.events.indexOf(e) >= mark;
}
const postOf = (e: WsEventMessage): Post => JSON.parse(e.data.post);

async function withConfig(patch: Record<string, Record<string, unknown>>, fn: () => Promise<void>): Promise<void> {
  const before = await cast.admin.client.getConfig();
  await cast.admin.client.patchConfig(patch as never);
  try {
    await fn();
  } finally {
    const restore = Object.fromEntries(
      Object.entries(patch).map(([section, values]) => [section, Object.fromEntries(Object.keys(values).map((k) => [k, (before as any)[section][k]]))]),
    );
    await cast.admin.client.patchConfig(restore as never);
  }
}

describe('managing custom commands', () => {
  it('a team admin creates one: trigger lower-cased, a token, every field of model.Command', async () => {
    const created = await cast.alice.client.addCommand({
      team_id: t.team.id,
      trigger: 'Deploy',
      url: receiver.url('/deploy'),
      method: 'P',
      username: 'deploybot',
      icon_url: 'https://example.com/icon.png',
      auto_complete: true,
      auto_complete_desc: 'Deploys a service',
      auto_complete_hint: '[service]',
      display_name: 'Deploy',
      description: 'Ships it',
    } as Command);
    expect(Object.keys(created).sort()).toEqual(
      [
        'id',
        'token',
        'create_at',
        'update_at',
        'delete_at',
        'creator_id',
        'team_id',
        'trigger',
        'method',
        'username',
        'icon_url',
        'auto_complete',
        'auto_complete_desc',
        'auto_complete_hint',
        'display_name',
        'description',
        'url',
        'plugin_id',
      ].sort(),
    );
    expect(created).toMatchObject({ trigger: 'deploy', creator_id: cast.alice.user.id, team_id: t.team.id, delete_at: 0, plugin_id: '' });
    expect(created.id).toHaveLength(26);
    expect(created.token).toHaveLength(26);
    expect(created.update_at).toBe(created.create_at);
    expect(await getCommand(cast.alice.client, created.id)).toEqual(created);

    // The token goes only to those who manage the command.
    const listed = await cast.bob.client.getAutocompleteCommandsList(t.team.id);
    expect(listed.find((c) => c.trigger === 'deploy')).toMatchObject({
      id: created.id,
      token: '',
      url: '',
      method: '',
      creator_id: '',
      username: '',
      icon_url: '',
    });
    const all = await cast.bob.client.getCommandsList(t.team.id);
    expect(all.find((c) => c.trigger === 'deploy')?.token).toBe('');
    expect((await cast.alice.client.getCustomTeamCommands(t.team.id)).map((c) => [c.trigger, c.token])).toContainEqual(['deploy', created.token]);
    expect(await cast.bob.client.getCommandAutocompleteSuggestionsList('/dep', t.team.id, { channel_id: t.pub.id } as never)).toEqual([
      { Complete: 'deploy', Suggestion: 'deploy', Hint: '[service]', Description: 'Deploys a service', IconData: '' },
    ]);

    const err = await expectClientError(() => getCommand(cast.bob.client, created.id));
    expect([err.status_code, err.server_error_id]).toEqual([404, NOT_FOUND]);
    const custom = await expectClientError(() => cast.bob.client.getCustomTeamCommands(t.team.id));
    expect([custom.status_code, custom.server_error_id]).toEqual([403, PERMISSION]);
  });

  it('updates, regenerates the token, moves and deletes, with the checks Mattermost makes', async () => {
    const created = await newCommand('/crud');
    const edited = await cast.alice.client.editCommand({ ...created, description: 'changed', trigger: 'CRUDX', token: 'ignored' });
    expect(edited).toMatchObject({ id: created.id, token: created.token, description: 'changed', trigger: 'crudx', create_at: created.create_at });
    expect(edited.update_at).toBeGreaterThanOrEqual(created.update_at);

    const mismatch = await expectClientError(() => cast.alice.client.editCommand({ ...edited, team_id: team2.id }));
    expect([mismatch.status_code, mismatch.server_error_id]).toEqual([400, 'api.command.team_mismatch.app_error']);
    const wrongId = await expectClientError(() =>
      fetchAs(cast.alice.client, `${commandsRoute(cast.alice.client)}/${created.id}`, { method: 'put', body: JSON.stringify({ ...edited, id: 'x' }) }),
    );
    expect([wrongId.status_code, wrongId.server_error_id]).toEqual([400, 'api.context.invalid_body_param.app_error']);

    const { token } = await cast.alice.client.regenCommandToken(created.id);
    expect(token).toHaveLength(26);
    expect(token).not.toBe(created.token);
    expect((await getCommand(cast.alice.client, created.id)).token).toBe(token);

    expect(await moveCommand(cast.alice.client, created.id, team2.id)).toEqual({ status: 'OK' });
    expect((await getCommand(cast.alice.client, created.id)).team_id).toBe(team2.id);
    const bobMoves = await expectClientError(() => moveCommand(cast.bob.client, created.id, t.team.id));
    expect([bobMoves.status_code, bobMoves.server_error_id]).toEqual([403, PERMISSION]);

    expect(await cast.alice.client.deleteCommand(created.id)).toEqual({ status: 'OK' });
    const gone = await expectClientError(() => getCommand(cast.alice.client, created.id));
    expect([gone.status_code, gone.server_error_id]).toEqual([404, NOT_FOUND]);
    const again = await expectClientError(() => cast.alice.client.deleteCommand(created.id));
    expect(again.status_code).toBe(404);
  });

  it('refuses triggers in use, bad fields and malformed bodies with 400s', async () => {
    const cases: Array<[Partial<Command>, string]> = [
      [{ trigger: 'echo' }, 'api.command.duplicate_trigger.app_error'],
      [{ trigger: 'DEPLOY' }, 'api.command.duplicate_trigger.app_error'],
      [{ trigger: '/slash' }, 'model.command.is_valid.trigger.app_error'],
      [{ trigger: 'two words' }, 'model.command.is_valid.trigger.app_error'],
      [{ trigger: 'x'.repeat(129) }, 'model.command.is_valid.trigger.app_error'],
      [{ url: '' }, 'model.command.is_valid.url.app_error'],
      [{ url: 'ftp://example.com/x' }, 'model.command.is_valid.url_http.app_error'],
      [{ method: 'X' as never }, 'model.command.is_valid.method.app_error'],
      [{ display_name: 'd'.repeat(65) }, 'model.command.is_valid.display_name.app_error'],
      [{ description: 'd'.repeat(129) }, 'model.command.is_valid.description.app_error'],
      [{ username: 'u'.repeat(65) }, 'model.command.is_valid.username.app_error'],
      [{ trigger: 'nul\u0000' }, 'api.context.invalid_body_param.app_error'],
    ];
    for (const [fields, id] of cases) {
      const err = await expectClientError(() => newCommand('/bad', fields));
      expect([err.status_code, err.server_error_id], JSON.stringify(fields)).toEqual([400, id]);
    }
    for (const body of ['[1]', '"x"', JSON.stringify({ team_id: t.team.id, trigger: 5 }), JSON.stringify({ team_id: t.team.id, auto_complete: 'yes' })]) {
      const err = await expectClientError(() => fetchAs(cast.alice.client, commandsRoute(cast.alice.client), { method: 'post', body }));
      expect([err.status_code, err.server_error_id], body).toEqual([400, 'api.context.invalid_body_param.app_error']);
    }
  });

  it('leaves team users out by default (EnableOnlyAdminIntegrations as roles) and answers 501 with commands off', async () => {
    const denied = await expectClientError(() =>
      cast.bob.client.addCommand({ team_id: t.team.id, trigger: 'mine', url: receiver.url('/x'), method: 'P' } as Command),
    );
    expect([denied.status_code, denied.server_error_id]).toEqual([403, PERMISSION]);
    // A team admin may create one in another user's name (manage_others_slash_commands); the user must exist.
    const forBob = await cast.alice.client.addCommand({
      team_id: t.team.id,
      trigger: 'forbob',
      url: receiver.url('/x'),
      method: 'P',
      creator_id: cast.bob.user.id,
    } as Command);
    expect(forBob.creator_id).toBe(cast.bob.user.id);
    const nobody = await expectClientError(() =>
      cast.alice.client.addCommand({ team_id: t.team.id, trigger: 'fornobody', url: receiver.url('/x'), method: 'P', creator_id: 'a'.repeat(26) } as Command),
    );
    expect(nobody.status_code).toBe(404);
    const existing = await newCommand('/off');
    await withConfig({ ServiceSettings: { EnableCommands: false } }, async () => {
      const create = await expectClientError(() => newCommand('/off2'));
      expect([create.status_code, create.server_error_id]).toEqual([501, 'api.command.disabled.app_error']);
      const exec = await expectClientError(() => run(cast.bob.client, `/${existing.trigger}`));
      expect([exec.status_code, exec.server_error_id]).toEqual([501, 'api.command.disabled.app_error']);
      const get = await expectClientError(() => getCommand(cast.alice.client, existing.id));
      expect([get.status_code, get.server_error_id]).toEqual([404, NOT_FOUND]);
      expect((await cast.bob.client.getAutocompleteCommandsList(t.team.id)).some((c) => c.trigger === existing.trigger)).toBe(false);
    });
  });
});

describe('running a custom command', () => {
  it('POSTs Mattermost form fields with the token, and posts an in_channel reply as from_webhook', async () => {
    await withConfig({ ServiceSettings: { EnablePostUsernameOverride: true, EnablePostIconOverride: true } }, async () => {
      const command = await newCommand('/post-reply', { username: 'cmdbot' });
      receiver.on('/post-reply', () => ({
        body: {
          response_type: 'in_channel',
          text: 'Shipped <https://example.com/build|build> <!here>',
          icon_url: 'https://example.com/reply.png',
          props: { extra: 'kept', from_bot: 'true' },
          attachments: [{ text: 'see <https://example.com|site>', fields: [{ title: 'n', value: 5, short: true }] }],
        },
      }));
      const seen = receiver.to('/post-reply').length;
      const events = after(bobSocket);
      const answer = await run(cast.bob.client, `/${command.trigger} prod  now @${cast.alice.user.username}. ~ops ~secret`);
      const req = await receiver.next('/post-reply', seen);

      expect(req.method).toBe('POST');
      expect(req.headers.authorization).toBe(`Token ${command.token}`);
      expect(req.headers['content-type']).toBe('application/x-www-form-urlencoded');
      expect(req.headers.accept).toBe('application/json');
      expect(req.headers['user-agent']).toBe('Mattermost-Bot/1.1');
      const pairs = formPairs(req.body);
      expect(pairs.map(([k]) => k)).toEqual([...pairs.map(([k]) => k)].sort());
      const form = Object.fromEntries(pairs);
      expect(form).toEqual({
        channel_id: t.pub.id,
        channel_mentions: 'ops',
        channel_mentions_ids: t.pub.id,
        channel_name: 'ops',
        command: `/${command.trigger}`,
        response_url: expect.stringMatching(new RegExp(`^${server.url}/hooks/commands/[a-z0-9]{26}$`)),
        root_id: '',
        team_domain: 'cmdcustom',
        team_id: t.team.id,
        text: `prod  now @${cast.alice.user.username}. ~ops ~secret`,
        token: command.token,
        trigger_id: expect.any(String),
        user_id: cast.bob.user.id,
        user_mentions: cast.alice.user.username,
        user_mentions_ids: cast.alice.user.id,
        user_name: cast.bob.user.username,
      });
      const [clientId, userId, millis, signature] = Buffer.from(form.trigger_id, 'base64').toString().split(':');
      expect([clientId.length, userId, Number(millis) > Date.now() - 60_000, signature.length > 20]).toEqual([26, cast.bob.user.id, true, true]);
      expect(answer).toMatchObject({ response_type: 'in_channel', trigger_id: clientId, text: 'Shipped <https://example.com/build|build> <!here>' });

      const posted = postOf(await bobSocket.waitFor('posted', (e) => events(e) && postOf(e).channel_id === t.pub.id));
      expect(posted).toMatchObject({
        user_id: cast.bob.user.id,
        message: 'Shipped [build](https://example.com/build) @here',
        type: 'slack_attachment',
        props: {
          extra: 'kept',
          from_webhook: 'true',
          override_username: 'cmdbot',
          override_icon_url: 'https://example.com/reply.png',
          attachments: [{ text: 'see [site](https://example.com)', fields: [{ title: 'n', value: '5', short: true }] }],
        },
      });
      expect(posted.props.from_bot).toBeUndefined();
    });
  });

  it('GETs with the values in the query, and a plain-text answer is an ephemeral reply', async () => {
    const command = await newCommand('/get-reply', { method: 'G', url: receiver.url('/get-reply?fixed=1') });
    receiver.on('/get-reply', () => ({ body: 'only for you', contentType: 'text/plain' }));
    const seen = receiver.to('/get-reply').length;
    const events = after(bobSocket);
    const answer = await run(cast.bob.client, `/${command.trigger} a&b=c`);
    const req = await receiver.next('/get-reply', seen);
    expect([req.method, req.body, req.headers['content-type'], req.headers.authorization]).toEqual(['GET', '', undefined, `Token ${command.token}`]);
    const query = new URLSearchParams(req.url.split('?')[1]);
    expect(query.get('fixed')).toBe('1');
    expect(query.get('text')).toBe('a&b=c');
    expect(query.get('user_name')).toBe(cast.bob.user.username);
    expect(answer).toMatchObject({ response_type: '', text: 'only for you' });
    const eph = await bobSocket.waitFor('ephemeral_message', (e) => events(e) && postOf(e).message === 'only for you');
    expect(postOf(eph)).toMatchObject({ type: 'system_ephemeral', user_id: cast.bob.user.id, channel_id: t.pub.id, props: { from_webhook: 'true' } });
    await aliceSocket.expectNone('ephemeral_message', (e) => postOf(e).message === 'only for you', 200);
  });

  it('delivers extra_responses and hands back goto_location; skip_slack_parsing keeps the text as written', async () => {
    const command = await newCommand('/extra');
    receiver.on('/extra', () => ({
      body: {
        response_type: 'ephemeral',
        text: 'first <https://a.example|a>',
        skip_slack_parsing: true,
        goto_location: 'https://example.com/next',
        extra_responses: [{ response_type: 'in_channel', text: 'second <!channel>' }],
      },
    }));
    const events = after(bobSocket);
    const answer = await run(cast.bob.client, `/${command.trigger}`);
    expect(answer.goto_location).toBe('https://example.com/next');
    await bobSocket.waitFor('ephemeral_message', (e) => events(e) && postOf(e).message === 'first <https://a.example|a>');
    const posted = await bobSocket.waitFor('posted', (e) => events(e) && postOf(e).message === 'second @channel');
    expect(postOf(posted).props).toEqual({ from_webhook: 'true' });
  });

  it('lets the integration reply later through the response URL, five times within its life', async () => {
    const command = await newCommand('/later');
    receiver.on('/later', () => ({ body: '' }));
    const seen = receiver.to('/later').length;
    await run(cast.bob.client, `/${command.trigger}`);
    const responseUrl = Object.fromEntries(formPairs((await receiver.next('/later', seen)).body)).response_url;
    const events = after(bobSocket);
    const send = (body: string, type = 'application/json') => fetch(responseUrl, { method: 'POST', headers: { 'Content-Type': type }, body });
    const first = await send(JSON.stringify({ response_type: 'in_channel', text: 'done later' }));
    expect([first.status, first.headers.get('content-type'), await first.text()]).toEqual([200, 'text/plain; charset=utf-8', 'ok']);
    const posted = postOf(await bobSocket.waitFor('posted', (e) => events(e) && postOf(e).message === 'done later'));
    expect(posted).toMatchObject({ user_id: cast.bob.user.id, channel_id: t.pub.id, props: { from_webhook: 'true' } });
    expect((await send('plain text later', 'text/plain')).status).toBe(200);
    await bobSocket.waitFor('ephemeral_message', (e) => events(e) && postOf(e).message === 'plain text later');
    for (let i = 0; i < 3; i++) expect((await send(JSON.stringify({ text: `use ${i}` }))).status).toBe(200);
    const sixth = await send(JSON.stringify({ text: 'too many' }));
    expect([sixth.status, (await sixth.json()).id]).toEqual([400, 'app.command_webhook.try_use.invalid']);

    const unknown = await fetch(`${server.url}/hooks/commands/${'a'.repeat(26)}`, {
      method: 'POST',
      body: '{}',
      headers: { 'Content-Type': 'application/json' },
    });
    expect([unknown.status, (await unknown.json()).id]).toEqual([404, 'app.command_webhook.get.missing']);
    const malformed = await fetch(responseUrl, { method: 'POST', body: '{"text": 5', headers: { 'Content-Type': 'application/json' } });
    expect([malformed.status, (await malformed.json()).id]).toEqual([400, 'web.command_webhook.parse.app_error']);
  });

  it('fails with clear 400s when the integration refuses, answers garbage or sits where it may not be reached', async () => {
    const failing = await newCommand('/fails');
    receiver.on('/fails', () => ({ status: 503, body: 'down' }));
    const down = await expectClientError(() => run(cast.bob.client, `/${failing.trigger}`));
    expect([down.status_code, down.server_error_id]).toEqual([400, 'api.command.execute_command.failed_resp.app_error']);

    const garbage = await newCommand('/garbage');
    receiver.on('/garbage', () => ({ body: '{"text": 5}', contentType: 'application/json' }));
    const bad = await expectClientError(() => run(cast.bob.client, `/${garbage.trigger}`));
    expect([bad.status_code, bad.server_error_id]).toEqual([400, 'api.command.execute_command.failed.app_error']);

    // Loopback, but not the address AllowedUntrustedInternalConnections names: refused before any connection.
    const ssrf = await newCommand('/ssrf', { url: `http://127.0.0.2:${receiver.port}/ssrf` });
    const refused = await expectClientError(() => run(cast.bob.client, `/${ssrf.trigger}`));
    expect([refused.status_code, refused.server_error_id]).toEqual([400, 'api.command.execute_command.failed.app_error']);
    expect(receiver.to('/ssrf')).toEqual([]);

    const system = await newCommand('/system');
    receiver.on('/system', () => ({ body: { response_type: 'in_channel', text: 'x', type: 'system_join_channel' } }));
    const sys = await expectClientError(() => run(cast.bob.client, `/${system.trigger}`));
    expect([sys.status_code, sys.server_error_id]).toEqual([400, 'api.command.execute_command.create_post_failed.app_error']);

    const outsider = await expectClientError(() => run(cast.carol.client, `/${system.trigger}`));
    expect([outsider.status_code, outsider.server_error_id]).toEqual([403, PERMISSION]);
  });
});
