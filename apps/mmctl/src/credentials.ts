import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { CliError } from './errors.js';

/**
 * mmctl's credentials file (commands/auth_utils.go): a JSON object of connection name →
 * credentials, at `$XDG_CONFIG_HOME/mmctl/config` (default `~/.config/mmctl/config`, or `--config`),
 * written with mode 0600 in a 0700 folder. The same field names, so the file reads the same.
 */
export interface Credentials {
  name: string;
  username: string;
  authToken: string;
  /** P: password, T: personal access token, M: password with MFA. */
  authMethod: 'P' | 'T' | 'M';
  instanceUrl: string;
  active: boolean;
}

export type CredentialsList = Record<string, Credentials>;

export const DEFAULT_CONFIG_PATH = join('$XDG_CONFIG_HOME', 'mmctl', 'config');

export function resolveConfigPath(configured: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  const xdg = env.XDG_CONFIG_HOME || join(homedir(), '.config');
  return (configured || DEFAULT_CONFIG_PATH).replace('$HOME', homedir()).replace('$XDG_CONFIG_HOME', xdg);
}

export class CredentialsStore {
  constructor(readonly path: string) {}

  read(): CredentialsList {
    if (!existsSync(this.path)) throw new CliError(`cannot read user credentials, maybe you need to use login first: ${this.path} does not exist`);
    try {
      const parsed = JSON.parse(readFileSync(this.path, 'utf8')) as unknown;
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not a JSON object');
      return parsed as CredentialsList;
    } catch (err) {
      throw new CliError(`there was a problem parsing the credentials file: ${(err as Error).message}`);
    }
  }

  private readOrEmpty(): CredentialsList {
    return existsSync(this.path) ? this.read() : {};
  }

  write(list: CredentialsList): void {
    mkdirSync(dirname(this.path), { recursive: true, mode: 0o700 });
    writeFileSync(this.path, JSON.stringify(list, null, 4), { mode: 0o600 });
    chmodSync(this.path, 0o600); // an older file may have had another mode
  }

  current(): Credentials {
    const found = Object.values(this.read()).find((c) => c.active);
    if (!found) throw new CliError('no current context available. please use the "auth set" command');
    return found;
  }

  get(name: string): Credentials {
    const found = this.read()[name];
    if (!found) throw new CliError(`couldn't find credentials for connection "${name}"`);
    return found;
  }

  /** Adds or replaces a connection; the first one saved becomes the active one. */
  save(credentials: Credentials, activate: boolean): void {
    const list = this.readOrEmpty();
    const first = Object.keys(list).length === 0;
    list[credentials.name] = { ...credentials, active: list[credentials.name]?.active ?? false };
    if (first || activate) for (const c of Object.values(list)) c.active = c.name === credentials.name;
    this.write(list);
  }

  setCurrent(name: string): void {
    const list = this.read();
    if (!list[name]) throw new CliError(`cannot find credentials for server "${name}"`);
    for (const c of Object.values(list)) c.active = c.name === name;
    this.write(list);
  }

  delete(name: string): Credentials {
    const list = this.read();
    const found = list[name];
    if (!found) throw new CliError(`cannot find credentials for server name "${name}"`);
    delete list[name];
    this.write(list);
    return found;
  }

  clean(): void {
    rmSync(this.path, { force: true });
  }
}
