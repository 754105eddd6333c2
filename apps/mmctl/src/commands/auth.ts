import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { ask, askSecret, state } from '../command.js';
import { credentialsStore, newClient, type GlobalOptions } from '../context.js';
import type { Credentials } from '../credentials.js';
import { CliError } from '../errors.js';
import { printer } from '../printer.js';

function secretFromFile(file: string | undefined, what: string): string | undefined {
  if (!file) return undefined;
  try {
    return readFileSync(file, 'utf8').trim();
  } catch (err) {
    throw new CliError(`could not read the ${what}: ${(err as Error).message}`);
  }
}

function twoOf(a: unknown, b: unknown, what: string): void {
  if (a && b) throw new CliError(`cannot use two ${what} at the same time`);
}

/** Logs in (password, password + MFA token) or checks an access token; returns the token to store. */
async function authenticate(url: string, o: { username?: string; password?: string; mfaToken?: string; accessToken?: string }) {
  const client = newClient(url);
  state.target = url;
  if (o.accessToken) {
    client.setToken(o.accessToken);
    await client.getMe();
    return { token: o.accessToken, method: 'T' as const, username: 'Personal Access Token' };
  }
  await client.login(o.username!, o.password!, o.mfaToken ?? '');
  return { token: client.getToken(), method: o.mfaToken ? ('M' as const) : ('P' as const), username: o.username! };
}

function globals(cmd: Command): GlobalOptions {
  return cmd.optsWithGlobals<GlobalOptions>();
}

/** mmctl auth: login, current, set (switch), list, renew, delete, logout, clean. */
export function authCommand(): Command {
  const auth = new Command('auth').description('Manages the credentials of the remote Mattermost instances');

  auth
    .command('login')
    .description('Login into an instance and store credentials')
    .argument('<instance-url>', 'the server, e.g. https://chat.example.com')
    .option('-n, --name <name>', 'Name for the credentials')
    .option('-u, --username <username>', 'Username for the credentials')
    .option('-p, --password <password>', 'Password for the credentials')
    .option('-f, --password-file <file>', 'Password file to be read for the credentials')
    .option('-a, --access-token <token>', 'Access token to use instead of username/password')
    .option('-t, --access-token-file <file>', 'Access token file to be read to use instead of username/password')
    .option('-m, --mfa-token <token>', 'MFA token for the credentials')
    .option('--no-activate', "If present, it won't activate the credentials after login")
    .addHelpText(
      'after',
      '\nExamples:\n  auth login https://mattermost.example.com --name local-server --username sysadmin --password-file mysupersecret.txt\n  auth login https://mattermost.example.com --name local-server --access-token-file token.txt',
    )
    .action(async (rawUrl: string, o: Record<string, string | boolean | undefined>, cmd: Command) => {
      printer.single = true;
      const url = rawUrl.replace(/\/+$/, '');
      if (!/^https?:\/\/[^/]/.test(url)) throw new CliError(`invalid instance url "${rawUrl}": it must start with http:// or https://`);
      twoOf(o.password, o.passwordFile, 'passwords');
      twoOf(o.accessToken, o.accessTokenFile, 'access tokens');
      const password = (o.password as string | undefined) ?? secretFromFile(o.passwordFile as string | undefined, 'password');
      const accessToken = (o.accessToken as string | undefined) ?? secretFromFile(o.accessTokenFile as string | undefined, 'access-token');
      let username = o.username as string | undefined;
      if (accessToken && username) throw new CliError('you must use --access-token or --username, but not both');
      const name = (o.name as string | undefined) || (await ask('Connection name: '));
      if (!accessToken && !username) username = await ask('Username: ');
      const pass = accessToken ? undefined : (password ?? (await askSecret('Password: ')));
      const got = await authenticate(url, { username, password: pass, mfaToken: o.mfaToken as string | undefined, accessToken });
      const creds: Credentials = { name, username: got.username, authToken: got.token, authMethod: got.method, instanceUrl: url, active: false };
      credentialsStore(globals(cmd)).save(creds, o.activate !== false);
      printer.print(`\n  credentials for "${name}": "${got.username}@${url}" stored\n`, {
        name,
        username: got.username,
        instanceUrl: url,
        authMethod: got.method,
      });
    });

  auth
    .command('current')
    .description('Show the currently stored user credentials')
    .action((_o: unknown, cmd: Command) => {
      printer.single = true;
      const c = credentialsStore(globals(cmd)).current();
      printer.print(`\n  found credentials for "${c.name}": "${c.username}@${c.instanceUrl}"\n`, publicView(c));
    });

  auth
    .command('set')
    .alias('switch')
    .description('Set the credentials to use in the following commands')
    .argument('<server-name>')
    .action((name: string, _o: unknown, cmd: Command) => {
      printer.single = true;
      credentialsStore(globals(cmd)).setCurrent(name);
      printer.print(`Credentials for server "${name}" set as active`, { name, active: true });
    });

  auth
    .command('list')
    .description('Print a list of the registered credentials')
    .action((_o: unknown, cmd: Command) => {
      const list = Object.values(credentialsStore(globals(cmd)).read()).sort((a, b) => a.name.localeCompare(b.name));
      if (list.length === 0) throw new CliError('there are no registered credentials, maybe you need to use login first');
      if (printer.format === 'json') {
        for (const c of list) printer.print('', publicView(c));
        return;
      }
      const w = (k: keyof Credentials, title: string) => Math.max(title.length, ...list.map((c) => String(c[k]).length));
      const [wn, wu, wi] = [w('name', 'Name'), w('username', 'Username'), w('instanceUrl', 'InstanceURL')];
      printer.print(`\n    | Active | ${'Name'.padStart(wn)} | ${'Username'.padStart(wu)} | ${'InstanceURL'.padStart(wi)} |`);
      printer.print(`    |${'-'.repeat(8)}|${'-'.repeat(wn + 2)}|${'-'.repeat(wu + 2)}|${'-'.repeat(wi + 2)}|`);
      for (const c of list) {
        printer.print(`    |      ${c.active ? '*' : ' '} | ${c.name.padStart(wn)} | ${c.username.padStart(wu)} | ${c.instanceUrl.padStart(wi)} |`);
      }
      printer.print('');
    });

  auth
    .command('renew')
    .description('Renews the credentials for a given server')
    .argument('<server-name>')
    .option('-p, --password <password>', 'Password for the credentials')
    .option('-f, --password-file <file>', 'Password file to be read for the credentials')
    .option('-a, --access-token <token>', 'Access token to use instead of username/password')
    .option('-t, --access-token-file <file>', 'Access token file to be read to use instead of username/password')
    .option('-m, --mfa-token <token>', 'MFA token for the credentials')
    .action(async (name: string, o: Record<string, string | undefined>, cmd: Command) => {
      printer.single = true;
      const store = credentialsStore(globals(cmd));
      const c = store.get(name);
      twoOf(o.password, o.passwordFile, 'passwords');
      twoOf(o.accessToken, o.accessTokenFile, 'access tokens');
      const password = o.password ?? secretFromFile(o.passwordFile, 'password');
      const accessToken = o.accessToken ?? secretFromFile(o.accessTokenFile, 'access-token');
      if (c.authMethod === 'T' && !accessToken) throw new CliError('requires the --access-token parameter to be set');
      if (c.authMethod === 'M' && !o.mfaToken) throw new CliError('requires the --mfa-token parameter to be set');
      const got =
        c.authMethod === 'T'
          ? await authenticate(c.instanceUrl, { accessToken })
          : await authenticate(c.instanceUrl, { username: c.username, password: password ?? (await askSecret('Password: ')), mfaToken: o.mfaToken });
      store.save({ ...c, authToken: got.token }, c.active);
      printer.print(`Credentials for server "${name}" successfully renewed`, publicView(c));
    });

  auth
    .command('delete')
    .description('Delete credentials by their name')
    .argument('<server-name>')
    .action((name: string, _o: unknown, cmd: Command) => {
      printer.single = true;
      credentialsStore(globals(cmd)).delete(name);
      printer.print(`Credentials for server "${name}" deleted`, { name, deleted: true });
    });

  auth
    .command('logout')
    .description('Revoke the session of a connection on its server (POST /users/logout) and delete its credentials; the current one by default')
    .argument('[server-name]')
    .action(async (name: string | undefined, _o: unknown, cmd: Command) => {
      printer.single = true;
      const store = credentialsStore(globals(cmd));
      const c = name ? store.get(name) : store.current();
      state.target = c.instanceUrl;
      // A personal access token is not a login: it stays valid (revoke it with the token API).
      if (c.authMethod !== 'T') {
        const client = newClient(c.instanceUrl);
        client.setToken(c.authToken);
        await client.logout();
      }
      store.delete(c.name);
      printer.print(`Logged out of "${c.name}" (${c.instanceUrl}); its credentials are deleted`, { name: c.name, instanceUrl: c.instanceUrl, loggedOut: true });
    });

  auth
    .command('clean')
    .description('Clean all the currently stored credentials')
    .action((_o: unknown, cmd: Command) => {
      credentialsStore(globals(cmd)).clean();
    });

  return auth;
}

function publicView(c: Credentials) {
  return { name: c.name, username: c.username, instanceUrl: c.instanceUrl, authMethod: c.authMethod, active: c.active };
}
