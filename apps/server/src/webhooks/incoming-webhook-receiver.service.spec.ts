import { describe, expect, it } from 'vitest';
import { WebhooksTestbed } from './in-memory-webhooks.js';
import { decodeIncomingRequest } from './webhook-payload.js';

function setup() {
  const bed = new WebhooksTestbed();
  const team = bed.namedTeam('alpha');
  const [owner, reader, stranger] = [bed.user(), bed.user(), bed.user()];
  bed.joinTeam(team, owner.user.id, 'admin');
  bed.joinTeam(team, reader.user.id);
  const open = bed.channel(team, 'O', 'open');
  const other = bed.channel(team, 'O', 'other');
  const closed = bed.channel(team, 'P', 'closed');
  bed.joinChannel(open, owner.user.id);
  const hook = async (extra: { channel_locked?: boolean; channel_id?: string } = {}) =>
    bed.incoming.create(owner.session, {
      channel_id: extra.channel_id ?? open.id,
      team_id: '',
      user_id: '',
      display_name: 'CI',
      description: '',
      username: 'hookname',
      icon_url: 'http://i.test/h.png',
      channel_locked: extra.channel_locked ?? false,
    });
  const receive = (id: string, payload: unknown) => bed.receiver.receive(id, decodeIncomingRequest(JSON.stringify(payload), id));
  return { bed, owner, reader, stranger, open, other, closed, hook, receive };
}

describe('receiving an incoming webhook', () => {
  it("posts as the hook's owner with from_webhook and the hook's display name; overrides only when on", async () => {
    const { bed, owner, open, hook, receive } = setup();
    const h = await hook();
    await receive(h.id, { text: 'hi', props: { x: 1, override_username: 'forged', from_webhook: 'no' } });
    expect(bed.integrationPosts.at(-1)).toMatchObject({ channel_id: open.id, message: 'hi', type: '', root_id: '', senderName: undefined });
    expect(bed.integrationPosts.at(-1)!.poster.id).toBe(owner.user.id);
    expect(bed.integrationPosts.at(-1)!.props).toEqual({ from_webhook: 'true', x: 1, webhook_display_name: 'CI' });
    bed.config.ServiceSettings.EnablePostUsernameOverride = true;
    bed.config.ServiceSettings.EnablePostIconOverride = true;
    await receive(h.id, { text: 'dressed', icon_emoji: 'tada' });
    // The hook was made with overrides off, so it kept no name or icon of its own.
    expect(bed.integrationPosts.at(-1)!.props).toEqual({
      from_webhook: 'true',
      override_username: 'webhook',
      override_icon_emoji: 'tada',
      webhook_display_name: 'CI',
    });
    expect(bed.integrationPosts.at(-1)!.senderName).toBe('webhook');
  });

  it('refuses in Mattermost’s order: off (501), no text (400), unknown hook (400)', async () => {
    const { bed, hook, receive } = setup();
    const h = await hook();
    await expect(receive('x'.repeat(26), { text: 'x' })).rejects.toMatchObject({ statusCode: 400, id: 'web.incoming_webhook.invalid.app_error' });
    await expect(receive('x'.repeat(26), { text: '' })).rejects.toMatchObject({ statusCode: 400, id: 'web.incoming_webhook.text.app_error' });
    // An empty list of attachments is not "no attachments".
    await expect(receive(h.id, { attachments: [] })).resolves.toBeUndefined();
    bed.config.ServiceSettings.EnableIncomingWebhooks = false;
    await expect(receive(h.id, { text: 'x' })).rejects.toMatchObject({ statusCode: 501, id: 'web.incoming_webhook.disabled.app_error' });
  });

  it('follows the channel override unless locked; private channels need the owner to read them', async () => {
    const { bed, open, other, closed, hook, receive } = setup();
    const unlocked = await hook();
    await receive(unlocked.id, { text: 'x', channel: '#other' });
    expect(bed.integrationPosts.at(-1)!.channel_id).toBe(other.id);
    await expect(receive(unlocked.id, { text: 'x', channel: 'closed' })).rejects.toMatchObject({
      statusCode: 403,
      id: 'web.incoming_webhook.permissions.app_error',
    });
    await expect(receive(unlocked.id, { text: 'x', channel: 'nope' })).rejects.toMatchObject({ statusCode: 404, id: 'web.incoming_webhook.channel.app_error' });
    const locked = await hook({ channel_locked: true });
    await expect(receive(locked.id, { text: 'x', channel: 'other' })).rejects.toMatchObject({
      statusCode: 403,
      id: 'web.incoming_webhook.channel_locked.app_error',
    });
    await receive(locked.id, { text: 'x', channel: 'open' });
    expect(bed.integrationPosts.at(-1)!.channel_id).toBe(open.id);
    expect(closed.type).toBe('P');
  });

  it('opens a direct message for @username and refuses an unknown user', async () => {
    const { bed, owner, stranger, hook, receive } = setup();
    const h = await hook();
    await receive(h.id, { text: 'psst', channel: `@${stranger.user.username}` });
    const dm = bed.channels.rows.get(bed.integrationPosts.at(-1)!.channel_id)!;
    expect(dm.type).toBe('D');
    expect(dm.name.split('__').sort()).toEqual([owner.user.id, stranger.user.id].sort());
    await expect(receive(h.id, { text: 'x', channel: '@ghost' })).rejects.toMatchObject({ statusCode: 400, id: 'web.incoming_webhook.user.app_error' });
  });

  it('refuses post types that are not custom_ or a webhook type, and a priority without its level', async () => {
    const { hook, receive } = setup();
    const h = await hook();
    await expect(receive(h.id, { text: 'x', type: 'system_x' })).rejects.toMatchObject({ statusCode: 400, id: 'api.context.invalid_param.app_error' });
    await expect(receive(h.id, { text: 'x', type: 'other' })).rejects.toMatchObject({ statusCode: 400, id: 'model.post.is_valid.type.app_error' });
    await expect(receive(h.id, { text: 'x', priority: {} })).rejects.toMatchObject({ statusCode: 400, id: 'api.context.invalid_param.app_error' });
    await expect(receive(h.id, { text: 'x', priority: { priority: 'loud' } })).rejects.toMatchObject({ statusCode: 400 });
    await expect(receive(h.id, { text: 'x', type: 'custom_y', priority: { priority: 'important' } })).resolves.toBeUndefined();
  });
});
