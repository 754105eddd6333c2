import { describe, expect, it } from 'vitest';
import { newId } from '#common';
import type { CommandInput } from './command-input.js';
import { commandResponse } from './command.model.js';
import { CustomCommandsService } from './custom-commands.service.js';
import { COMMAND_HOOK_LIFETIME_MS } from './custom-command-runner.js';
import { defaultRoleRows } from '../roles/in-memory-roles.js';
import { CommandsTestbed } from './in-memory-commands.js';

const DENIED = { statusCode: 403, id: 'api.context.permissions.app_error' };
const NOT_FOUND = { statusCode: 404, id: 'store.sql_command.save.get.app_error' };

/** Gives team users a permission, as a system admin editing the team_user role would. */
function grantTeamUsers(bed: CommandsTestbed, permission: string): void {
  bed.roles.use(defaultRoleRows().map((r) => (r.name === 'team_user' ? { ...r, permissions: `${r.permissions} ${permission}` } : r)));
}

/** A team with its admin, a plain member, an outsider and a system admin; a second team the admin also runs. */
function setup() {
  const bed = new CommandsTestbed();
  const teamId = bed.namedTeam('alpha');
  const otherTeam = bed.namedTeam('beta');
  const [teamAdmin, member, outsider, sysAdmin] = [bed.user(), bed.user(), bed.user(), bed.user('system_user system_admin')];
  bed.joinTeam(teamId, teamAdmin.user.id, 'admin');
  bed.joinTeam(otherTeam, teamAdmin.user.id, 'admin');
  bed.joinTeam(teamId, member.user.id);
  bed.joinTeam(otherTeam, member.user.id);
  const service = new CustomCommandsService(bed.env, bed.commandsStore());
  const input = (fields: Partial<CommandInput> = {}): CommandInput => ({
    id: '',
    team_id: teamId,
    creator_id: '',
    trigger: `t${newId().slice(0, 6)}`,
    method: 'P',
    username: '',
    icon_url: '',
    auto_complete: false,
    auto_complete_desc: '',
    auto_complete_hint: '',
    display_name: '',
    description: '',
    url: 'https://integration.test/cmd',
    ...fields,
  });
  return { bed, service, teamId, otherTeam, teamAdmin, member, outsider, sysAdmin, input };
}

describe('managing custom commands', () => {
  it('creating takes manage_own_slash_commands on the team: team and system admins, not team users', async () => {
    const { service, teamAdmin, member, outsider, sysAdmin, input } = setup();
    await expect(service.create(teamAdmin.session, input({ trigger: 'Build' }))).resolves.toMatchObject({ trigger: 'build', creator_id: teamAdmin.user.id });
    await expect(service.create(sysAdmin.session, input())).resolves.toMatchObject({ creator_id: sysAdmin.user.id });
    await expect(service.create(member.session, input())).rejects.toMatchObject(DENIED);
    await expect(service.create(outsider.session, input())).rejects.toMatchObject(DENIED);
  });

  it('another creator needs manage_others_slash_commands and an existing user', async () => {
    const { bed, service, teamAdmin, member, input } = setup();
    grantTeamUsers(bed, 'manage_own_slash_commands');
    await expect(service.create(member.session, input({ creator_id: teamAdmin.user.id }))).rejects.toMatchObject({
      statusCode: 403,
      detailedError: expect.stringContaining('manage_others_slash_commands'),
    });
    await expect(service.create(member.session, input())).resolves.toMatchObject({ creator_id: member.user.id });
    await expect(service.create(teamAdmin.session, input({ creator_id: member.user.id }))).resolves.toMatchObject({ creator_id: member.user.id });
    await expect(service.create(teamAdmin.session, input({ creator_id: newId() }))).rejects.toMatchObject({ statusCode: 404 });
  });

  it('keeps triggers unique in the team and apart from the built-ins', async () => {
    const { service, teamAdmin, otherTeam, input } = setup();
    await service.create(teamAdmin.session, input({ trigger: 'deploy' }));
    const duplicate = { statusCode: 400, id: 'api.command.duplicate_trigger.app_error' };
    await expect(service.create(teamAdmin.session, input({ trigger: 'DEPLOY' }))).rejects.toMatchObject(duplicate);
    await expect(service.create(teamAdmin.session, input({ trigger: 'away' }))).rejects.toMatchObject(duplicate);
    await expect(service.create(teamAdmin.session, input({ trigger: 'deploy', team_id: otherTeam }))).resolves.toBeDefined();
  });

  it('reads, edits, regenerates and deletes only for those who manage the command; others get not found', async () => {
    const { service, teamAdmin, member, outsider, sysAdmin, input } = setup();
    const created = await service.create(teamAdmin.session, input());
    for (const who of [member, outsider]) {
      await expect(service.get(who.session, created.id)).rejects.toMatchObject(NOT_FOUND);
      await expect(service.update(who.session, created.id, input({ id: created.id }))).rejects.toMatchObject(NOT_FOUND);
      await expect(service.regenToken(who.session, created.id)).rejects.toMatchObject(NOT_FOUND);
      await expect(service.delete(who.session, created.id)).rejects.toMatchObject(NOT_FOUND);
    }
    await expect(service.get(sysAdmin.session, created.id)).resolves.toMatchObject({ token: created.token });
    const updated = await service.update(teamAdmin.session, created.id, input({ id: created.id, trigger: 'Renamed', description: 'd' }));
    expect(updated).toMatchObject({ token: created.token, creator_id: created.creator_id, create_at: created.create_at, trigger: 'renamed', description: 'd' });
    const { token } = await service.regenToken(teamAdmin.session, created.id);
    expect(token).not.toBe(created.token);
    await service.delete(teamAdmin.session, created.id);
    await expect(service.get(teamAdmin.session, created.id)).rejects.toMatchObject(NOT_FOUND);
  });

  it('someone else’s command needs manage_others_slash_commands (403 once the command is known to be managed)', async () => {
    const { bed, service, teamAdmin, member, input } = setup();
    grantTeamUsers(bed, 'manage_own_slash_commands');
    const created = await service.create(teamAdmin.session, input());
    await expect(service.get(member.session, created.id)).rejects.toMatchObject(NOT_FOUND);
    await expect(service.delete(member.session, created.id)).rejects.toMatchObject(DENIED);
  });

  it('update refuses another team; move checks the destination, the command and its creator there', async () => {
    const { bed, service, teamId, otherTeam, teamAdmin, member, input } = setup();
    const created = await service.create(teamAdmin.session, input());
    await expect(service.update(teamAdmin.session, created.id, input({ id: created.id, team_id: otherTeam }))).rejects.toMatchObject({
      statusCode: 400,
      id: 'api.command.team_mismatch.app_error',
    });
    await expect(service.move(member.session, created.id, otherTeam)).rejects.toMatchObject(DENIED);
    await service.move(teamAdmin.session, created.id, otherTeam);
    expect((await service.get(teamAdmin.session, created.id)).team_id).toBe(otherTeam);
    const third = bed.namedTeam('gamma');
    bed.joinTeam(third, teamAdmin.user.id, 'admin');
    const sysAdmin = bed.user('system_user system_admin');
    const byMember = bed.user();
    bed.joinTeam(teamId, byMember.user.id);
    const forMember = await service.create(sysAdmin.session, input({ creator_id: byMember.user.id }));
    await expect(service.move(sysAdmin.session, forMember.id, third)).rejects.toMatchObject({
      statusCode: 400,
      id: 'api.command.move_command.creator_no_permission.app_error',
    });
  });

  it('validates as Command.IsValid, in its order', async () => {
    const { service, teamAdmin, input } = setup();
    const cases: Array<[Partial<CommandInput>, string]> = [
      [{ trigger: '' }, 'trigger'],
      [{ trigger: '/x' }, 'trigger'],
      [{ trigger: 'a b' }, 'trigger'],
      [{ trigger: 'é'.repeat(65) }, 'trigger'],
      [{ url: '' }, 'url'],
      [{ url: 'mailto:x@y' }, 'url_http'],
      [{ method: 'GET' }, 'method'],
      [{ display_name: 'x'.repeat(65) }, 'display_name'],
      [{ description: 'x'.repeat(129) }, 'description'],
      [{ icon_url: 'x'.repeat(1025) }, 'icon_url'],
    ];
    for (const [fields, field] of cases) {
      await expect(service.create(teamAdmin.session, input(fields)), field).rejects.toMatchObject({
        statusCode: 400,
        id: `model.command.is_valid.${field}.app_error`,
      });
    }
  });

  it('with commands off: create is 501, and reading or changing one is not found', async () => {
    const { bed, service, teamAdmin, input } = setup();
    const created = await service.create(teamAdmin.session, input());
    bed.config.ServiceSettings.EnableCommands = false;
    await expect(service.create(teamAdmin.session, input())).rejects.toMatchObject({ statusCode: 501, id: 'api.command.disabled.app_error' });
    await expect(service.get(teamAdmin.session, created.id)).rejects.toMatchObject(NOT_FOUND);
    await expect(service.regenToken(teamAdmin.session, created.id)).rejects.toMatchObject(NOT_FOUND);
  });
});

describe('a response URL', () => {
  async function withHook() {
    const s = setup();
    const { bed, service, teamAdmin, member, teamId, input } = s;
    const channel = bed.channel(teamId, 'O', 'ops');
    bed.joinChannel(channel, member.user.id);
    const command = await service.create(teamAdmin.session, input({ username: 'hookbot' }));
    const hookId = newId();
    bed.hooks.set(hookId, {
      id: hookId,
      create_at: Date.now(),
      command_id: command.id,
      user_id: member.user.id,
      channel_id: channel.id,
      root_id: '',
      use_count: 0,
    });
    return { ...s, channel, command, hookId };
  }

  it('posts a later reply as the user who ran the command, from_webhook, five times at most', async () => {
    const { bed, hookId, member, channel } = await withHook();
    bed.config.ServiceSettings.EnablePostUsernameOverride = true;
    await bed.service.handleResponseUrl(hookId, commandResponse({ response_type: 'in_channel', text: 'later <!here>' }));
    expect(bed.posted.at(-1)).toMatchObject({
      session: { user_id: member.user.id },
      input: { channel_id: channel.id, message: 'later @here', props: { from_webhook: 'true', override_username: 'hookbot' } },
    });
    for (let i = 0; i < 4; i++) await bed.service.handleResponseUrl(hookId, commandResponse({ text: `eph ${i}` }));
    expect(bed.ephemerals().map((e) => e.message)).toEqual(['eph 0', 'eph 1', 'eph 2', 'eph 3']);
    await expect(bed.service.handleResponseUrl(hookId, commandResponse({ text: 'sixth' }))).rejects.toMatchObject({
      statusCode: 400,
      id: 'app.command_webhook.try_use.invalid',
    });
  });

  it('expires after 30 minutes and is unknown otherwise', async () => {
    const { bed, hookId } = await withHook();
    bed.hooks.get(hookId)!.create_at = Date.now() - COMMAND_HOOK_LIFETIME_MS - 1;
    await expect(bed.service.handleResponseUrl(hookId, commandResponse({ text: 'x' }))).rejects.toMatchObject({
      statusCode: 404,
      id: 'app.command_webhook.get.missing',
    });
    await expect(bed.service.handleResponseUrl(newId(), commandResponse({ text: 'x' }))).rejects.toMatchObject({ statusCode: 404 });
  });

  it('keeps overrides a reply puts in its props out unless the config allows them', async () => {
    const { bed, hookId } = await withHook();
    await bed.service.handleResponseUrl(
      hookId,
      commandResponse({ response_type: 'in_channel', text: 'x', props: { override_username: 'evil', override_icon_url: 'http://i', keep: 1 } }),
    );
    expect(bed.posted.at(-1)!.input.props).toEqual({ keep: 1, from_webhook: 'true' });
  });
});
