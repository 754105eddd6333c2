import { Command } from 'commander';
import type { Channel } from '@mattermost/types/channels';
import { Failures, withClient } from '../command.js';
import { CliError } from '../errors.js';
import { allPages, findChannel, findTeam } from '../lookup.js';
import { printer } from '../printer.js';

export function channelCommand(): Command {
  const channel = new Command('channel').description('Management of channels');

  channel
    .command('create')
    .description('Create a channel.')
    .option('--name <name>', 'Channel Name')
    .option('--display-name <displayName>', 'Channel Display Name')
    .option('--team <team>', 'Team name or ID')
    .option('--header <header>', 'Channel header')
    .option('--purpose <purpose>', 'Channel purpose')
    .option('--private', 'Create a private channel.')
    .addHelpText(
      'after',
      '\nExamples:\n  channel create --team myteam --name mynewchannel --display-name "My New Channel"\n  channel create --team myteam --name mynewprivatechannel --display-name "My New Private Channel" --private',
    )
    .action(
      withClient(async ({ client }, o) => {
        printer.single = true;
        if (!o.name) throw new CliError('name is required');
        if (!o.displayName) throw new CliError('display-name is required');
        if (!o.team) throw new CliError('team is required');
        const team = await findTeam(client, o.team as string);
        if (!team) throw new CliError(`unable to find team: ${o.team as string}`);
        const created = await client.createChannel({
          team_id: team.id,
          name: o.name as string,
          display_name: o.displayName as string,
          header: (o.header as string | undefined) ?? '',
          purpose: (o.purpose as string | undefined) ?? '',
          type: o.private ? 'P' : 'O',
        });
        printer.print(`New channel ${created.name} successfully created`, created);
      }),
    );

  channel
    .command('list')
    .description("List all channels on specified teams. Archived channels are appended with ' (archived)', private ones with ' (private)'.")
    .argument('<teams...>', 'team names or ids')
    .hook('preAction', () => {
      printer.stat = { entity: 'channel', server: '' };
    })
    .action(
      withClient(async ({ client }, _o, args: string[]) => {
        const failures = new Failures();
        for (const arg of args) {
          const team = await findTeam(client, arg);
          if (!team) {
            failures.add(`unable to find team "${arg}"`);
            continue;
          }
          const lists: Array<[string, string, string]> = [
            ['public', `/teams/${team.id}/channels`, ''],
            ['archived', `/teams/${team.id}/channels/deleted`, ' (archived)'],
            ['private', `/teams/${team.id}/channels/private`, ' (private)'],
          ];
          for (const [kind, route, suffix] of lists) {
            await failures.attempt(`unable to list ${kind} channels for "${arg}"`, async () => {
              const channels = await allPages((page, perPage) => client.call<Channel[]>('get', `${route}?page=${page}&per_page=${perPage}`));
              for (const ch of channels) printer.print(`${ch.name}${suffix}`, ch);
            });
          }
        }
        failures.throwIfAny();
      }),
    );

  channel
    .command('archive')
    .description('Archive some channels. Channels can be specified by [team]:[channel] (myteam:mychannel) or by channel ID.')
    .argument('<channels...>')
    .action(
      withClient(async ({ client }, _o, args: string[]) => {
        const failures = new Failures();
        for (const arg of args) {
          const ch = await findChannel(client, arg);
          if (!ch) {
            failures.add(`Unable to find channel '${arg}'`);
            continue;
          }
          await failures.attempt(`Unable to archive channel '${ch.name}' error`, async () => {
            await client.deleteChannel(ch.id);
            printer.print(`Archived channel '${ch.name}'`, ch);
          });
        }
        failures.throwIfAny();
      }),
    );

  channel
    .command('move')
    .description(
      'Moves the provided channels to the specified team. All channel members must be members of the target team, unless --force removes the others.',
    )
    .argument('<team>', 'destination team name or id')
    .argument('<channels...>', '[team]:[channel] or channel ids')
    .option('--force', 'Remove users that are not members of target team before moving the channel.')
    .action(
      withClient(async ({ client }, o, teamArg: string, args: string[]) => {
        const team = await findTeam(client, teamArg);
        if (!team) throw new CliError(`unable to find destination team "${teamArg}"`);
        const failures = new Failures();
        for (const arg of args) {
          const ch = await findChannel(client, arg);
          if (!ch) {
            failures.add(`unable to find channel "${arg}"`);
            continue;
          }
          if (ch.team_id === team.id) continue;
          await failures.attempt(`unable to move channel "${ch.name}"`, async () => {
            const moved = await client.call<Channel>('post', `/channels/${ch.id}/move`, { body: { team_id: team.id, force: !!o.force } });
            printer.print(`Moved channel ${moved.name} to "${team.name}" (${moved.team_id}) from ${ch.team_id}.`, moved);
          });
        }
        failures.throwIfAny();
      }),
    );

  return channel;
}
