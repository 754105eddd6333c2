import { statSync } from 'node:fs';
import mm from '@mattermost/client';
import { CredentialsStore, resolveConfigPath } from './credentials.js';
import { CliError, describeError } from './errors.js';
import { unixSocketFetch } from './unix-fetch.js';

const { Client4 } = mm;

export interface ApiOptions {
  /** Sent as JSON. */
  body?: unknown;
  /** Sent as is (an upload's bytes). */
  raw?: BodyInit;
  headers?: Record<string, string>;
  /** Return error answers instead of throwing (system status reads the unhealthy body). */
  ignoreStatus?: boolean;
}

/** An API error as Client4's ClientError carries it. */
export function serverError(status: number, body: unknown, url: string): Error {
  const b = (body && typeof body === 'object' ? body : {}) as { message?: string; id?: string; status_code?: number; detailed_error?: string };
  return Object.assign(new Error(b.message || `the server answered ${status}`), {
    server_error_id: b.id ?? '',
    status_code: b.status_code ?? status,
    detailed_error: b.detailed_error ?? '',
    url,
  });
}

/**
 * Client4, plus one way to call the routes it has no method for (exports, imports, uploads,
 * channel move, private channel lists): the same URL base, headers and token, and errors shaped
 * as Client4's.
 */
export class MmctlClient extends Client4 {
  async api<T>(method: string, path: string, opts: ApiOptions = {}): Promise<{ data: T; headers: Headers; status: number }> {
    const url = `${this.getBaseRoute()}${path}`;
    const body = opts.raw ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body));
    const init = this.getOptions({ method, body, headers: opts.headers }) as RequestInit;
    if (opts.raw) Object.assign(init, { duplex: 'half' });
    const res = await fetch(url, init);
    const type = res.headers.get('content-type') ?? '';
    const data = (type.startsWith('application/json') ? await res.json().catch(() => undefined) : await res.text()) as T;
    if (!res.ok && !opts.ignoreStatus) throw serverError(res.status, data, url);
    return { data, headers: res.headers, status: res.status };
  }

  async call<T>(method: string, path: string, opts: ApiOptions = {}): Promise<T> {
    return (await this.api<T>(method, path, opts)).data;
  }
}

/** model.LocalModeSocketPath, mmctl's default for --local (MMCTL_LOCAL_SOCKET_PATH overrides it). */
export const DEFAULT_LOCAL_SOCKET = '/var/tmp/mattermost_local.socket';
export const MMCTL_VERSION = '10.11.0';

/** The options every command has (mmctl's persistent flags; MMCTL_* variables as viper reads them). */
export interface GlobalOptions {
  json?: boolean;
  format?: string;
  local?: boolean;
  config?: string;
  quiet?: boolean;
}

export interface Connection {
  client: MmctlClient;
  local: boolean;
  /** What error messages and list statistics name: the URL, or "local instance". */
  target: string;
}

export function isLocal(opts: GlobalOptions, env: NodeJS.ProcessEnv = process.env): boolean {
  return !!opts.local || /^(1|true|yes)$/i.test(env.MMCTL_LOCAL ?? '');
}

export function credentialsStore(opts: GlobalOptions, env: NodeJS.ProcessEnv = process.env): CredentialsStore {
  return new CredentialsStore(resolveConfigPath(opts.config ?? env.MMCTL_CONFIG, env));
}

export function newClient(url: string): MmctlClient {
  const client = new MmctlClient();
  client.setUrl(url);
  client.setUserAgent(`mmctl/${MMCTL_VERSION} (${process.platform})`);
  client.setIncludeCookies(false);
  return client;
}

/**
 * mmctl's checkValidSocket: the socket must exist, be a socket with mode 0600 and belong to the
 * user running mmctl (or mmctl runs as root), so nobody else's socket is trusted.
 */
export function checkValidSocket(path: string): void {
  let st;
  try {
    st = statSync(path);
  } catch {
    throw new CliError(
      `socket file "${path}" doesn't exist, please check the server configuration for local mode (ServiceSettings.EnableLocalMode, LocalModeSocketLocation)`,
    );
  }
  if (!st.isSocket() || (st.mode & 0o777) !== 0o600) throw new CliError(`invalid file mode for file "${path}", it must be a socket with 0600 permissions`);
  const uid = process.getuid?.();
  if (uid !== undefined && uid !== 0 && st.uid !== uid) throw new CliError(`owner of the file "${path}" must be the same user running mmctl`);
}

/**
 * mmctl's withClient: --local talks to the socket with no token; otherwise the active stored
 * credentials are used and checked with GET /users/me (so a dead server or an expired token is
 * reported before the command does anything).
 */
export async function connect(opts: GlobalOptions, env: NodeJS.ProcessEnv = process.env): Promise<Connection> {
  if (isLocal(opts, env)) {
    const socket = env.MMCTL_LOCAL_SOCKET_PATH || DEFAULT_LOCAL_SOCKET;
    checkValidSocket(socket);
    globalThis.fetch = unixSocketFetch(socket);
    return { client: newClient('http://_'), local: true, target: `the local socket ${socket}` };
  }
  const creds = credentialsStore(opts, env).current();
  const client = newClient(creds.instanceUrl);
  client.setToken(creds.authToken);
  try {
    await client.getMe();
  } catch (err) {
    throw wrapConnect(err, creds.instanceUrl);
  }
  return { client, local: false, target: creds.instanceUrl };
}

/** A server that does not answer is named; a refused token gets mmctl's prefix and a hint. */
function wrapConnect(err: unknown, url: string): CliError {
  const e = err as { server_error_id?: string; status_code?: number; message?: string };
  if (e && typeof e === 'object' && 'server_error_id' in e) {
    return new CliError(
      `could not initiate client for ${url}: ${e.message ?? ''}${e.status_code === 401 ? ' (renew the credentials with "auth renew" or "auth login")' : ''}`,
    );
  }
  return new CliError(describeError(err, url));
}
