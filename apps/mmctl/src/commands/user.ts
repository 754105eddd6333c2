import { Command } from 'commander';
import type { MmctlClient as Client4Type } from '../context.js';
import type { UserProfile } from '@mattermost/types/users';
import { askSecret, Failures, intOption, withClient } from '../command.js';
import { CliError } from '../errors.js';
import { findTeam, findUser } from '../lookup.js';
import { printer } from '../printer.js';

const EMAIL = /^[^\s@]+@[^\s@]+$/;

/** Each argument as a user; misses are printed and make the command fail (mmctl's getUsersFromArgs). */
async function usersFromArgs(c: Client4Type, args: string[], failures: Failures): Promise<Array<[string, UserProfile]>> {
  const found: Array<[string, UserProfile]> = [];
  for (const arg of args) {
    const user = await findUser(c, arg);
    if (user) found.push([arg, user]);
    else failures.add(`user ${arg} not found`);
  }
  return found;
}

/** mmctl roles system-admin / member: adds or removes system_admin, keeping the other roles. */
async function setSystemAdmin(c: Client4Type, args: string[], admin: boolean): Promise<void> {
  const failures = new Failures();
  for (const [arg, user] of await usersFromArgs(c, args, failures)) {
    const roles = user.roles.split(' ').filter(Boolean);
    const has = roles.includes('system_admin');
    if (has === admin) continue;
    const next = admin ? [...roles, 'system_admin'] : roles.filter((r) => r !== 'system_admin');
    await failures.attempt(`can't update roles for user "${arg}"`, async () => {
      await c.updateUserRoles(user.id, next.join(' '));
      const text = admin
        ? `System admin role assigned to user "${arg}". Current roles are: ${next.join(', ')}`
        : `System admin role revoked for user "${arg}". Current roles are: ${next.join(', ')}`;
      printer.print(text, { user_id: user.id, username: user.username, roles: next.join(' ') });
    });
  }
  failures.throwIfAny();
}

export function rolesCommands(parent: Command, name: string): Command {
  const roles = parent.command(name).description('Manage user roles');
  roles
    .command('system-admin')
    .alias('system_admin')
    .description('Make some users system admins.')
    .argument('<users...>', 'emails, usernames or ids')
    .action(withClient(async ({ client }, _o, users: string[]) => setSystemAdmin(client, users, true)));
  roles
    .command('member')
    .description('Remove system admin privileges from some users.')
    .argument('<users...>', 'emails, usernames or ids')
    .action(withClient(async ({ client }, _o, users: string[]) => setSystemAdmin(client, users, false)));
  return roles;
}

function userBlock(u: UserProfile): string {
  return [
    `id: ${u.id}`,
    `deactivated: ${u.delete_at !== 0}`,
    `username: ${u.username}`,
    `nickname: ${u.nickname ?? ''}`,
    `position: ${u.position ?? ''}`,
    `first_name: ${u.first_name ?? ''}`,
    `last_name: ${u.last_name ?? ''}`,
    `email: ${u.email ?? ''}`,
    `auth_service: ${u.auth_service ?? ''}`,
  ].join('\n');
}

async function setActive(c: Client4Type, args: string[], active: boolean): Promise<void> {
  const failures = new Failures();
  for (const [, user] of await usersFromArgs(c, args, failures)) {
    if (!active && user.auth_service) {
      printer.print(`You must also deactivate user ${user.id} in the SSO provider or they will be reactivated on next login or sync.`);
    }
    await failures.attempt(`unable to change activation status of user ${user.id}`, async () => {
      await c.updateUserActive(user.id, active);
    });
  }
  failures.throwIfAny();
}

export function userCommand(): Command {
  const user = new Command('user').description('Management of users');

  user
    .command('create')
    .description('Create a user')
    .requiredOption('--username <username>', 'Required. Username for the new user account')
    .requiredOption('--email <email>', 'Required. The email address for the new user account')
    .requiredOption('--password <password>', 'Required. The password for the new user account')
    .option('--nickname <nickname>', 'Optional. The nickname for the new user account')
    .option('--firstname <firstname>', 'Optional. The first name for the new user account')
    .option('--lastname <lastname>', 'Optional. The last name for the new user account')
    .option('--locale <locale>', 'Optional. The locale (ex: en, fr) for the new user account')
    .option('--system-admin', 'Optional. If supplied, the new user will be a system administrator')
    .option('--guest', 'Optional. If supplied, the new user will be a guest')
    .option('--email-verified', 'Optional. If supplied, the new user will have the email verified')
    .option('--disable-welcome-email', 'Optional. If supplied, the new user will not receive a welcome email')
    .action(
      withClient(async ({ client }, o) => {
        printer.single = true;
        const input = {
          username: o.username,
          email: o.email,
          password: o.password,
          nickname: o.nickname ?? '',
          first_name: o.firstname ?? '',
          last_name: o.lastname ?? '',
          locale: o.locale ?? '',
          email_verified: !!o.emailVerified,
          disable_welcome_email: !!o.disableWelcomeEmail,
        } as unknown as UserProfile;
        let created: UserProfile;
        try {
          created = await client.createUser(input, '', '');
        } catch (err) {
          throw new CliError(`Unable to create user. Error: ${(err as Error).message}`);
        }
        if (o.systemAdmin) {
          try {
            await client.updateUserRoles(created.id, 'system_user system_admin');
            created = { ...created, roles: 'system_user system_admin' };
          } catch (err) {
            throw new CliError(`Unable to update user roles. Error: ${(err as Error).message}`);
          }
        } else if (o.guest) {
          try {
            await client.demoteUserToGuest(created.id);
          } catch (err) {
            throw new CliError(`Unable to demote user to guest. Error: ${(err as Error).message}`);
          }
        }
        printer.print(`Created user ${created.username}`, created);
      }),
    );

  user
    .command('deactivate')
    .description('Deactivate users. Deactivated users are immediately logged out of all sessions and are unable to log back in.')
    .argument('<users...>', 'emails, usernames or ids')
    .action(withClient(async ({ client }, _o, users: string[]) => setActive(client, users, false)));

  user
    .command('activate')
    .description('Activate users that have been deactivated.')
    .argument('<users...>', 'emails, usernames or ids')
    .action(withClient(async ({ client }, _o, users: string[]) => setActive(client, users, true)));

  user
    .command('list')
    .description('List all users')
    .option('--page <page>', 'Page number to fetch for the list of users', intOption, 0)
    .option('--per-page <n>', 'Number of users to be fetched', intOption, 200)
    .option('--all', 'Fetch all users. --page flag will be ignore if provided')
    .option('--team <team>', 'If supplied, only users belonging to this team will be listed')
    .option('--inactive', 'If supplied, only users which are inactive will be fetch')
    .hook('preAction', () => {
      printer.stat = { entity: 'user', server: '' };
    })
    .action(
      withClient(async ({ client }, o) => {
        const query: Record<string, string> = {};
        if (o.inactive) query.inactive = 'true';
        if (o.team) {
          const team = await findTeam(client, o.team as string);
          if (!team) throw new CliError(`Failed to get team ${o.team as string}`);
          query.in_team = team.id;
        }
        const perPage = Math.min(o.perPage as number, 200);
        for (let page = o.all ? 0 : (o.page as number); ; page++) {
          const users = await client.getProfiles(page, perPage, query);
          for (const u of users) printer.print(`${u.id}: ${u.username} (${u.email})`, u);
          if (!o.all || users.length === 0) break;
        }
      }),
    );

  user
    .command('search')
    .description('Search for users based on username, email, or user ID.')
    .argument('<users...>')
    .action(
      withClient(async ({ client }, _o, args: string[]) => {
        printer.single = true;
        const failures = new Failures();
        const users = await usersFromArgs(client, args, failures);
        users.forEach(([, u], i) => printer.print((i > 0 ? '------------------------------\n' : '') + userBlock(u), u));
        failures.throwIfAny();
      }),
    );

  rolesCommands(user, 'role');

  user
    .command('reset-password')
    .alias('reset_password')
    .description('Send users an email to reset their password')
    .argument('<emails...>')
    .action(
      withClient(async ({ client }, _o, emails: string[]) => {
        const failures = new Failures();
        for (const email of emails) {
          if (!EMAIL.test(email)) {
            failures.add(`Invalid email '${email}'`);
            continue;
          }
          await failures.attempt(`Unable send reset password email to email ${email}`, async () => {
            await client.sendPasswordResetEmail(email);
            printer.print(`Password reset email sent to ${email}`, { email, sent: true });
          });
        }
        failures.throwIfAny();
      }),
    );

  user
    .command('change-password')
    .description("Changes a user's password. If the user is changing their own password, --current must give the current one.")
    .argument('<user>')
    .option('-c, --current <password>', 'The current password of the user. Use only if changing your own password')
    .option('-p, --password <password>', 'The new password for the user')
    .option('--hashed', 'The supplied password is already hashed')
    .action(
      withClient(async ({ client }, o, arg: string) => {
        printer.single = true;
        const password = (o.password as string | undefined) ?? (await askSecret('New password: '));
        const u = await findUser(client, arg);
        if (!u) throw new CliError(`user ${arg} not found`);
        try {
          if (o.hashed) {
            await client.call('put', `/users/${u.id}/password`, { body: { new_password: password, already_hashed: true } });
          } else {
            await client.updateUserPassword(u.id, (o.current as string | undefined) ?? '', password);
          }
        } catch (err) {
          throw new CliError(`changing user password failed: ${(err as Error).message}`);
        }
        printer.print(`Password for user ${u.username} successfully changed`, { user_id: u.id, username: u.username });
      }),
    );

  return user;
}
