/**
 * The app's URLs, as Mattermost's web app names them, and the one place that reads and writes
 * them. The URL is the source of truth for where the person is (team, channel, screen); the
 * store keeps the parsed Route (state/app-state.ts) and actions/navigation.ts keeps the two in step.
 *
 * A new screen adds a variant here, its case in parseRoute and routePath (and a line in
 * route.spec.ts), and its component in app/App.tsx.
 */
export type Route =
  | { screen: 'root' }
  | { screen: 'login'; redirectTo: string; extra: string }
  /**
   * Sign-up (/signup_user_complete). An invitation link adds `token` (a mailed invitation, `?t=`,
   * with `data` — the `?d=` JSON of the invited address and team the mail's link carries) or
   * `inviteId` (a team's invite link, `?id=`); signed-in people opening one join the team instead.
   */
  | { screen: 'signup'; token: string; inviteId: string; data: string }
  /** The "forgot your password" form: mails a reset link (/reset_password). */
  | { screen: 'reset_password' }
  /** A mailed password reset link: the new password (/reset_password_complete?token=). */
  | { screen: 'reset_password_complete'; token: string }
  /** A mailed verification link (/do_verify_email?token=&email=): verified on arrival. */
  | { screen: 'do_verify_email'; token: string; email: string }
  /** "Check your inbox" after a sign-up or a login refused until the address is verified (/should_verify_email?email=). */
  | { screen: 'should_verify_email'; email: string }
  | { screen: 'create_team' }
  | { screen: 'select_team' }
  | { screen: 'error'; type: string; message: string }
  | { screen: 'admin_console'; section: string }
  /** A team's URL without a channel: opens its default channel. */
  | { screen: 'team'; team: string }
  | { screen: 'channel'; team: string; channel: string }
  | { screen: 'direct'; team: string; username: string }
  /** A group message, by its channel name (Mattermost's /{team}/messages/{name}). */
  | { screen: 'group'; team: string; channel: string }
  /** The followed threads of a team (collapsed reply threads), with one open when `thread` is set. */
  | { screen: 'threads'; team: string; thread: string }
  /** A post's permalink (/{team}/pl/{post_id}, as notification mails link): opens its channel at the post. */
  | { screen: 'permalink'; team: string; postId: string }
  /**
   * The consent step of an OAuth app's sign-in (the server serves the app at /oauth/authorize only
   * when the person must choose); `params` is the authorization request's query, as the app sent it.
   */
  | { screen: 'oauth_authorize'; params: string }
  | { screen: 'not_found'; path: string };

export type ScreenName = Route['screen'];

/** The channel every team has (Mattermost's DEFAULT_CHANNEL). */
export const DEFAULT_CHANNEL = 'town-square';

const segment = (s: string): string => {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
};

/** The route of a URL's path and query (window.location's pathname and search). */
export function parseRoute(pathname: string, search = ''): Route {
  const query = new URLSearchParams(search);
  const parts = pathname.split('/').filter(Boolean).map(segment);
  const [first, second, third] = parts;
  if (first === undefined) return { screen: 'root' };
  switch (first) {
    case 'login':
      if (parts.length === 1) return { screen: 'login', redirectTo: safeRedirect(query.get('redirect_to')), extra: query.get('extra') ?? '' };
      break;
    case 'signup_user_complete':
      if (parts.length === 1) return { screen: 'signup', token: query.get('t') ?? '', inviteId: query.get('id') ?? '', data: query.get('d') ?? '' };
      break;
    case 'reset_password':
      if (parts.length === 1) return { screen: 'reset_password' };
      break;
    case 'reset_password_complete':
      if (parts.length === 1) return { screen: 'reset_password_complete', token: query.get('token') ?? '' };
      break;
    case 'do_verify_email':
      if (parts.length === 1) return { screen: 'do_verify_email', token: query.get('token') ?? '', email: query.get('email') ?? '' };
      break;
    case 'should_verify_email':
      if (parts.length === 1) return { screen: 'should_verify_email', email: query.get('email') ?? '' };
      break;
    case 'create_team':
      if (parts.length === 1) return { screen: 'create_team' };
      break;
    case 'select_team':
      if (parts.length === 1) return { screen: 'select_team' };
      break;
    case 'error':
      if (parts.length === 1) return { screen: 'error', type: query.get('type') ?? '', message: query.get('message') ?? '' };
      break;
    case 'admin_console':
      return { screen: 'admin_console', section: parts.slice(1).join('/') };
    case 'oauth':
      if (parts.length === 2 && second === 'authorize') return { screen: 'oauth_authorize', params: query.toString() };
      break;
    default:
      if (parts.length === 1) return { screen: 'team', team: first };
      if (parts.length === 3 && second === 'channels' && third) return { screen: 'channel', team: first, channel: third };
      if (second === 'threads' && parts.length <= 3) return { screen: 'threads', team: first, thread: third ?? '' };
      if (parts.length === 3 && second === 'pl' && third) return { screen: 'permalink', team: first, postId: third };
      if (parts.length === 3 && second === 'messages' && third?.startsWith('@') && third.length > 1) {
        return { screen: 'direct', team: first, username: third.slice(1) };
      }
      // A group message's name is the SHA-1 of its members' ids, in hex (the server's groupChannelName).
      if (parts.length === 3 && second === 'messages' && third && /^[0-9a-f]{40}$/.test(third)) return { screen: 'group', team: first, channel: third };
  }
  return { screen: 'not_found', path: pathname };
}

/** The URL (path and query) of a route; parseRoute(routePath(r)) gives r back. */
export function routePath(route: Route): string {
  const e = encodeURIComponent;
  const withQuery = (path: string, params: Record<string, string>) => {
    const query = new URLSearchParams(Object.entries(params).filter(([, v]) => v !== '')).toString();
    return query ? `${path}?${query}` : path;
  };
  switch (route.screen) {
    case 'root':
      return '/';
    case 'login':
      return withQuery('/login', { redirect_to: route.redirectTo, extra: route.extra });
    case 'signup':
      return withQuery('/signup_user_complete', { d: route.data, t: route.token, id: route.inviteId });
    case 'reset_password':
      return '/reset_password';
    case 'reset_password_complete':
      return withQuery('/reset_password_complete', { token: route.token });
    case 'do_verify_email':
      return withQuery('/do_verify_email', { token: route.token, email: route.email });
    case 'should_verify_email':
      return withQuery('/should_verify_email', { email: route.email });
    case 'create_team':
      return '/create_team';
    case 'select_team':
      return '/select_team';
    case 'error':
      return withQuery('/error', { type: route.type, message: route.message });
    case 'admin_console':
      return `/admin_console${route.section ? `/${route.section.split('/').map(e).join('/')}` : ''}`;
    case 'team':
      return `/${e(route.team)}`;
    case 'channel':
      return `/${e(route.team)}/channels/${e(route.channel)}`;
    case 'direct':
      return `/${e(route.team)}/messages/@${e(route.username)}`;
    case 'group':
      return `/${e(route.team)}/messages/${e(route.channel)}`;
    case 'threads':
      return `/${e(route.team)}/threads${route.thread ? `/${e(route.thread)}` : ''}`;
    case 'permalink':
      return `/${e(route.team)}/pl/${e(route.postId)}`;
    case 'oauth_authorize':
      return route.params ? `/oauth/authorize?${route.params}` : '/oauth/authorize';
    case 'not_found':
      return route.path;
  }
}

/**
 * A redirect target that stays on this site: a path with one leading slash ('//host' and '/\host'
 * are other hosts to a browser), else ''. Login pages honour redirect_to only through this.
 */
export function safeRedirect(to: string | null | undefined): string {
  if (!to || !to.startsWith('/') || /^\/[/\\]/.test(to)) return '';
  return to;
}

/** Screens a signed-out person may see (the mailed links' pages among them); every other screen sends them to the login page first. */
const PUBLIC_SCREENS: ReadonlySet<ScreenName> = new Set<ScreenName>([
  'login',
  'signup',
  'reset_password',
  'reset_password_complete',
  'do_verify_email',
  'should_verify_email',
  'error',
  'not_found',
]);

export function isPublicScreen(screen: ScreenName): boolean {
  return PUBLIC_SCREENS.has(screen);
}

/** The sign-up page without an invitation. */
export const SIGNUP: Route = { screen: 'signup', token: '', inviteId: '', data: '' };

/**
 * Where the session sends a route instead (a path), or undefined to stay: signed-out people go to
 * the login page with the path they asked for as redirect_to; signed-in people skip the login and
 * sign-up pages (to redirect_to, or the root, which opens their team) — except an invitation's
 * sign-up link, which they use to join its team (actions/routing.ts).
 */
export function sessionRedirect(route: Route, status: 'signed-in' | 'signed-out', path: string): string | undefined {
  if (status === 'signed-out') {
    if (isPublicScreen(route.screen)) return undefined;
    return routePath({ screen: 'login', redirectTo: route.screen === 'root' ? '' : safeRedirect(path), extra: '' });
  }
  if (route.screen === 'login') return route.redirectTo || '/';
  if (route.screen === 'signup' && !route.token && !route.inviteId) return '/';
  return undefined;
}
