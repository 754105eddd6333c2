import { createHash, timingSafeEqual } from 'node:crypto';
import { isValidHttpUrl } from '../common/outbound/integration-request.js';

export { isValidHttpUrl };
import { badRequest, isUnstorableText, isValidId, runeCount } from '#common';

/** An OAuth 2.0 client registered with this server (model.OAuthApp, without the dynamic-registration fields). */
export interface OAuthAppRow {
  id: string;
  creator_id: string;
  create_at: number;
  update_at: number;
  client_secret: string;
  name: string;
  description: string;
  icon_url: string;
  callback_urls: string[];
  homepage: string;
  is_trusted: boolean;
  mattermost_app_id: string;
}

/** What a client may set when it registers or updates an app. */
export type OAuthAppInput = Pick<OAuthAppRow, 'name' | 'description' | 'icon_url' | 'callback_urls' | 'homepage' | 'is_trusted' | 'mattermost_app_id'>;

/** The wire shape; `withSecret` false blanks the secret (OAuthApp.Sanitize). */
export function oauthAppView(app: OAuthAppRow, withSecret: boolean) {
  return { ...app, client_secret: withSecret ? app.client_secret : '' };
}

function invalid(field: string, appId: string): never {
  throw badRequest(`model.oauth.is_valid.${field}.app_error`, `Invalid ${field.replace(/_/g, ' ')}.`, appId ? `app_id=${appId}` : '');
}

/** OAuthApp.IsValid, for the fields this server keeps. */
export function validateOAuthApp(app: OAuthAppRow): void {
  if (!isValidId(app.id)) invalid('app_id', '');
  if (!isValidId(app.creator_id)) invalid('creator_id', app.id);
  if (!app.client_secret || app.client_secret.length > 128) invalid('client_secret', app.id);
  if (!app.name || app.name.length > 64 || isUnstorableText(app.name)) invalid('name', app.id);
  // Mattermost bounds the list as Go prints it ("[a b]"): the URLs and a separator each.
  const printed = app.callback_urls.join(' ').length + 2;
  if (app.callback_urls.length === 0 || printed > 1024 || !app.callback_urls.every(isValidHttpUrl)) invalid('callback', app.id);
  if (!app.homepage || app.homepage.length > 256 || !isValidHttpUrl(app.homepage)) invalid('homepage', app.id);
  if (runeCount(app.description) > 512 || isUnstorableText(app.description)) invalid('description', app.id);
  if (app.icon_url && (app.icon_url.length > 512 || !isValidHttpUrl(app.icon_url))) invalid('icon_url', app.id);
  if (app.mattermost_app_id.length > 32 || isUnstorableText(app.mattermost_app_id)) invalid('mattermost_app_id', app.id);
}

/** OAuthApp.IsValidRedirectURL: one of the registered callbacks, exactly. */
export function isRegisteredCallback(app: Pick<OAuthAppRow, 'callback_urls'>, url: string): boolean {
  return app.callback_urls.includes(url);
}

/** Compares two secrets in constant time (crypto/subtle.ConstantTimeCompare), whatever their lengths: their digests are compared. */
export function secretsMatch(expected: string, given: string): boolean {
  const a = createHash('sha256').update(expected).digest();
  const b = createHash('sha256').update(given).digest();
  return timingSafeEqual(a, b);
}
