import { describe, expect, it } from 'vitest';
import { WebhooksTestbed } from './in-memory-webhooks.js';
import type { OutgoingWebhookInput } from './outgoing-webhooks.service.js';

const DENIED = { statusCode: 403, id: 'api.context.permissions.app_error' };

function setup() {
  const bed = new WebhooksTestbed();
  const team = bed.namedTeam('alpha');
  const [admin, member, outsider, sysadmin] = [bed.user(), bed.user(), bed.user(), bed.user('system_user system_admin')];
  bed.joinTeam(team, admin.user.id, 'admin');
  bed.joinTeam(team, member.user.id);
  const open = bed.channel(team, 'O', 'open');
  const closed = bed.channel(team, 'P', 'closed');
  bed.joinChannel(open, member.user.id);
  let n = 0;
  const input = (extra: Partial<OutgoingWebhookInput> = {}): OutgoingWebhookInput => ({
    team_id: team,
    channel_id: '',
    creator_id: '',
    trigger_words: [`word${++n}`],
    trigger_when: 0,
    callback_urls: [`http://cb.test/${n}`],
    display_name: '',
    description: '',
    content_type: 'application/json',
    username: '',
    icon_url: '',
    ...extra,
  });
  return { bed, team, admin, member, outsider, sysadmin, open, closed, input, svc: bed.outgoing };
}

describe('outgoing webhooks', () => {
  it('are created by admins (members too with EnableOnlyAdminIntegrations off), with a fresh token', async () => {
    const { bed, admin, member, outsider, input, svc } = setup();
    await expect(svc.create(member.session, input())).rejects.toMatchObject(DENIED);
    const hook = await svc.create(admin.session, input({ creator_id: '' }));
    expect(hook).toMatchObject({ creator_id: admin.user.id, delete_at: 0 });
    expect(hook.token).toHaveLength(26);
    bed.config.ServiceSettings.EnableOnlyAdminIntegrations = false;
    await expect(svc.create(member.session, input())).resolves.toMatchObject({ creator_id: member.user.id });
    await expect(svc.create(member.session, input({ creator_id: admin.user.id }))).rejects.toMatchObject(DENIED);
    await expect(svc.create(outsider.session, input())).rejects.toMatchObject(DENIED);
  });

  it('watch a public channel of their team, or need trigger words; the same channel, URL and word twice is refused', async () => {
    const { bed, admin, open, closed, input, svc } = setup();
    await expect(svc.create(admin.session, input({ trigger_words: [] }))).rejects.toMatchObject({
      statusCode: 400,
      id: 'api.webhook.create_outgoing.triggers.app_error',
    });
    await expect(svc.create(admin.session, input({ channel_id: closed.id }))).rejects.toMatchObject({
      statusCode: 403,
      id: 'api.outgoing_webhook.disabled.app_error',
    });
    const elsewhere = bed.channel(bed.team());
    await expect(svc.create(admin.session, input({ channel_id: elsewhere.id }))).rejects.toMatchObject({
      statusCode: 403,
      id: 'api.webhook.create_outgoing.permissions.app_error',
    });
    await expect(svc.create(admin.session, input({ channel_id: open.id, trigger_words: [] }))).resolves.toMatchObject({ channel_id: open.id });
    const a = await svc.create(admin.session, input({ trigger_words: ['go'], callback_urls: ['http://cb.test/same'] }));
    await expect(svc.create(admin.session, input({ trigger_words: ['go', 'x'], callback_urls: ['http://cb.test/same'] }))).rejects.toMatchObject({
      statusCode: 400,
      id: 'api.webhook.create_outgoing.intersect.app_error',
    });
    // An update may keep its own words and URLs.
    await expect(svc.update(admin.session, a.id, input({ id: a.id, trigger_words: ['go'], callback_urls: ['http://cb.test/same'] }))).resolves.toMatchObject({
      id: a.id,
    });
  });

  it('validate as model.OutgoingWebhook.IsValid', async () => {
    const { admin, input, svc } = setup();
    const refused = (extra: Partial<OutgoingWebhookInput>, id: string) =>
      expect(svc.create(admin.session, input(extra))).rejects.toMatchObject({ statusCode: 400, id });
    await refused({ callback_urls: [] }, 'model.outgoing_hook.is_valid.callback.app_error');
    await refused({ callback_urls: ['ftp://x.test'] }, 'model.outgoing_hook.is_valid.url.app_error');
    await refused({ callback_urls: ['http://'] }, 'model.outgoing_hook.is_valid.url.app_error');
    await refused({ trigger_words: ['ok', ''] }, 'model.outgoing_hook.is_valid.trigger_words.app_error');
    await refused({ trigger_words: ['w'.repeat(1100)] }, 'model.outgoing_hook.is_valid.words.app_error');
    await refused({ trigger_when: 2 }, 'model.outgoing_hook.is_valid.content_type.app_error');
    await refused({ display_name: 'd'.repeat(65) }, 'model.outgoing_hook.is_valid.display_name.app_error');
    await refused({ description: 'd'.repeat(501) }, 'model.outgoing_hook.is_valid.description.app_error');
    await refused({ username: 'u'.repeat(65) }, 'model.outgoing_hook.username.app_error');
  });

  it('are read, updated, regenerated and deleted by their creator or with manage_others', async () => {
    const { bed, admin, member, sysadmin, input, svc } = setup();
    bed.config.ServiceSettings.EnableOnlyAdminIntegrations = false;
    const mine = await svc.create(member.session, input());
    const admins = await svc.create(admin.session, input());
    await expect(svc.get(member.session, admins.id)).rejects.toMatchObject(DENIED);
    await expect(svc.regenToken(member.session, admins.id)).rejects.toMatchObject(DENIED);
    const regen = await svc.regenToken(admin.session, mine.id);
    expect(regen.token).not.toBe(mine.token);
    const updated = await svc.update(member.session, mine.id, input({ id: mine.id, display_name: 'renamed', creator_id: admin.user.id }));
    expect(updated).toMatchObject({ creator_id: member.user.id, token: regen.token, display_name: 'renamed', create_at: mine.create_at });
    await svc.delete(sysadmin.session, mine.id);
    await expect(svc.get(admin.session, mine.id)).rejects.toMatchObject({ statusCode: 404, id: 'app.webhooks.get_outgoing.app_error' });
  });

  it('list by channel, team or every team, own hooks unless manage_others', async () => {
    const { bed, team, admin, member, sysadmin, open, input, svc } = setup();
    bed.config.ServiceSettings.EnableOnlyAdminIntegrations = false;
    const mine = await svc.create(member.session, input({ channel_id: open.id }));
    const admins = await svc.create(admin.session, input());
    const ids = async (s: typeof member.session, channelId: string, teamId: string) => (await svc.list(s, channelId, teamId, 0, 60)).map((h) => h.id).sort();
    expect(await ids(member.session, '', team)).toEqual([mine.id]);
    expect(await ids(admin.session, '', team)).toEqual([mine.id, admins.id].sort());
    expect(await ids(admin.session, open.id, '')).toEqual([mine.id]);
    expect(await ids(member.session, open.id, '')).toEqual([mine.id]);
    expect(await ids(sysadmin.session, '', '')).toEqual([mine.id, admins.id].sort());
  });

  it('answer 501 when outgoing webhooks are off', async () => {
    const { bed, admin, input, svc } = setup();
    const hook = await svc.create(admin.session, input());
    bed.config.ServiceSettings.EnableOutgoingWebhooks = false;
    const off = { statusCode: 501, id: 'api.outgoing_webhook.disabled.app_error' };
    await expect(svc.create(admin.session, input())).rejects.toMatchObject(off);
    await expect(svc.get(admin.session, hook.id)).rejects.toMatchObject(off);
    await expect(svc.list(admin.session, '', bed.teamNames.keys().next().value!, 0, 60)).rejects.toMatchObject(off);
  });
});
