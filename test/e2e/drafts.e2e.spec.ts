/**
 * Drafts synced across devices, through Mattermost's own Client4 and WebSocketClient: saving,
 * listing per team, deleting, the events to the owner's other devices, a new post clearing its
 * draft, and everything a user may not do (above all: nobody ever sees another user's drafts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client4 } from '@mattermost/client';
import type { Channel } from '@mattermost/types/channels';
import type { Draft } from '@mattermost/types/drafts';
import { expectClientError, eventually, type TestSocket } from '#testing';
import { PERMISSION, post, startChannelSuite, stopChannelSuite, type ChannelSuite } from './fixtures.js';

let s: ChannelSuite;
/** Two of alice's devices. */
let aliceA: TestSocket;
let aliceB: TestSocket;

beforeAll(async () => {
  s = await startChannelSuite({
    team: { name: 'drafts-team', display_name: 'Drafts' },
    pub: { name: 'drafts-pub', display_name: 'Drafts public' },
    priv: { name: 'drafts-priv', display_name: 'Drafts private' },
  });
  aliceA = await s.server.socket(s.alice.client);
  aliceB = await s.server.socket(s.alice.client);
});
afterAll(async () => {
  aliceA?.close();
  aliceB?.close();
  await stopChannelSuite(s);
});

const connectionId = (socket: TestSocket): string => socket.events.find((e) => e.event === 'hello')!.data.connection_id;
const draft = (channelId: string, message: string, extra: Partial<Draft> = {}) =>
  ({ channel_id: channelId, root_id: '', message, props: {}, ...extra }) as Draft;
const eventDraft = (e: { data: Record<string, any> }): Draft => JSON.parse(e.data.draft);
const raw = (c: Client4, url: string, method: string, body?: unknown): Promise<any> =>
  (c as any).doFetch(url, { method, body: body === undefined ? undefined : JSON.stringify(body) });

describe('saving and listing drafts', () => {
  it('saves a draft (201, Mattermost shape) and tells the owner’s other devices, not the one that saved it', async () => {
    const saved = await s.alice.client.upsertDraft(draft(s.pub.id, 'half a thought', { props: { k: 'v' } }), connectionId(aliceA));
    expect(saved).toEqual({
      create_at: expect.any(Number),
      update_at: expect.any(Number),
      delete_at: 0,
      user_id: s.alice.user.id,
      channel_id: s.pub.id,
      root_id: '',
      message: 'half a thought',
      props: { k: 'v' },
      metadata: {},
    });
    const ev = await aliceB.waitFor('draft_created', (e) => eventDraft(e).message === 'half a thought');
    expect(ev.broadcast.user_id).toBe(s.alice.user.id);
    expect(ev.broadcast.channel_id).toBe(s.pub.id);
    expect(eventDraft(ev)).toEqual(saved);
    await aliceA.expectNone('draft_created', (e) => eventDraft(e).message === 'half a thought', 300);
    // bob is in that channel: still, a draft is nobody else's business.
    await s.sockets[0].expectNone('draft_created', () => true, 200);
  });

  it('overwrites the same (channel, thread) draft, keeping its create_at', async () => {
    const first = await s.alice.client.upsertDraft(draft(s.priv.id, 'v1'), '');
    const second = await s.alice.client.upsertDraft(draft(s.priv.id, 'v2'), '');
    expect(second.create_at).toBe(first.create_at);
    expect(second.update_at).toBeGreaterThanOrEqual(first.update_at);
    const list = await s.alice.client.getUserDrafts(s.team.id);
    expect(list.filter((d) => d.channel_id === s.priv.id && d.root_id === '').map((d) => d.message)).toEqual(['v2']);
  });

  it('lists the team’s channel drafts and the DM drafts, newest first, thread drafts apart', async () => {
    // (Posting the root clears alice's channel draft there, so it is saved again after.)
    const root = await post(s.alice.client, s.pub.id, 'a thread');
    await s.alice.client.upsertDraft(draft(s.pub.id, 'channel draft'), '');
    await s.alice.client.upsertDraft(draft(s.pub.id, 'reply draft', { root_id: root.id }), '');
    await s.alice.client.upsertDraft(draft(s.dm.id, 'dm draft'), '');
    const list = await s.alice.client.getUserDrafts(s.team.id);
    expect(list[0]).toMatchObject({ channel_id: s.dm.id, message: 'dm draft' });
    expect(list.map((d) => [d.channel_id, d.root_id])).toEqual(
      expect.arrayContaining([
        [s.pub.id, ''],
        [s.pub.id, root.id],
        [s.priv.id, ''],
        [s.dm.id, ''],
      ]),
    );
    for (let i = 1; i < list.length; i++) expect(list[i - 1].update_at).toBeGreaterThanOrEqual(list[i].update_at);
    expect(list.every((d) => d.user_id === s.alice.user.id)).toBe(true);
  });

  it('an empty message deletes the draft and answers null', async () => {
    await s.alice.client.upsertDraft(draft(s.pub.id, 'to be emptied', { root_id: '' }), '');
    expect(await s.alice.client.upsertDraft(draft(s.pub.id, ''), '')).toBeNull();
    const list = await s.alice.client.getUserDrafts(s.team.id);
    expect(list.some((d) => d.channel_id === s.pub.id && d.root_id === '')).toBe(false);
  });

  it('announces AllowSyncedDrafts in the client config', async () => {
    const config = await s.alice.client.getClientConfig();
    expect(config.AllowSyncedDrafts).toBe('true');
  });
});

describe('nobody sees another user’s drafts', () => {
  it('bob’s list holds only bob’s drafts, whatever user id the URL names', async () => {
    await s.alice.client.upsertDraft(draft(s.dm.id, 'secret from alice'), '');
    await s.bob.client.upsertDraft(draft(s.dm.id, 'bob in the same DM'), '');
    const mine = await s.bob.client.getUserDrafts(s.team.id);
    expect(mine.map((d) => d.message)).toEqual(['bob in the same DM']);
    const viaAlicesUrl: Draft[] = await raw(s.bob.client, `${s.bob.client.getUserRoute(s.alice.user.id)}/teams/${s.team.id}/drafts`, 'get');
    expect(viaAlicesUrl.map((d) => d.user_id)).toEqual([s.bob.user.id]);
  });

  it('bob deleting “alice’s” draft only ever deletes his own', async () => {
    await raw(s.bob.client, `${s.bob.client.getUserRoute(s.alice.user.id)}/channels/${s.dm.id}/drafts`, 'delete');
    const alices = await s.alice.client.getUserDrafts(s.team.id);
    expect(alices.some((d) => d.channel_id === s.dm.id && d.message === 'secret from alice')).toBe(true);
    expect(await s.bob.client.getUserDrafts(s.team.id)).toEqual([]);
  });

  it('a channel left is a draft no longer listed', async () => {
    const side = await s.alice.client.createChannel({ team_id: s.team.id, name: 'drafts-side', display_name: 'Side', type: 'O' } as Channel);
    await s.alice.client.addToChannel(s.bob.user.id, side.id);
    await s.bob.client.upsertDraft(draft(side.id, 'before leaving'), '');
    expect((await s.bob.client.getUserDrafts(s.team.id)).map((d) => d.channel_id)).toContain(side.id);
    await s.bob.client.removeFromChannel(s.bob.user.id, side.id);
    expect((await s.bob.client.getUserDrafts(s.team.id)).map((d) => d.channel_id)).not.toContain(side.id);
  });
});

describe('what a user may not draft', () => {
  it('refuses a channel the user cannot post in (403 create_post), a team they are not on, and a missing channel', async () => {
    const notMember = await expectClientError(() => s.dave.client.upsertDraft(draft(s.priv.id, 'x'), ''));
    expect([notMember.status_code, notMember.server_error_id]).toEqual([403, PERMISSION]);
    const missing = await expectClientError(() => s.admin.client.upsertDraft(draft('a'.repeat(26), 'x'), ''));
    expect([missing.status_code, missing.server_error_id]).toEqual([403, PERMISSION]);
    const offTeam = await expectClientError(() => s.carol.client.getUserDrafts(s.team.id));
    expect([offTeam.status_code, offTeam.server_error_id]).toEqual([403, PERMISSION]);
  });

  it('refuses bad drafts with Mattermost’s 400s', async () => {
    const long = await expectClientError(() => s.alice.client.upsertDraft(draft(s.pub.id, 'x'.repeat(16384)), ''));
    expect([long.status_code, long.server_error_id]).toEqual([400, 'model.draft.is_valid.message_length.app_error']);
    const badRoot = await expectClientError(() => s.alice.client.upsertDraft(draft(s.pub.id, 'x', { root_id: 'nope' }), ''));
    expect([badRoot.status_code, badRoot.server_error_id]).toEqual([400, 'model.draft.is_valid.root_id.app_error']);
    const badBody = await expectClientError(() => raw(s.alice.client, `${s.alice.client.getBaseRoute()}/drafts`, 'post', { channel_id: s.pub.id, message: 5 }));
    expect([badBody.status_code, badBody.server_error_id]).toEqual([400, 'api.context.invalid_body_param.app_error']);
  });

  it('refuses an archived channel', async () => {
    const old = await s.alice.client.createChannel({ team_id: s.team.id, name: 'drafts-old', display_name: 'Old', type: 'O' } as Channel);
    await s.alice.client.deleteChannel(old.id);
    const err = await expectClientError(() => s.alice.client.upsertDraft(draft(old.id, 'x'), ''));
    expect([err.status_code, err.server_error_id]).toEqual([400, 'api.draft.create_draft.can_not_draft_to_deleted.error']);
  });
});

describe('deleting drafts', () => {
  it('deletes a channel draft and a thread draft, with draft_deleted to the other devices', async () => {
    const root = await post(s.alice.client, s.priv.id, 'thread in private');
    await s.alice.client.upsertDraft(draft(s.priv.id, 'thread draft', { root_id: root.id }), '');
    expect(await s.alice.client.deleteDraft(s.priv.id, root.id, connectionId(aliceA))).toEqual({ status: 'OK' });
    const ev = await aliceB.waitFor('draft_deleted', (e) => eventDraft(e).root_id === root.id);
    expect(eventDraft(ev)).toMatchObject({ channel_id: s.priv.id, root_id: root.id, message: 'thread draft', user_id: s.alice.user.id });
    await aliceA.expectNone('draft_deleted', (e) => eventDraft(e).root_id === root.id, 300);

    await s.alice.client.upsertDraft(draft(s.priv.id, 'channel draft'), '');
    await s.alice.client.deleteDraft(s.priv.id, undefined, '');
    const list = await s.alice.client.getUserDrafts(s.team.id);
    expect(list.some((d) => d.channel_id === s.priv.id)).toBe(false);
  });

  it('deleting a draft that is not there is OK', async () => {
    expect(await s.alice.client.deleteDraft(s.priv.id, 'b'.repeat(26), '')).toEqual({ status: 'OK' });
  });

  it('posting clears the author’s draft for that channel and thread, on every device', async () => {
    await s.alice.client.upsertDraft(draft(s.pub.id, 'about to send'), '');
    await s.bob.client.upsertDraft(draft(s.pub.id, 'bob keeps his'), '');
    await post(s.alice.client, s.pub.id, 'about to send');
    await aliceB.waitFor('draft_deleted', (e) => eventDraft(e).message === 'about to send');
    await eventually(async () => {
      const list = await s.alice.client.getUserDrafts(s.team.id);
      expect(list.some((d) => d.channel_id === s.pub.id && d.root_id === '')).toBe(false);
    }, 3000);
    expect((await s.bob.client.getUserDrafts(s.team.id)).map((d) => d.message)).toEqual(['bob keeps his']);
  });
});

describe('a deleted thread', () => {
  it('takes the reply drafts of everyone in it along', async () => {
    const root = await post(s.alice.client, s.pub.id, 'a thread that goes away');
    await s.alice.client.upsertDraft(draft(s.pub.id, 'alice answering', { root_id: root.id }), '');
    await s.bob.client.upsertDraft(draft(s.pub.id, 'bob answering', { root_id: root.id }), '');
    await s.alice.client.deletePost(root.id);
    await eventually(async () => {
      for (const c of [s.alice.client, s.bob.client]) expect((await c.getUserDrafts(s.team.id)).some((d) => d.root_id === root.id)).toBe(false);
    }, 3000);
  });
});

describe('ServiceSettings.AllowSyncedDrafts off', () => {
  it('answers 501 api.drafts.disabled.app_error on every route and says so in the client config', async () => {
    await s.admin.client.patchConfig({ ServiceSettings: { AllowSyncedDrafts: false } } as any);
    try {
      for (const call of [
        () => s.alice.client.upsertDraft(draft(s.pub.id, 'x'), ''),
        () => s.alice.client.getUserDrafts(s.team.id),
        () => s.alice.client.deleteDraft(s.pub.id, undefined, ''),
      ]) {
        const err = await expectClientError(call);
        expect([err.status_code, err.server_error_id]).toEqual([501, 'api.drafts.disabled.app_error']);
      }
      expect((await s.alice.client.getClientConfig()).AllowSyncedDrafts).toBe('false');
    } finally {
      await s.admin.client.patchConfig({ ServiceSettings: { AllowSyncedDrafts: true } } as any);
    }
  });
});
