import { describe, expect, it } from 'vitest';
import { newId } from '#common';
import { defaultConfig } from '#config';
import type { EphemeralPostInput } from '../commands/ephemeral/ephemeral.service.js';
import type { Session } from '../common/session.js';
import { populateActionIds, withActionCookies } from '../posts/post-actions.js';
import { sealCookie } from './action-cookies.js';
import { memoryIntegrationKeys } from './integration-keys.service.js';
import { PostActionsService, type PostActionDeps } from './post-actions.service.js';

type Json = Record<string, unknown>;

/** A post with one button and one menu, in a channel the clicker may or may not read, and an integration that answers `answer`. */
function setup(answer: unknown = {}) {
  const keys = memoryIntegrationKeys();
  const clicker = { user_id: newId(), roles: 'system_user' } as Session;
  const channel = { id: newId(), name: 'ops', team_id: newId() };
  const integration = { url: 'https://i.test/act', context: { k: 'v' } };
  const post = {
    id: newId(),
    root_id: '',
    channel_id: channel.id,
    user_id: newId(),
    props: populateActionIds({
      from_webhook: 'true',
      attachments: [
        {
          actions: [
            { id: 'btn', name: 'Go', type: 'button', integration },
            { id: 'menu', name: 'Pick', type: 'select', data_source: 'channels', integration },
          ],
        },
      ],
    }),
  };
  const readable = new Set([channel.id]);
  const calls: Array<{ url: string; payload: Json }> = [];
  const updates: Array<{ postId: string; message: string; props: Json }> = [];
  const ephemerals: Array<{ userId: string; input: EphemeralPostInput }> = [];
  const deps: PostActionDeps = {
    config: { get: () => defaultConfig },
    permissions: { hasChannel: async (_s: Session, channelId: string) => readable.has(channelId) },
    posts: { byId: async (id: string) => (id === post.id ? (post as never) : undefined) },
    postsService: { updateFromIntegration: async (postId: string, message: string, props: Json) => void updates.push({ postId, message, props }) as never },
    channels: { byId: async (id: string) => (id === channel.id ? (channel as never) : undefined) },
    users: { byId: async (id: string) => (id === clicker.user_id ? ({ id, username: 'clicker' } as never) : undefined) },
    teams: { get: async (id: string) => ({ id, name: 'team-a' }) as never },
    ephemeral: { send: (userId: string, input: EphemeralPostInput) => void ephemerals.push({ userId, input }) as never },
    keys,
    request: async (url: string, payload: unknown) => {
      calls.push({ url, payload: payload as Json });
      return typeof answer === 'string' ? answer : JSON.stringify(answer);
    },
  };
  return { service: new PostActionsService(deps), keys, clicker, channel, post, readable, calls, updates, ephemerals, integration };
}

describe('a click on an action', () => {
  it('needs read_channel on the post’s channel; a missing post is that 403 too', async () => {
    const { service, clicker, post, readable } = setup();
    readable.clear();
    await expect(service.doAction(clicker, post.id, 'btn', { selected_option: '', cookie: '' })).rejects.toMatchObject({ statusCode: 403 });
    await expect(service.doAction(clicker, newId(), 'btn', { selected_option: '', cookie: '' })).rejects.toMatchObject({ statusCode: 403 });
  });

  it('sends Mattermost request and answers the client part of the trigger id', async () => {
    const { service, clicker, post, channel, calls, integration } = setup();
    const answer = await service.doAction(clicker, post.id, 'btn', { selected_option: 'ignored for buttons', cookie: '' });
    expect(calls).toHaveLength(1);
    expect(calls[0].url).toBe(integration.url);
    expect(calls[0].payload).toEqual({
      user_id: clicker.user_id,
      user_name: 'clicker',
      channel_id: channel.id,
      channel_name: 'ops',
      team_id: channel.team_id,
      team_domain: 'team-a',
      post_id: post.id,
      trigger_id: expect.any(String),
      type: 'button',
      data_source: '',
      context: { k: 'v' },
    });
    expect(
      Buffer.from(calls[0].payload.trigger_id as string, 'base64')
        .toString()
        .startsWith(`${answer.trigger_id}:${clicker.user_id}:`),
    ).toBe(true);
    await expect(service.doAction(clicker, post.id, 'nope', { selected_option: '', cookie: '' })).rejects.toMatchObject({
      statusCode: 404,
      id: 'api.post.do_action.action_id.app_error',
    });
  });

  it('a menu choice joins the context with its data source', async () => {
    const { service, clicker, post, calls } = setup();
    await service.doAction(clicker, post.id, 'menu', { selected_option: 'c1', cookie: '' });
    expect([calls[0].payload.data_source, calls[0].payload.context]).toEqual(['channels', { k: 'v', selected_option: 'c1' }]);
  });

  it('applies an update with the kept props, and an ephemeral text to the clicker in the thread', async () => {
    const { service, clicker, post, channel, updates, ephemerals } = setup({
      update: { message: 'done', props: { override_username: 'x', from_webhook: 'false', mine: 1 } },
      ephemeral_text: '<https://a.test|ok>',
    });
    await service.doAction(clicker, post.id, 'btn', { selected_option: '', cookie: '' });
    expect(updates).toEqual([{ postId: post.id, message: 'done', props: { mine: 1, from_webhook: 'true' } }]);
    expect(ephemerals).toEqual([
      {
        userId: clicker.user_id,
        input: { channel_id: channel.id, root_id: post.id, user_id: clicker.user_id, message: '[ok](https://a.test)', props: { from_webhook: 'true' } },
      },
    ]);
  });

  it('an update without props keeps the post’s; answers that do not decode are 400s', async () => {
    const kept = setup({ update: { message: 'm' } });
    await kept.service.doAction(kept.clicker, kept.post.id, 'btn', { selected_option: '', cookie: '' });
    expect(kept.updates[0].props).toBe(kept.post.props);
    for (const body of ['{', '[]', '{"update": 1}', '{"ephemeral_text": 2}', '{"update": {"props": []}}']) {
      const bad = setup(body);
      await expect(bad.service.doAction(bad.clicker, bad.post.id, 'btn', { selected_option: '', cookie: '' }), body).rejects.toMatchObject({
        statusCode: 400,
        id: 'api.post.do_action.action_integration.app_error',
      });
    }
  });

  it('an ephemeral post’s cookie stands for the post, bound to its id and channel', async () => {
    const { service, keys, clicker, channel, calls, readable, integration } = setup({ ephemeral_text: 'seen' });
    const ephemeralId = newId();
    const props = withActionCookies(
      { id: ephemeralId, channel_id: channel.id, root_id: '', props: { attachments: [{ actions: [{ id: 'e1', type: 'button', integration }] }] } },
      (c) => sealCookie(c, keys.cookieSecret),
    );
    const cookie = ((props.attachments as Json[])[0].actions as Json[])[0].cookie as string;
    await service.doAction(clicker, ephemeralId, 'e1', { selected_option: '', cookie });
    expect(calls[0].payload).toMatchObject({ post_id: ephemeralId, channel_id: channel.id, type: 'button', context: { k: 'v' } });
    await expect(service.doAction(clicker, newId(), 'e1', { selected_option: '', cookie })).rejects.toMatchObject({ statusCode: 400 });
    await expect(service.doAction(clicker, ephemeralId, 'e1', { selected_option: '', cookie: 'garbage' })).rejects.toMatchObject({ statusCode: 400 });
    readable.clear();
    await expect(service.doAction(clicker, ephemeralId, 'e1', { selected_option: '', cookie })).rejects.toMatchObject({ statusCode: 403 });
  });
});
