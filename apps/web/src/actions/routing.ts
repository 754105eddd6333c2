/**
 * What entering a route does: first the session's redirects (state/route.ts sessionRedirect),
 * then the screen's loader, which fetches what the screen shows (or sends the person on). The
 * screen's load status is in state.view. A new screen that needs data adds its loader to LOADERS.
 */
import { errorMessage, UserFacingError } from '../api/errors';
import { isSystemAdmin } from '../state/console';
import { DEFAULT_CHANNEL, routePath, sessionRedirect, type Route, type ScreenName } from '../state/route';
import { currentUser } from '../state/selectors';
import { store, update } from '../state/store';
import { defaultTeam, teamByName } from '../state/teams';
import { viewFinished, viewLoading } from '../state/view';
import { loadTeamChannels, openChannel, openDirect } from './channels';
import { openGroup } from './direct';
import { joinTeamFromInvitation } from './invitations';
import { verifyEmail } from './mail-links';
import { currentPath, navigate } from './navigation';
import { openPermalink } from './permalink';
import { loadChannelPosts } from './posts';
import { loadMyTeams } from './teams';
import { loadTeamThreadsOnce, loadUserThreads, settleCollapsedThreads } from './threads';
import { enteredChannel, loadChannelUnreads } from './unreads';

type Loader<S extends ScreenName> = (route: Extract<Route, { screen: S }>) => Promise<void>;

const LOADERS: { [S in ScreenName]?: Loader<S> } = {
  /** The root opens the user's first team, or the page to create one. */
  root: async () => {
    await loadMyTeams();
    const team = defaultTeam(store.get().teams);
    navigate(team ? { screen: 'channel', team: team.name, channel: DEFAULT_CHANNEL } : { screen: 'create_team' }, { replace: true });
  },
  /** A team's URL opens its default channel. */
  team: async (route) => {
    await requireTeam(route.team);
    navigate({ screen: 'channel', team: route.team, channel: DEFAULT_CHANNEL }, { replace: true });
  },
  /** A channel: the team's sidebar, the channel (joined if public and new to the user), its newest posts. */
  channel: async (route) => {
    await settleCollapsedThreads();
    const channel = await openChannel(await requireTeam(route.team), route.channel);
    await loadChannelPosts(channel.id);
    loadTeamThreadsOnce(route.team);
    enteredChannel(route.team, channel.id);
  },
  direct: async (route) => {
    await settleCollapsedThreads();
    const channel = await openDirect(await requireTeam(route.team), route.username);
    await loadChannelPosts(channel.id);
    loadTeamThreadsOnce(route.team);
    enteredChannel(route.team, channel.id);
  },
  /** The followed threads of a team (collapsed reply threads); the open one loads in its panel. */
  threads: async (route) => {
    await settleCollapsedThreads();
    const team = await requireTeam(route.team);
    await Promise.all([loadTeamChannels(team), loadUserThreads(team.id)]);
    loadChannelUnreads(route.team).catch(() => undefined);
  },
  /** A group message: one of the user's channels, by its name. */
  group: async (route) => {
    const channel = await openGroup(await requireTeam(route.team), route.channel);
    await loadChannelPosts(channel.id);
  },
  /** A post's permalink: its channel at the post (the URL becomes the channel's). */
  permalink: async (route) => {
    await openPermalink(await requireTeam(route.team), route.postId);
  },
  /** An invitation's link opened by someone signed in (sessionRedirect let them stay): they join its team. */
  signup: async (route) => {
    if (store.get().session.status === 'signed-in' && (route.token || route.inviteId)) await joinTeamFromInvitation(route.token, route.inviteId);
  },
  /** A mailed verification link: used at once (its page shows the server's answer when it cannot be). */
  do_verify_email: (route) => verifyEmail(route.token),
  create_team: () => loadMyTeams(),
  select_team: () => loadMyTeams(),
  /** The System Console's pages load their data from a lazily loaded module (the bundle budget); only for system admins. */
  admin_console: async (route) => {
    if (isSystemAdmin(currentUser(store.get()))) await (await import('./console')).loadConsoleSection(route.section);
  },
};

/** Runs on every route change once the session is known (and once at start-up). */
export async function enterRoute(route: Route): Promise<void> {
  const { session } = store.get();
  if (session.status === 'unknown') return;
  const redirect = sessionRedirect(route, session.status, currentPath());
  if (redirect !== undefined) {
    navigate(redirect, { replace: true });
    return;
  }
  const loader = LOADERS[route.screen] as Loader<ScreenName> | undefined;
  const path = routePath(route);
  if (!loader) {
    update('view', () => ({ path, status: 'ready', error: '' }));
    return;
  }
  update('view', () => viewLoading(path));
  let error = '';
  try {
    await loader(route);
  } catch (err) {
    error = errorMessage(err);
  }
  update('view', (s) => viewFinished(s, path, error));
}

/** The user's team of that name, or an error the screen shows. */
async function requireTeam(name: string) {
  await loadMyTeams();
  const team = teamByName(store.get().teams, name);
  if (!team) throw new UserFacingError(`You are not on a team named "${name}", or it does not exist.`);
  return team;
}
