/**
 * Interactive messages and dialogs end to end: buttons and menus on posts (their integrations kept
 * on the server), clicks calling an integration this suite starts (asserting the exact request),
 * the answers' updates and ephemeral texts, ephemeral posts' sealed cookies, and dialogs opened
 * with signed, expiring trigger ids and submitted back — all through @mattermost/client and its
 * WebSocketClient.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client4 } from '@mattermost/client';
import type { Command } from '@mattermost/types/integrations';
import type { Post } from '@mattermost/types/posts';
import { clientFor, expectClientError, sleep, startServer, type TestServer, type TestSocket, type WsEventMessage } from '#testing';
import { openSockets, PERMISSION, signUpCast, teamWithChannels, type Cast, type TeamWithChannels } from './fixtures.js';
import { IntegrationReceiver } from './integration-receiver.js';

let server: TestServer;
let cast: Cast;
let t: TeamWithChannels;
let receiver: IntegrationReceiver;
let bobSocket: TestSocket;
let daveSocket: TestSocket;

beforeAll(async () => {
  receiver = await IntegrationReceiver.start();
  server = await startServer({ MM_SERVICESETTINGS_ALLOWEDUNTRUSTEDINTERNALCONNECTIONS: '127.0.0.1' });
  cast = await signUpCast(server);
  t = await teamWithChannels(cast, {
    team: { name: 'interactive', display_name: 'Interactive' },
    pub: { name: 'buttons', display_name: 'Buttons' },
    priv: { name: 'hidden', display_name: 'Hidden' },
  });
  [bobSocket, daveSocket] = await openSockets(server, [cast.bob, cast.dave]);
});
afterAll(async () => {
  bobSocket?.close();
  daveSocket?.close();
  await server?.stop();
  await receiver?.close();
});

const fetchAs = <T = any>(c: Client4, url: string, options: object) =>
  (c as unknown as { doFetch(url: string, options: object): Promise<T> }).doFetch(url, options);
const openDialog = (c: Client4, body: unknown) => fetchAs(c, `${c.getBaseRoute()}/actions/dialogs/open`, { method: 'post', body: JSON.stringify(body) });
const postOf = (e: WsEventMessage): Post => JSON.parse(e.data.post);
function after(socket: TestSocket): (e: WsEventMessage) => boolean {
  const mark = socket.events.length;
  return (e) => socket.events.indexOf(e) >= mark;
}

type Action = { id: string; name: string; type: string; integration?: unknown; cookie?: string; options?: unknown; data_source?: string };
const actionsOf = (post: Post): Action[] => (post.props.attachments as Array<{ actions: Action[] }>)[0].actions;

/** bob's post in the public channel with a button and two menus, each calling `path` on the receiver. */
function interactivePost(path: string, channelId = t.pub.id, client = cast.bob.client): Promise<Post> {
  const integration = (tag: string) => ({ url: receiver.url(path), context: { tag, secret: 'server-side only' } });
  return client.createPost({
    channel_id: channelId,
    message: 'Approve the release?',
    props: {
      attachments: [
        {
          text: 'Release 1.2',
          actions: [
            { name: 'Approve', type: 'button', style: 'primary', integration: integration('approve') },
            { id: 'pickenv', name: 'Environment', type: 'select', options: [{ text: 'Staging', value: 'staging' }], integration: integration('env') },
            { name: 'Reviewer', type: 'select', data_source: 'users', integration: { url: receiver.url(path) } },
          ],
        },
      ],
    },
  } as unknown as Post);
}

describe('actions on posts', () => {
  it('gives every action an id and never shows a client its integration', async () => {
    const events = after(daveSocket);
    await cast.alice.client.addToChannel(cast.dave.user.id, t.pub.id);
    const post = await interactivePost('/never');
    const actions = actionsOf(post);
    expect(actions.map((a) => [a.id.length, a.integration])).toEqual([
      [26, undefined],
      [7, undefined],
      [26, undefined],
    ]);
    expect(actions[1].id).toBe('pickenv');
    expect(actionsOf(await cast.dave.client.getPost(post.id))).toEqual(actions);
    const posted = await daveSocket.waitFor('posted', (e) => events(e) && postOf(e).id === post.id);
    expect(actionsOf(postOf(posted))).toEqual(actions);
    expect(JSON.stringify(await cast.dave.client.getPostsSince(t.pub.id, post.create_at - 1))).not.toContain('server-side only');
    // An edit sends the actions back without integrations: they keep theirs.
    await cast.bob.client.patchPost({
      id: post.id,
      message: 'Approve the release? (edited)',
      props: { attachments: [{ text: 'Release 1.2', actions }] },
    } as never);
    receiver.on('/never', () => ({ body: {} }));
    const seen = receiver.to('/never').length;
    await cast.dave.client.doPostAction(post.id, actions[0].id);
    expect(JSON.parse((await receiver.next('/never', seen)).body).context).toEqual({ tag: 'approve', secret: 'server-side only' });
  });

  it('a click calls the integration with Mattermost request and applies its update and ephemeral text', async () => {
    const post = await interactivePost('/approve');
    const [approve] = actionsOf(post);
    receiver.on('/approve', () => ({
      body: {
        update: { message: 'Approved by dave', props: { attachments: [], override_username: 'sneaky', extra: 1 } },
        ephemeral_text: 'You approved <https://example.com/r|the release>',
      },
    }));
    const seen = receiver.to('/approve').length;
    const daveEvents = after(daveSocket);
    const bobEvents = after(bobSocket);
    const answer = await cast.dave.client.doPostAction(post.id, approve.id);
    const req = await receiver.next('/approve', seen);

    expect([req.method, req.headers['content-type'], req.headers.accept, req.headers['user-agent']]).toEqual([
      'POST',
      'application/json',
      'application/json',
      'Mattermost-Bot/1.1',
    ]);
    const body = JSON.parse(req.body);
    expect(Object.keys(body)).toEqual([
      'user_id',
      'user_name',
      'channel_id',
      'channel_name',
      'team_id',
      'team_domain',
      'post_id',
      'trigger_id',
      'type',
      'data_source',
      'context',
    ]);
    expect(body).toEqual({
      user_id: cast.dave.user.id,
      user_name: cast.dave.user.username,
      channel_id: t.pub.id,
      channel_name: 'buttons',
      team_id: t.team.id,
      team_domain: 'interactive',
      post_id: post.id,
      trigger_id: expect.any(String),
      type: 'button',
      data_source: '',
      context: { tag: 'approve', secret: 'server-side only' },
    });
    const [clientId, userId] = Buffer.from(body.trigger_id, 'base64').toString().split(':');
    expect(answer).toEqual({ status: 'OK', trigger_id: clientId });
    expect(userId).toBe(cast.dave.user.id);

    const edited = postOf(await bobSocket.waitFor('post_edited', (e) => bobEvents(e) && postOf(e).id === post.id));
    // The update replaces message and props; the author stays, and props the post lacked (override_username) stay out.
    expect(edited).toMatchObject({ id: post.id, user_id: cast.bob.user.id, message: 'Approved by dave', props: { attachments: [], extra: 1 } });
    expect(edited.props.override_username).toBeUndefined();
    const eph = postOf(await daveSocket.waitFor('ephemeral_message', (e) => daveEvents(e)));
    expect(eph).toMatchObject({
      message: 'You approved [the release](https://example.com/r)',
      channel_id: t.pub.id,
      root_id: post.id,
      user_id: cast.dave.user.id,
    });
    await bobSocket.expectNone('ephemeral_message', bobEvents, 200);
  });

  it('a menu choice adds selected_option to the context, and data_source for users and channels', async () => {
    const post = await interactivePost('/menu');
    const [, env, reviewer] = actionsOf(post);
    const seen = receiver.to('/menu').length;
    await cast.bob.client.doPostAction(post.id, env.id, 'staging');
    const first = JSON.parse((await receiver.next('/menu', seen)).body);
    expect([first.type, first.data_source, first.context]).toEqual(['select', '', { tag: 'env', secret: 'server-side only', selected_option: 'staging' }]);
    await cast.bob.client.doPostAction(post.id, reviewer.id, cast.dave.user.id);
    const second = JSON.parse((await receiver.next('/menu', seen + 1)).body);
    expect([second.data_source, second.context]).toEqual(['users', { selected_option: cast.dave.user.id }]);
  });

  it('refuses what it must: other channels, unknown actions, SSRF targets, failing integrations, bad bodies', async () => {
    const hidden = await interactivePost('/hidden', t.priv.id);
    const denied = await expectClientError(() => cast.dave.client.doPostAction(hidden.id, actionsOf(hidden)[0].id));
    expect([denied.status_code, denied.server_error_id]).toEqual([403, PERMISSION]);
    const missing = await expectClientError(() => cast.dave.client.doPostAction('a'.repeat(26), 'x'));
    expect(missing.status_code).toBe(403);

    const post = await interactivePost('/broken');
    const unknown = await expectClientError(() => cast.bob.client.doPostAction(post.id, 'nosuchaction'));
    expect([unknown.status_code, unknown.server_error_id]).toEqual([404, 'api.post.do_action.action_id.app_error']);
    receiver.on('/broken', () => ({ status: 500, body: 'boom' }));
    const failing = await expectClientError(() => cast.bob.client.doPostAction(post.id, actionsOf(post)[0].id));
    expect([failing.status_code, failing.server_error_id]).toEqual([400, 'api.post.do_action.action_integration.app_error']);
    receiver.on('/broken', () => ({ body: '{"update": "not a post"}', contentType: 'application/json' }));
    const garbage = await expectClientError(() => cast.bob.client.doPostAction(post.id, actionsOf(post)[0].id));
    expect([garbage.status_code, garbage.server_error_id]).toEqual([400, 'api.post.do_action.action_integration.app_error']);

    const ssrf = await cast.bob.client.createPost({
      channel_id: t.pub.id,
      message: 'inner',
      props: { attachments: [{ actions: [{ name: 'Go', type: 'button', integration: { url: `http://127.0.0.2:${receiver.port}/ssrf` } }] }] },
    } as unknown as Post);
    const refused = await expectClientError(() => cast.bob.client.doPostAction(ssrf.id, actionsOf(ssrf)[0].id));
    expect([refused.status_code, refused.server_error_id]).toEqual([400, 'api.post.do_action.action_integration.app_error']);
    expect(receiver.to('/ssrf')).toEqual([]);

    const route = `${cast.bob.client.getPostRoute(post.id)}/actions/${actionsOf(post)[0].id}`;
    for (const body of ['[1]', '{"selected_option": 5}', '{"cookie": {}}', '{"cookie": "bm90IGEgY29va2ll"}']) {
      const err = await expectClientError(() => fetchAs(cast.bob.client, route, { method: 'post', body }));
      expect(err.status_code, body).toBe(400);
    }
  });
});

describe('ephemeral posts with actions', () => {
  it('carry sealed cookies instead of integrations, and a click with the cookie reaches the integration', async () => {
    const command = await cast.alice.client.addCommand({ team_id: t.team.id, trigger: 'choose', url: receiver.url('/choose'), method: 'P' } as Command);
    receiver.on('/choose', () => ({
      body: {
        text: 'Pick one',
        attachments: [{ actions: [{ name: 'This one', type: 'button', integration: { url: receiver.url('/chosen'), context: { pick: 1 } } }] }],
      },
    }));
    receiver.on('/chosen', () => ({ body: { ephemeral_text: 'noted' } }));
    const events = after(bobSocket);
    await cast.bob.client.executeCommand('/choose', { channel_id: t.pub.id, team_id: t.team.id } as never);
    const eph = postOf(await bobSocket.waitFor('ephemeral_message', (e) => events(e) && postOf(e).message === 'Pick one'));
    expect(eph.type).toBe('system_ephemeral');
    const [action] = actionsOf(eph);
    expect(action.integration).toBeUndefined();
    expect(action.cookie).toMatch(/^[A-Za-z0-9+/]+=*$/);
    expect(JSON.stringify(eph)).not.toContain('/chosen');

    const seen = receiver.to('/chosen').length;
    await cast.bob.client.doPostActionWithCookie(eph.id, action.id, action.cookie!);
    const body = JSON.parse((await receiver.next('/chosen', seen)).body);
    expect(body).toMatchObject({ user_id: cast.bob.user.id, channel_id: t.pub.id, post_id: eph.id, type: 'button', context: { pick: 1 } });
    const noted = postOf(await bobSocket.waitFor('ephemeral_message', (e) => events(e) && postOf(e).message === 'noted'));
    expect(noted).toMatchObject({ root_id: eph.id, props: { from_webhook: 'true' } });

    // The cookie is bound to its post and sealed: another post id or a changed cookie is refused.
    const otherPost = await expectClientError(() => cast.bob.client.doPostActionWithCookie('b'.repeat(26), action.id, action.cookie!));
    expect([otherPost.status_code, otherPost.server_error_id]).toEqual([400, 'api.post.do_action.action_integration.app_error']);
    const tampered = action.cookie!.slice(0, -6) + (action.cookie!.endsWith('AAAA==') ? 'BBBB==' : 'AAAA==');
    const forged = await expectClientError(() => cast.bob.client.doPostActionWithCookie(eph.id, action.id, tampered));
    expect([forged.status_code, forged.server_error_id]).toEqual([400, 'api.post.do_action.action_integration.app_error']);
    // Someone who cannot read the cookie's channel cannot use it.
    const carol = await expectClientError(() => cast.carol.client.doPostActionWithCookie(eph.id, action.id, action.cookie!));
    expect([carol.status_code, carol.server_error_id]).toEqual([403, PERMISSION]);
    await cast.alice.client.deleteCommand(command.id);
  });
});

describe('dialogs', () => {
  const dialog = {
    callback_id: 'cb1',
    title: 'Deploy',
    introduction_text: 'Pick a target',
    elements: [
      { display_name: 'Target', name: 'target', type: 'select', options: [{ text: 'Prod', value: 'prod' }], default: 'prod' },
      { display_name: 'Reason', name: 'reason', type: 'textarea', optional: true, max_length: 300 },
    ],
    submit_label: 'Go',
    state: 'opaque',
  };

  /** A trigger id for `who`, as an integration gets one: from a click on bob's button. */
  async function triggerIdFor(who: Client4): Promise<{ triggerId: string; clientId: string }> {
    const post = await interactivePost('/trigger');
    receiver.on('/trigger', () => ({ body: {} }));
    const seen = receiver.to('/trigger').length;
    const answer = await who.doPostAction(post.id, actionsOf(post)[0].id);
    const body = JSON.parse((await receiver.next('/trigger', seen)).body);
    return { triggerId: body.trigger_id, clientId: (answer as { trigger_id: string }).trigger_id };
  }

  it('opens for the trigger id’s user only, whoever asks, with the dialog as Mattermost sends it', async () => {
    const { triggerId, clientId } = await triggerIdFor(cast.bob.client);
    const bobEvents = after(bobSocket);
    const daveEvents = after(daveSocket);
    // The integration calls without a session (APIHandler), or as anyone: the dialog still goes to bob.
    expect(await openDialog(clientFor(server.url), { trigger_id: triggerId, url: receiver.url('/dialog'), dialog })).toEqual({ status: 'OK' });
    const event = await bobSocket.waitFor('open_dialog', bobEvents);
    expect(event.broadcast.user_id).toBe(cast.bob.user.id);
    expect(JSON.parse(event.data.dialog)).toEqual({
      trigger_id: clientId,
      url: receiver.url('/dialog'),
      dialog: {
        callback_id: 'cb1',
        title: 'Deploy',
        introduction_text: 'Pick a target',
        icon_url: '',
        elements: [
          {
            display_name: 'Target',
            name: 'target',
            type: 'select',
            subtype: '',
            default: 'prod',
            placeholder: '',
            help_text: '',
            optional: false,
            min_length: 0,
            max_length: 0,
            data_source: '',
            options: [{ text: 'Prod', value: 'prod' }],
            multiselect: false,
          },
          {
            display_name: 'Reason',
            name: 'reason',
            type: 'textarea',
            subtype: '',
            default: '',
            placeholder: '',
            help_text: '',
            optional: true,
            min_length: 0,
            max_length: 300,
            data_source: '',
            options: null,
            multiselect: false,
          },
        ],
        submit_label: 'Go',
        notify_on_cancel: false,
        state: 'opaque',
      },
    });
    await openDialog(cast.dave.client, { trigger_id: triggerId, url: receiver.url('/dialog'), dialog });
    await bobSocket.waitFor('open_dialog', (e) => bobEvents(e) && e !== event);
    await daveSocket.expectNone('open_dialog', daveEvents, 300);
  });

  it('refuses forged, malformed and expired trigger ids, and bodies that do not decode, with 400s', async () => {
    const { triggerId } = await triggerIdFor(cast.bob.client);
    const [clientId, , millis, signature] = Buffer.from(triggerId, 'base64').toString().split(':');
    const forgedUser = Buffer.from(`${clientId}:${cast.dave.user.id}:${millis}:${signature}`).toString('base64');
    const cases: Array<[unknown, string]> = [
      [{ trigger_id: forgedUser, url: receiver.url('/d'), dialog }, 'interactive_message.decode_trigger_id.verify_signature_failed'],
      [{ trigger_id: '***', url: receiver.url('/d'), dialog }, 'interactive_message.decode_trigger_id.base64_decode_failed'],
      [{ trigger_id: Buffer.from('a:b:c').toString('base64'), url: receiver.url('/d'), dialog }, 'interactive_message.decode_trigger_id.missing_data'],
      [
        { trigger_id: Buffer.from(`${clientId}:${cast.bob.user.id}:1:${signature}`).toString('base64'), url: receiver.url('/d'), dialog },
        'interactive_message.decode_trigger_id.expired',
      ],
      [{ trigger_id: triggerId, url: '', dialog }, 'api.context.invalid_body_param.app_error'],
      [{ trigger_id: triggerId, url: receiver.url('/d'), dialog: { title: 5 } }, 'api.context.invalid_body_param.app_error'],
      [{ trigger_id: triggerId, url: receiver.url('/d'), dialog: { elements: [{ min_length: 'x' }] } }, 'api.context.invalid_body_param.app_error'],
      ['just a string', 'api.context.invalid_body_param.app_error'],
    ];
    for (const [body, id] of cases) {
      const err = await expectClientError(() => openDialog(clientFor(server.url), body));
      expect([err.status_code, err.server_error_id], JSON.stringify(body).slice(0, 80)).toEqual([400, id]);
    }
  });

  it('expires a trigger id after OutgoingIntegrationRequestsTimeout', async () => {
    const { triggerId } = await triggerIdFor(cast.bob.client);
    await cast.admin.client.patchConfig({ ServiceSettings: { OutgoingIntegrationRequestsTimeout: 1 } } as never);
    try {
      await sleep(1200);
      const err = await expectClientError(() => openDialog(clientFor(server.url), { trigger_id: triggerId, url: receiver.url('/d'), dialog }));
      expect([err.status_code, err.server_error_id]).toEqual([400, 'interactive_message.decode_trigger_id.expired']);
    } finally {
      await cast.admin.client.patchConfig({ ServiceSettings: { OutgoingIntegrationRequestsTimeout: 30 } } as never);
    }
  });

  it('submits to the dialog URL and returns the integration’s errors', async () => {
    receiver.on('/submit', (req) =>
      JSON.parse(req.body).submission.target === 'prod' ? { body: { errors: { target: 'Prod is frozen' }, ignored: 1 } } : { body: '' },
    );
    const seen = receiver.to('/submit').length;
    const submission = {
      url: receiver.url('/submit'),
      callback_id: 'cb1',
      state: 'opaque',
      channel_id: t.pub.id,
      team_id: t.team.id,
      submission: { target: 'prod', n: 2 },
      cancelled: false,
      user_id: 'spoofed',
    };
    const answer = await cast.bob.client.submitInteractiveDialog(submission as never);
    expect(answer).toEqual({ errors: { target: 'Prod is frozen' } });
    const req = await receiver.next('/submit', seen);
    expect([req.method, req.headers['content-type']]).toEqual(['POST', 'application/json']);
    const body = JSON.parse(req.body);
    expect(Object.keys(body)).toEqual(['type', 'callback_id', 'state', 'user_id', 'channel_id', 'team_id', 'submission', 'cancelled']);
    expect(body).toEqual({
      type: 'dialog_submission',
      callback_id: 'cb1',
      state: 'opaque',
      user_id: cast.bob.user.id,
      channel_id: t.pub.id,
      team_id: t.team.id,
      submission: { target: 'prod', n: 2 },
      cancelled: false,
    });
    expect(await cast.bob.client.submitInteractiveDialog({ ...submission, submission: { target: 'staging' } } as never)).toEqual({});

    const hidden = await expectClientError(() => cast.dave.client.submitInteractiveDialog({ ...submission, channel_id: t.priv.id } as never));
    expect([hidden.status_code, hidden.server_error_id]).toEqual([403, PERMISSION]);
    const noUrl = await expectClientError(() => cast.bob.client.submitInteractiveDialog({ ...submission, url: '' } as never));
    expect([noUrl.status_code, noUrl.server_error_id]).toEqual([400, 'api.context.invalid_body_param.app_error']);
    const badTypes = await expectClientError(() => cast.bob.client.submitInteractiveDialog({ ...submission, cancelled: 'no' } as never));
    expect(badTypes.status_code).toBe(400);
    receiver.on('/submit', () => ({ status: 502, body: 'bad gateway' }));
    const failing = await expectClientError(() => cast.bob.client.submitInteractiveDialog(submission as never));
    expect([failing.status_code, failing.server_error_id]).toEqual([400, 'api.post.do_action.action_integration.app_error']);
    const anonymous = await expectClientError(() => clientFor(server.url).submitInteractiveDialog(submission as never));
    expect(anonymous.status_code).toBe(401);
  });
});
