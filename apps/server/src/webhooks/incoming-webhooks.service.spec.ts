import { describe, expect, it } from 'vitest';
import { WebhooksTestbed } from './in-memory-webhooks.js';
import type { IncomingWebhookInput } from './incoming-webhooks.service.js';

const DENIED = { statusCode: 403, id: 'api.context.permissions.app_error' };

/** Team A: an admin, a member in both channels, a member in none, a guest; an outsider; a system admin. */
function setup() {
  const bed = new WebhooksTestbed();
  const team = bed.namedTeam('alpha');
  const [admin, member, bystander, guest, outsider, sysadmin] = [
    bed.user(),
    bed.user(),
    bed.user(),
    bed.user('system_guest'),
    bed.user(),
    bed.user('system_user system_admin'),
  ];
  bed.joinTeam(team, admin.user.id, 'admin');
  bed.joinTeam(team, member.user.id);
  bed.joinTeam(team, bystander.user.id);
  bed.joinTeam(team, guest.user.id, 'guest');
  const open = bed.channel(team, 'O', 'open');
  const closed = bed.channel(team, 'P', 'closed');
  for (const c of [open, closed]) bed.joinChannel(c, member.user.id);
  bed.joinChannel(open, admin.user.id);
  bed.joinChannel(open, guest.user.id);
  const input = (channelId: string, extra: Partial<IncomingWebhookInput> = {}): IncomingWebhookInput => ({
    channel_id: channelId,
    team_id: '',
    user_id: '',
    display_name: 'hook',
    description: '',
    username: '',
    icon_url: '',
    channel_locked: false,
    ...extra,
  });
  return { bed, team, admin, member, bystander, guest, outsider, sysadmin, open, closed, input, svc: bed.incoming };
}

describe('creating incoming webhooks', () => {
  it('is for team and system admins while EnableOnlyAdminIntegrations is on', async () => {
    const { admin, member, outsider, sysadmin, open, input, svc } = setup();
    await expect(svc.create(member.session, input(open.id))).rejects.toMatchObject(DENIED);
    await expect(svc.create(outsider.session, input(open.id))).rejects.toMatchObject(DENIED);
    await expect(svc.create(admin.session, input(open.id))).resolves.toMatchObject({ user_id: admin.user.id, channel_locked: false });
    await expect(svc.create(sysadmin.session, input(open.id))).resolves.toMatchObject({ user_id: sysadmin.user.id });
  });

  it('with it off lets members (not guests) create their own, locked to the channel', async () => {
    const { bed, member, guest, open, input, svc } = setup();
    bed.config.ServiceSettings.EnableOnlyAdminIntegrations = false;
    await expect(svc.create(member.session, input(open.id, { channel_locked: false }))).resolves.toMatchObject({
      user_id: member.user.id,
      channel_locked: true,
    });
    await expect(svc.create(guest.session, input(open.id))).rejects.toMatchObject(DENIED);
    // Someone else's hook still needs manage_others_incoming_webhooks.
    await expect(svc.create(member.session, input(open.id, { user_id: guest.user.id }))).rejects.toMatchObject(DENIED);
  });

  it('needs reading a private channel; the team admin outside it is refused', async () => {
    const { admin, member, sysadmin, closed, input, svc } = setup();
    await expect(svc.create(admin.session, input(closed.id))).rejects.toMatchObject(DENIED);
    await expect(svc.create(sysadmin.session, input(closed.id, { user_id: member.user.id }))).resolves.toMatchObject({ user_id: member.user.id });
  });

  it('drops the name and icon unless overrides are on, and checks the name', async () => {
    const { bed, admin, open, input, svc } = setup();
    await expect(svc.create(admin.session, input(open.id, { username: 'Bad Name', icon_url: 'http://x/i.png' }))).resolves.toMatchObject({
      username: '',
      icon_url: '',
    });
    bed.config.ServiceSettings.EnablePostUsernameOverride = true;
    bed.config.ServiceSettings.EnablePostIconOverride = true;
    await expect(svc.create(admin.session, input(open.id, { username: 'Bad Name' }))).rejects.toMatchObject({
      statusCode: 400,
      id: 'api.incoming_webhook.invalid_username.app_error',
    });
    await expect(svc.create(admin.session, input(open.id, { username: 'ci-bot', icon_url: 'http://x/i.png' }))).resolves.toMatchObject({
      username: 'ci-bot',
      icon_url: 'http://x/i.png',
    });
    await expect(svc.create(admin.session, input(open.id, { display_name: 'x'.repeat(65) }))).rejects.toMatchObject({
      statusCode: 400,
      id: 'model.incoming_hook.display_name.app_error',
    });
  });

  it('answers 404 for an unknown channel and 501 once permitted when the feature is off', async () => {
    const { bed, admin, member, open, input, svc } = setup();
    await expect(svc.create(admin.session, input('x'.repeat(26)))).rejects.toMatchObject({ statusCode: 404, id: 'app.channel.get.existing.app_error' });
    bed.config.ServiceSettings.EnableIncomingWebhooks = false;
    await expect(svc.create(member.session, input(open.id))).rejects.toMatchObject(DENIED);
    await expect(svc.create(admin.session, input(open.id))).rejects.toMatchObject({ statusCode: 501, id: 'api.incoming_webhook.disabled.app_error' });
  });
});

describe('reading, updating and deleting incoming webhooks', () => {
  it("needs manage_others for someone else's hook, and reading its private channel", async () => {
    const { bed, admin, member, sysadmin, open, closed, input, svc } = setup();
    bed.config.ServiceSettings.EnableOnlyAdminIntegrations = false;
    const mine = await svc.create(member.session, input(closed.id));
    const admins = await svc.create(admin.session, input(open.id));
    await expect(svc.get(member.session, mine.id)).resolves.toMatchObject({ id: mine.id });
    await expect(svc.get(member.session, admins.id)).rejects.toMatchObject(DENIED);
    // The team admin manages others' hooks, but not in a private channel they cannot read.
    await expect(svc.get(admin.session, mine.id)).rejects.toMatchObject({ ...DENIED, detailedError: expect.stringContaining('manage_own_incoming_webhooks') });
    await expect(svc.get(sysadmin.session, mine.id)).resolves.toMatchObject({ id: mine.id });
    await svc.delete(sysadmin.session, mine.id);
    await expect(svc.get(sysadmin.session, mine.id)).rejects.toMatchObject({ statusCode: 404, id: 'app.webhooks.get_incoming.app_error' });
  });

  it('updates keep owner, team and creation time; a channel of another team is refused', async () => {
    const { bed, admin, open, input, svc } = setup();
    const hook = await svc.create(admin.session, input(open.id));
    const otherTeam = bed.team();
    const elsewhere = bed.channel(otherTeam);
    await expect(svc.update(admin.session, hook.id, input(elsewhere.id))).rejects.toMatchObject({
      statusCode: 400,
      id: 'api.context.invalid_body_param.app_error',
    });
    await expect(svc.update(admin.session, hook.id, input(open.id, { team_id: otherTeam }))).rejects.toMatchObject({
      statusCode: 400,
      id: 'api.webhook.team_mismatch.app_error',
    });
    const updated = await svc.update(admin.session, hook.id, input(open.id, { display_name: 'renamed', user_id: 'ignored' }));
    expect(updated).toMatchObject({ id: hook.id, user_id: admin.user.id, team_id: hook.team_id, create_at: hook.create_at, display_name: 'renamed' });
  });

  it('lists a team: own hooks, everyone’s with manage_others; across teams from the system roles', async () => {
    const { bed, team, admin, member, sysadmin, open, input, svc } = setup();
    bed.config.ServiceSettings.EnableOnlyAdminIntegrations = false;
    const mine = await svc.create(member.session, input(open.id));
    const admins = await svc.create(admin.session, input(open.id));
    const ids = async (s: typeof member.session, teamId: string) => (await svc.list(s, teamId, 0, 60)).hooks.map((h) => h.id).sort();
    expect(await ids(member.session, team)).toEqual([mine.id]);
    expect(await ids(admin.session, team)).toEqual([mine.id, admins.id].sort());
    expect(await ids(member.session, '')).toEqual([mine.id]);
    expect(await ids(sysadmin.session, '')).toEqual([mine.id, admins.id].sort());
    expect(await (await svc.list(admin.session, team, 0, 1)).total()).toBe(2);
    bed.config.ServiceSettings.EnableOnlyAdminIntegrations = true;
    await expect(svc.list(member.session, team, 0, 60)).rejects.toMatchObject(DENIED);
    await expect(svc.list(admin.session, '', 0, 60)).rejects.toMatchObject(DENIED);
  });
});
