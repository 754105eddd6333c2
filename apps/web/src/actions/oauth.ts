/**
 * The consent step of an OAuth app's sign-in: the app's public details (GET /oauth/apps/{id}/info,
 * never its secret), then the person's answer. Allowing posts the request to the server
 * (POST /oauth/authorize), which answers where to send the browser, with the code; denying sends
 * the browser back to the app with error=access_denied, as Mattermost's consent page does.
 */
import type { OAuthApp } from '@mattermost/types/integrations';
import { client } from '../api/client';
import { errorMessage } from '../api/errors';

/** The authorization request of the page's URL. */
export interface AuthorizeParams {
  responseType: string;
  clientId: string;
  redirectUri: string;
  state: string;
  scope: string;
  codeChallenge: string;
  codeChallengeMethod: string;
}

export function authorizeParams(query: string): AuthorizeParams {
  const q = new URLSearchParams(query);
  const get = (key: string) => q.get(key) ?? '';
  return {
    responseType: get('response_type'),
    clientId: get('client_id'),
    redirectUri: get('redirect_uri'),
    state: get('state'),
    scope: get('scope'),
    codeChallenge: get('code_challenge'),
    codeChallengeMethod: get('code_challenge_method'),
  };
}

export type AppInfo = { status: 'ok'; app: OAuthApp } | { status: 'error'; message: string };

export async function loadOAuthApp(clientId: string): Promise<AppInfo> {
  try {
    return { status: 'ok', app: await client.getOAuthAppInfo(clientId) };
  } catch (err) {
    return { status: 'error', message: errorMessage(err) };
  }
}

/** Allows the app; resolves with an error message, or never (the browser leaves for the app). */
export async function allowOAuthApp(p: AuthorizeParams): Promise<string> {
  try {
    const { redirect } = (await client.authorizeOAuthApp(
      p.responseType,
      p.clientId,
      p.redirectUri,
      p.state,
      p.scope,
      undefined,
      p.codeChallenge || undefined,
      p.codeChallengeMethod || undefined,
    )) as unknown as { redirect: string };
    window.location.assign(redirect);
    return new Promise<string>(() => undefined);
  } catch (err) {
    return errorMessage(err);
  }
}

/** Denies the app: back to its callback (one it registered) with error=access_denied and its state. */
export function denyOAuthApp(p: AuthorizeParams, app: OAuthApp): void {
  if (!app.callback_urls.includes(p.redirectUri)) return;
  const url = new URL(p.redirectUri);
  url.searchParams.set('error', 'access_denied');
  if (p.state) url.searchParams.set('state', p.state);
  window.location.assign(url.toString());
}
