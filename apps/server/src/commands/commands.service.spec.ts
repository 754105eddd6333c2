import { describe, expect, it } from 'vitest';
import { badRequest } from '#common';
import { CommandsTestbed } from './in-memory-commands.js';
import { splitCommand } from './commands.service.js';

const DENIED = { statusCode: 403, id: 'api.context.permissions.app_error' };

/** A team with a public channel (member in it), a teammate outside it, an outsider, and a system admin. */
function setup() {
  const bed = new CommandsTestbed();
  const teamId = bed.namedTeam('alpha');
  const [member, teammate, outsider, admin] = [bed.user(), bed.user(), bed.user(), bed.user('system_user system_admin')];
  bed.joinTeam(teamId, member.user.id);
  bed.joinTeam(teamId, teammate.user.id);
  const open = bed.channel(teamId, 'O', 'open');
  bed.joinChannel(open, member.user.id);
  const input = (command: string, channelId = open.id, team = teamId) => ({ command, channel_id: channelId, team_id: team, root_id: '', parent_id: '' });
  return { bed, teamId, member, teammate, outsider, admin, open, input, run: bed.service.execute.bind(bed.service) };
}

describe('executing a command', () => {
  it('needs create_post on the channel: members and system admins only', async () => {
    const { member, teammate, outsider, admin, input, run } = setup();
    await expect(run(member.session, input('/away'), '')).resolves.toMatchObject({ text: 'You are now away' });
    await expect(run(teammate.session, input('/away'), '')).rejects.toMatchObject(DENIED);
    await expect(run(outsider.session, input('/away'), '')).rejects.toMatchObject(DENIED);
    await expect(run(admin.session, input('/away'), '')).resolves.toMatchObject({ response_type: 'ephemeral' });
  });

  it('refuses an archived channel, and takes the team from the channel', async () => {
    const { bed, member, open, input, run } = setup();
    const response = await run(member.session, input('/join open', open.id, 'not-the-team'), 'http://x');
    expect(response.goto_location).toBe('http://x/alpha/channels/open');
    bed.channels.rows.get(open.id)!.delete_at = 1;
    await expect(run(member.session, input('/away'), '')).rejects.toMatchObject({ statusCode: 400, id: 'api.command.execute_command.deleted.error' });
  });

  it('in a direct message needs the named team (or create_post everywhere)', async () => {
    const { bed, teamId, member, teammate, input, run } = setup();
    const dm = await bed.channelsService.createDirect(member.session, [member.user.id, teammate.user.id]);
    await expect(run(member.session, input('/away', dm.id), '')).resolves.toMatchObject({ text: 'You are now away' });
    await expect(run(member.session, input('/away', dm.id, ''), '')).rejects.toMatchObject(DENIED);
    const otherTeam = bed.namedTeam();
    await expect(run(member.session, input('/away', dm.id, otherTeam), '')).rejects.toMatchObject(DENIED);
    expect(teamId).not.toBe(otherTeam);
  });

  it('answers an unknown trigger with 404, cutting a long one', async () => {
    const { member, input, run } = setup();
    await expect(run(member.session, input('/nope now'), '')).rejects.toMatchObject({ statusCode: 404, id: 'api.command.execute_command.not_found.app_error' });
    const long = await run(member.session, input('/' + 'x'.repeat(600)), '').catch((e) => e);
    expect(long.message).toContain(`'${'x'.repeat(512)}...'`);
  });

  it('with EnableCommands off refuses built-ins too (501), as Mattermost tries custom commands first', async () => {
    const { bed, member, input, run } = setup();
    bed.config.ServiceSettings.EnableCommands = false;
    await expect(run(member.session, input('/away'), '')).rejects.toMatchObject({ statusCode: 501, id: 'api.command.disabled.app_error' });
  });

  it('/status does not exist while custom statuses are off', async () => {
    const { bed, member, input, run } = setup();
    bed.config.TeamSettings.EnableCustomUserStatuses = false;
    await expect(run(member.session, input('/status :x: y'), '')).rejects.toMatchObject({ statusCode: 404 });
  });

  it('sends ephemeral replies to the caller alone and posts in_channel ones', async () => {
    const { bed, member, open, input, run } = setup();
    await run(member.session, input('/online'), '');
    expect(bed.ephemerals()).toEqual([{ userId: member.user.id, message: 'You are now online' }]);
    const event = bed.events.find((e) => e.event === 'ephemeral_message')!;
    expect(event.broadcast).toMatchObject({ user_id: member.user.id, channel_id: open.id });
    expect(JSON.parse(event.data.post as string)).toMatchObject({ type: 'system_ephemeral', user_id: member.user.id, channel_id: open.id });
    await run(member.session, input('/shrug <http://a.test|a link>'), '');
    expect(bed.posted.at(-1)!.input).toMatchObject({ channel_id: open.id, message: '[a link](http://a.test) ¯\\\\\\_(ツ)\\_/¯', type: '' });
    await run(member.session, input('/code <http://a.test|kept>'), '');
    expect(bed.posted.at(-1)!.input.message).toBe('    <http://a.test|kept>');
  });

  it('replies nothing visible for commands that only act', async () => {
    const { bed, member, input, run } = setup();
    await run(member.session, input('/logout'), '');
    await run(member.session, input('/header new'), '');
    expect(bed.ephemerals()).toEqual([]);
  });

  it('splits the trigger at the first whitespace and lowers its case', () => {
    expect(splitCommand('/EcHo\thello  world')).toEqual({ trigger: '/echo', message: 'hello  world' });
    expect(splitCommand('/away')).toEqual({ trigger: '/away', message: '' });
  });
});

describe('command lists', () => {
  const custom = (teamId: string, trigger: string, creator: string, autoComplete = true) => ({
    id: `cmd${trigger}`.padEnd(26, 'x'),
    token: 'secret-token'.padEnd(26, 'x'),
    create_at: 1,
    update_at: 1,
    delete_at: 0,
    creator_id: creator,
    team_id: teamId,
    trigger,
    method: 'P',
    username: 'bot',
    icon_url: 'http://icon',
    auto_complete: autoComplete,
    auto_complete_desc: 'custom',
    auto_complete_hint: '',
    display_name: trigger,
    description: '',
    url: 'http://hook',
    plugin_id: '',
  });

  it('autocomplete needs view_team and lists custom (sanitised) then built-in commands', async () => {
    const { bed, teamId, teammate, outsider } = setup();
    bed.customCommands.push(custom(teamId, 'deploy', teammate.user.id), custom(teamId, 'hidden', teammate.user.id, false));
    await expect(bed.service.listAutocomplete(outsider.session, teamId)).rejects.toMatchObject(DENIED);
    const list = await bed.service.listAutocomplete(teammate.session, teamId);
    expect(list[0]).toMatchObject({ trigger: 'deploy', token: '', url: '', creator_id: '', username: '', icon_url: '', method: '' });
    expect(list.map((c) => c.trigger)).not.toContain('hidden');
    expect(list.map((c) => c.trigger)).toEqual(expect.arrayContaining(['away', 'echo', 'status', 'msg']));
    bed.config.TeamSettings.EnableCustomUserStatuses = false;
    bed.config.ServiceSettings.EnableCommands = false;
    const without = (await bed.service.listAutocomplete(teammate.session, teamId)).map((c) => c.trigger);
    expect(without).not.toContain('status');
    expect(without).not.toContain('deploy');
  });

  it('GET /commands: built-ins for users, custom_only for those who manage commands', async () => {
    const { bed, teamId, teammate, outsider, admin } = setup();
    bed.customCommands.push(custom(teamId, 'deploy', teammate.user.id));
    await expect(bed.service.list(outsider.session, teamId, false)).rejects.toMatchObject(DENIED);
    expect((await bed.service.list(teammate.session, teamId, false)).map((c) => c.trigger)).toContain('deploy');
    await expect(bed.service.list(teammate.session, teamId, true)).rejects.toMatchObject(DENIED);
    const mine = await bed.service.list(admin.session, teamId, true);
    expect(mine).toHaveLength(1);
    expect(mine[0].token).not.toBe('');
    const all = await bed.service.list(admin.session, teamId, false);
    expect(all.find((c) => c.trigger === 'deploy')!.token).toBe('');
    bed.config.ServiceSettings.EnableCommands = false;
    await expect(bed.service.list(admin.session, teamId, true)).rejects.toMatchObject({ statusCode: 501 });
  });

  it('suggestions need view_team and some input', async () => {
    const { bed, teamId, teammate, outsider } = setup();
    await expect(bed.service.suggestions(outsider.session, teamId, '/ec')).rejects.toMatchObject(DENIED);
    await expect(bed.service.suggestions(teammate.session, teamId, '')).rejects.toMatchObject({ statusCode: 400 });
    expect((await bed.service.suggestions(teammate.session, teamId, '/e')).map((s) => s.Suggestion)).toEqual(['echo', 'expand']);
    expect(await bed.service.suggestions(teammate.session, teamId, 'rename Ne')).toEqual([
      { Complete: 'rename Ne', Suggestion: '', Hint: '[text]', Description: '[text]', IconData: '' },
    ]);
    expect(await bed.service.suggestions(teammate.session, teamId, 'echo hi')).toEqual([]);
  });
});

describe('a reply that cannot be posted', () => {
  it('fails the command with create_post_failed, keeping a 4xx cause’s status', async () => {
    const { bed, member, input, run } = setup();
    bed.env.posts.create = async () => {
      throw badRequest('model.post.is_valid.msg.app_error', 'Invalid message.');
    };
    await expect(run(member.session, input('/me too long'), '')).rejects.toMatchObject({
      statusCode: 400,
      id: 'api.command.execute_command.create_post_failed.app_error',
    });
  });
});
