/**
 * The one Client4 of the app: every call to API v4 goes through it. Authentication is the
 * browser's, as in Mattermost's web app: the MMAUTHTOKEN cookie (HttpOnly; Client4 sends
 * credentials), X-Requested-With: XMLHttpRequest on every call, and on every call that changes
 * something the CSRF token of the MMCSRF cookie in X-CSRF-Token (Client4 reads the cookie).
 * The app never holds a token.
 */
import { Client4 } from '@mattermost/client';
import type { ClientResponse, Options } from '@mattermost/types/client4';
import { endsSession, type ApiError } from './errors';

type FetchWithResponse = <T>(url: string, options: Options) => Promise<ClientResponse<T>>;

let unauthorized: (err: ApiError) => void = () => undefined;

/**
 * Who hears of a call that found the session gone (a 401 saying so, from any call: expired or
 * revoked); actions/session.ts sets it. The call still fails as usual for its caller.
 */
export function onUnauthorized(handler: (err: ApiError) => void): void {
  unauthorized = handler;
}

function createClient(url: string): Client4 {
  const client = new Client4();
  client.setUrl(url);
  client.setIncludeCookies(true);
  // The cookie is the only credential: Client4.login keeps the Token header it is given, which
  // would otherwise go out as Authorization on every call (actions/session.ts also drops it).
  client.setAuthHeader = false;
  // Every request passes here (doFetch and the calls that read headers both use it).
  const raw = client as unknown as { doFetchWithResponse: FetchWithResponse };
  const fetchWithResponse = raw.doFetchWithResponse;
  raw.doFetchWithResponse = async <T>(requestUrl: string, options: Options) => {
    try {
      return await fetchWithResponse<T>(requestUrl, options);
    } catch (err) {
      if (endsSession(err)) unauthorized(err as ApiError);
      throw err;
    }
  };
  return client;
}

export const client = createClient(window.location.origin);
