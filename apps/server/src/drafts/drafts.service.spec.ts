import { beforeEach, describe, expect, it } from 'vitest';
import { AppError, newId } from '#common';
import { noSql } from '#testing';
import { ChannelsTestbed } from '../channels/in-memory-channels.js';
import type { Session } from '../common/session.js';
import { DraftInput } from './draft.model.js';
import { DraftsService } from './drafts.service.js';
import { MemoryDrafts } from './in-memory-drafts.js';

const input = (channelId: string, message: string, extra: Partial<DraftInput> = {}): DraftInput => ({
  channel_id: channelId,
  root_id: '',
  message,
  props: {},
  file_ids: [],
  priority: {},
  create_at: 0,
  ...extra,
});

async function refusal(p: Promise<unknown>): Promise<[number, string]> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof AppError)) throw new Error(`expected an AppError, got ${String(err)}`);
  return [err.statusCode, err.id];
}

describe('DraftsService', () => {
  let bed: ChannelsTestbed;
  let drafts: MemoryDrafts;
  let service: DraftsService;
  let team: string;
  let alice: Session;
  let bob: Session;
  let dave: Session;
  let outsider: Session;
  let pub: string;
  let priv: string;

  beforeEach(() => {
    bed = new ChannelsTestbed();
    drafts = new MemoryDrafts(bed);
    service = new DraftsService(drafts.asRepository(), bed.permissions, bed.channels.asRepository(), bed.configService, bed.publisher);
    team = bed.team();
    [alice, bob, dave, outsider] = [bed.user().session, bed.user().session, bed.user().session, bed.user().session];
    for (const s of [alice, bob, dave]) bed.joinTeam(team, s.user_id);
    const p = bed.channel(team, 'O');
    const q = bed.channel(team, 'P');
    for (const s of [alice, bob]) {
      bed.joinChannel(p, s.user_id);
      bed.joinChannel(q, s.user_id);
    }
    [pub, priv] = [p.id, q.id];
  });

  describe('who may save a draft', () => {
    it('a channel member may (create_post), and the event goes to them alone, minus the saving connection', async () => {
      const saved = await service.upsert(alice, input(priv, 'hello'), 'conn-1');
      expect(saved).toMatchObject({ user_id: alice.user_id, channel_id: priv, message: 'hello', metadata: {} });
      expect(bed.events).toHaveLength(1);
      expect(bed.events[0]).toMatchObject({ event: 'draft_created', broadcast: { user_id: alice.user_id, channel_id: priv, omit_connection_id: 'conn-1' } });
      expect(JSON.parse(bed.events[0].data.draft as string)).toEqual(saved);
    });

    it('a team member outside the channel may not, public or private (team_user has no create_post_public)', async () => {
      expect(await refusal(service.upsert(dave, input(pub, 'no'), ''))).toEqual([403, 'api.context.permissions.app_error']);
      expect(await refusal(service.upsert(dave, input(priv, 'no'), ''))).toEqual([403, 'api.context.permissions.app_error']);
      expect(await refusal(service.upsert(outsider, input(pub, 'no'), ''))).toEqual([403, 'api.context.permissions.app_error']);
    });

    it('a channel that does not exist is refused even to a system admin (403, as Mattermost)', async () => {
      const admin = bed.user('system_user system_admin').session;
      expect(await refusal(service.upsert(admin, input(newId(), 'x'), ''))).toEqual([403, 'api.context.permissions.app_error']);
    });

    it('an archived channel is a 400, a message past 16383 runes too', async () => {
      bed.channels.rows.get(pub)!.delete_at = 1;
      expect(await refusal(service.upsert(alice, input(pub, 'x'), ''))).toEqual([400, 'api.draft.create_draft.can_not_draft_to_deleted.error']);
      expect(await refusal(service.upsert(alice, input(priv, '😀'.repeat(16384)), ''))).toEqual([400, 'model.draft.is_valid.message_length.app_error']);
      expect(await service.upsert(alice, input(priv, '😀'.repeat(16383)), '')).not.toBeNull();
    });

    it('an empty message deletes the draft and answers null, without an event', async () => {
      await service.upsert(alice, input(priv, 'something'), '');
      bed.events.length = 0;
      expect(await service.upsert(alice, input(priv, ''), '')).toBeNull();
      expect(drafts.rows.size).toBe(0);
      expect(bed.events).toEqual([]);
    });
  });

  describe('whose drafts one sees', () => {
    it('lists only the caller’s own, in channels they still belong to, team and DMs', async () => {
      const dm = bed.channel('', 'D');
      bed.joinChannel(dm, alice.user_id);
      bed.joinChannel(dm, bob.user_id);
      await service.upsert(alice, input(pub, 'a1'), '');
      await service.upsert(alice, input(dm.id, 'a2'), '');
      await service.upsert(bob, input(pub, 'b1'), '');
      const otherTeam = bed.team();
      bed.joinTeam(otherTeam, alice.user_id);
      const elsewhere = bed.channel(otherTeam, 'O');
      bed.joinChannel(elsewhere, alice.user_id);
      await service.upsert(alice, input(elsewhere.id, 'other team'), '');

      expect((await service.list(alice, team)).map((d) => d.message).sort()).toEqual(['a1', 'a2']);
      expect((await service.list(bob, team)).map((d) => d.message)).toEqual(['b1']);

      await bed.channelMembers.delete(pub, alice.user_id);
      expect((await service.list(alice, team)).map((d) => d.message)).toEqual(['a2']);
    });

    it('listing needs view_team', async () => {
      expect(await refusal(service.list(outsider, team))).toEqual([403, 'api.context.permissions.app_error']);
    });

    it('deleting works on the caller’s own draft only', async () => {
      await service.upsert(alice, input(pub, 'alice keeps this'), '');
      await service.delete(bob, pub, '', '');
      expect(await drafts.get(alice.user_id, pub, '')).toBeDefined();
      bed.events.length = 0;
      await service.delete(alice, pub, '', 'conn-2');
      expect(await drafts.get(alice.user_id, pub, '')).toBeUndefined();
      expect(bed.events.map((e) => [e.event, e.broadcast.user_id, e.broadcast.omit_connection_id])).toEqual([['draft_deleted', alice.user_id, 'conn-2']]);
    });
  });

  describe('a new post', () => {
    it('clears its author’s draft for that channel and thread, and nobody else’s', async () => {
      const root = newId();
      await service.upsert(alice, input(pub, 'thread draft', { root_id: root }), '');
      await service.upsert(alice, input(pub, 'channel draft'), '');
      await service.upsert(bob, input(pub, 'bob’s'), '');
      bed.events.length = 0;
      await service.clearWithPost(noSql, alice.user_id, pub, root, Date.now());
      expect(await drafts.get(alice.user_id, pub, root)).toBeUndefined();
      expect(await drafts.get(alice.user_id, pub, '')).toBeDefined();
      expect(await drafts.get(bob.user_id, pub, '')).toBeDefined();
      expect(bed.events.map((e) => e.event)).toEqual(['draft_deleted']);
    });

    it('leaves a draft saved after the post was made', async () => {
      const postedAt = Date.now() - 1000;
      await service.upsert(alice, input(pub, 'typed after sending'), '');
      await service.clearWithPost(noSql, alice.user_id, pub, '', postedAt);
      expect(await drafts.get(alice.user_id, pub, '')).toBeDefined();
    });
  });

  describe('a deleted post', () => {
    it('takes everyone’s reply drafts in its thread with it, and only those', async () => {
      const root = newId();
      await service.upsert(alice, input(pub, 'alice replying', { root_id: root }), '');
      await service.upsert(bob, input(pub, 'bob replying', { root_id: root }), '');
      await service.upsert(bob, input(pub, 'bob in the channel'), '');
      service.clearThread(pub, root);
      await new Promise((r) => setTimeout(r, 0));
      expect([...drafts.rows.values()].map((d) => d.message)).toEqual(['bob in the channel']);
    });
  });

  describe('ServiceSettings.AllowSyncedDrafts off', () => {
    it('refuses every route with 501 and leaves drafts alone after a post', async () => {
      await service.upsert(alice, input(pub, 'kept'), '');
      bed.config.ServiceSettings.AllowSyncedDrafts = false;
      for (const call of [service.upsert(alice, input(pub, 'x'), ''), service.list(alice, team), service.delete(alice, pub, '', '')]) {
        expect(await refusal(call)).toEqual([501, 'api.drafts.disabled.app_error']);
      }
      await service.clearWithPost(noSql, alice.user_id, pub, '', Date.now());
      expect(drafts.rows.size).toBe(1);
    });
  });
});
