import { Command } from 'commander';
import type { Client4 as Client4Type } from '@mattermost/client';
import type { Team } from '@mattermost/types/teams';
import { confirm, Failures, withClient } from '../command.js';
import { CliError } from '../errors.js';
import { allPages, findTeam, findUser } from '../lookup.js';
import { printer } from '../printer.js';

/** mmctl team users add/remove (and the older team add/remove): a team, then users. */
async function changeMembers(c: Client4Type, teamArg: string, userArgs: string[], add: boolean): Promise<void> {
  const team = await findTeam(c, teamArg);
  if (!team) throw new CliError(`Unable to find team '${teamArg}'`);
  const failures = new Failures();
  for (const arg of userArgs) {
    const user = await findUser(c, arg);
    if (!user) {
      failures.add(`Can't find user '${arg}'`);
      continue;
    }
    const verb = add ? 'add' : 'remove';
    await failures.attempt(`Unable to ${verb} '${arg}' ${add ? 'to' : 'from'} ${team.name}`, async () => {
      if (add) await c.addToTeam(team.id, user.id);
      else await c.removeFromTeam(team.id, user.id);
      printer.print(`${add ? 'Added' : 'Removed'} user ${user.username} ${add ? 'to' : 'from'} team ${team.name}`, { team_id: team.id, user_id: user.id });
    });
  }
  failures.throwIfAny();
}

function memberCommands(parent: Command): void {
  parent
    .command('add')
    .description('Add some users to a team')
    .argument('<team>', 'team name or id')
    .argument('<users...>', 'emails, usernames or ids')
    .action(withClient(async ({ client }, _o, team: string, users: string[]) => changeMembers(client, team, users, true)));
  parent
    .command('remove')
    .description('Remove some users from a team')
    .argument('<team>', 'team name or id')
    .argument('<users...>', 'emails, usernames or ids')
    .action(withClient(async ({ client }, _o, team: string, users: string[]) => changeMembers(client, team, users, false)));
}

export function teamCommand(): Command {
  const team = new Command('team').description('Management of teams');

  team
    .command('create')
    .description('Create a team.')
    .option('--name <name>', 'Team Name')
    .option('--display-name <displayName>', 'Team Display Name')
    .option('--private', 'Create a private team.')
    .option('--email <email>', 'Administrator Email (anyone with this email is automatically a team admin)')
    .addHelpText(
      'after',
      '\nExamples:\n  team create --name mynewteam --display-name "My New Team"\n  team create --name private --display-name "My New Private Team" --private',
    )
    .action(
      withClient(async ({ client }, o) => {
        printer.single = true;
        if (!o.name) throw new CliError('name is required');
        if (!o.displayName) throw new CliError('display Name is required');
        const input = {
          name: o.name,
          display_name: o.displayName,
          email: o.email ?? '',
          type: o.private ? 'I' : 'O',
          allow_open_invite: !o.private,
        } as unknown as Team;
        let created: Team;
        try {
          created = await client.createTeam(input);
        } catch (err) {
          throw new CliError(`Team creation failed: ${(err as Error).message}`);
        }
        printer.print(`New team ${created.name} successfully created`, created);
      }),
    );

  team
    .command('list')
    .description('List all teams on the server.')
    .hook('preAction', () => {
      printer.stat = { entity: 'team', server: '' };
    })
    .action(
      withClient(async ({ client }) => {
        const teams = await allPages((page, perPage) => client.getTeams(page, perPage) as Promise<Team[]>);
        for (const t of teams) printer.print(t.delete_at > 0 ? `${t.name} (archived)` : t.name, t);
      }),
    );

  team
    .command('archive')
    .description('Archive some teams (soft delete: they can be restored).')
    .argument('<teams...>', 'team names or ids')
    .option('--confirm', 'Confirm you really want to archive the team and a DB backup has been performed.')
    .action(
      withClient(async ({ client }, o, args: string[]) => {
        await confirm('Are you sure you want to archive the specified teams?', o.confirm);
        const failures = new Failures();
        for (const arg of args) {
          const t = await findTeam(client, arg);
          if (!t) {
            failures.add(`Unable to find team '${arg}'`);
            continue;
          }
          await failures.attempt(`Unable to archive team '${t.name}' error`, async () => {
            await client.deleteTeam(t.id);
            printer.print(`Archived team '${t.name}'`, t);
          });
        }
        failures.throwIfAny();
      }),
    );

  // mmctl's current spelling (team users add/remove) and the older one (team add/remove).
  memberCommands(team.command('users').description('Management of team users'));
  memberCommands(team);
  return team;
}
