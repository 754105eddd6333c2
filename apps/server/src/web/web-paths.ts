/**
 * Which GETs the web app's index.html answers (its client routes: /, /login, /{team}/channels/{channel},
 * /admin_console/…) and which stay the server's. The server's routes are matched before the web app
 * (main.ts mounts it last), so this only decides what a path under a server prefix gets when no
 * route matched it: a 404, never the app, so that a mistyped API or asset URL is not answered
 * with HTML and a 200.
 */
const SERVER_PATHS: readonly RegExp[] = [
  // API v4 (and any other version): JSON 404s.
  /^\/api(\/|$)/,
  // The web app's own files.
  /^\/static(\/|$)/,
  // The sign-in methods' browser routes (sso/web-sign-in.ts WEB_ROUTES), as in Mattermost.
  /^\/login\/sso(\/|$)/,
  /^\/oauth(\/|$)/,
  /^\/(signup|login)\/[^/]+\/complete$/,
  // Public file links (Mattermost's /files/{id}/public) and plugin and webhook routes to come.
  /^\/files\/[^/]+\/public$/,
  /^\/plugins(\/|$)/,
  /^\/hooks(\/|$)/,
];

/** Whether `path` (no query) belongs to the server rather than the web app. */
export function isServerPath(path: string): boolean {
  return SERVER_PATHS.some((re) => re.test(path));
}

/** Whether `path` is one of the API's (answered as JSON, also when nothing matched). */
export const isApiPath = (path: string): boolean => /^\/api(\/|$)/.test(path);
