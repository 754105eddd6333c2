/** Clients and users: everything goes through Mattermost's own client library, as a real client would. */
import { randomBytes } from 'node:crypto';
import mm from '@mattermost/client';
import type { Client4 as Client4Type } from '@mattermost/client';
import type { UserProfile } from '@mattermost/types/users';
import { caDispatcher } from './tls-client.js';

const { Client4 } = mm;

/** Client4 whose requests trust only the test CA it was given (https servers under test). */
class TrustingClient4 extends Client4 {
  constructor(private readonly dispatcher: object) {
    super();
  }

  getOptions(options: Parameters<Client4Type['getOptions']>[0]) {
    return { ...super.getOptions(options), dispatcher: this.dispatcher };
  }
}

/**
 * A new unauthenticated client for a server's (or nginx's) base URL; for an https URL served
 * with a test CA's certificate, give the CA (caFile): the client then trusts it and nothing else.
 */
export function clientFor(url: string, caFile?: string): Client4Type {
  const c = caFile ? new TrustingClient4(caDispatcher(caFile)) : new Client4();
  c.setUrl(url);
  return c;
}

export interface NewUser {
  client: Client4Type;
  user: UserProfile;
  password: string;
}

export interface SignUpOptions {
  /** Default: `<prefix><n><random hex>`. */
  username?: string;
  prefix?: string;
  /** Default: `Passw0rd!<n>`. */
  password?: string;
  /** Creates the account (e.g. an admin's client, for a closed server); default: a new client of `url`. */
  creator?: Client4Type;
  /** The test CA of an https server (see clientFor). */
  caFile?: string;
}

let userCounter = 0;

/**
 * Signs up a new user on the server at `url` and logs in with a client of its own (the first user
 * of a server is its system admin).
 */
export async function signUp(url: string, opts: SignUpOptions = {}): Promise<NewUser> {
  const n = ++userCounter;
  const username = opts.username ?? `${opts.prefix ?? 'user'}${n}${randomBytes(3).toString('hex')}`;
  const password = opts.password ?? `Passw0rd!${n}`;
  const creator = opts.creator ?? clientFor(url, opts.caFile);
  await creator.createUser({ username, email: `${username}@example.com`, password } as UserProfile, '', '');
  const client = clientFor(url, opts.caFile);
  const user = await client.login(username, password);
  return { client, user, password };
}

/** Runs `fn` and returns the ClientError it throws (fails if it does not throw). */
export async function expectClientError(fn: () => Promise<unknown>): Promise<{ status_code: number; server_error_id: string; message: string }> {
  try {
    await fn();
  } catch (err: any) {
    return err;
  }
  throw new Error('expected the call to fail');
}
