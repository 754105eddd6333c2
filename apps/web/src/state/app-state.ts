/**
 * The whole app state: one slice per subject, each a plain module beside this one with its type,
 * its initial value and pure functions `(slice, …) => slice` (specs beside them). Actions
 * (src/actions) are the only writers; components read through useAppState.
 *
 * A new subject adds a slice module, a field here and its initial value in initialAppState (and
 * in signedOutState when it belongs to the signed-in user).
 */
import { initialChannels, type ChannelsState } from './channels';
import { initialConfig, type ConfigState } from './config';
import { initialConsole, type ConsoleState } from './console';
import { initialDrafts, type DraftsState } from './drafts';
import { initialCustomEmoji, type CustomEmojiState } from './custom-emoji';
import { initialFiles, type FilesState } from './files';
import { initialPosts, type PostsState } from './posts';
import { initialPermissions, type PermissionsState } from './permissions';
import { initialPreferences, type PreferencesState } from './preferences';
import type { Route } from './route';
import { initialSearch, type SearchState } from './search';
import { initialSession, signedOut, type SessionState } from './session';
import { initialStatus, type StatusState } from './status';
import { initialTeams, type TeamsState } from './teams';
import { initialThreads, type ThreadsState } from './threads';
import { initialTyping, type TypingState } from './typing';
import { initialUnreads, type UnreadsState } from './unreads';
import { initialUsers, type UsersState } from './users';
import { initialView, type ViewState } from './view';

export interface AppState {
  route: Route;
  config: ConfigState;
  session: SessionState;
  users: UsersState;
  teams: TeamsState;
  channels: ChannelsState;
  posts: PostsState;
  view: ViewState;
  /** The System Console's data (system admins only). */
  adminConsole: ConsoleState;
  drafts: DraftsState;
  search: SearchState;
  status: StatusState;
  preferences: PreferencesState;
  customEmoji: CustomEmojiState;
  threads: ThreadsState;
  files: FilesState;
  typing: TypingState;
  unreads: UnreadsState;
  /** The user's roles and what they grant (for the controls only some people see). */
  permissions: PermissionsState;
}

export function initialAppState(route: Route = { screen: 'root' }): AppState {
  return {
    route,
    config: initialConfig,
    session: initialSession,
    users: initialUsers,
    teams: initialTeams,
    channels: initialChannels,
    posts: initialPosts,
    view: initialView,
    adminConsole: initialConsole,
    drafts: initialDrafts,
    search: initialSearch,
    status: initialStatus,
    preferences: initialPreferences,
    customEmoji: initialCustomEmoji,
    threads: initialThreads,
    files: initialFiles,
    typing: initialTyping,
    unreads: initialUnreads,
    permissions: initialPermissions,
  };
}

/**
 * The state after signing out or losing the session: nothing of the user's is kept (the next
 * person on this browser must not see it); the route and the (public) config stay.
 */
export function signedOutState(state: AppState, reason: 'none' | 'logout' | 'expired'): AppState {
  return { ...initialAppState(state.route), config: state.config, session: signedOut(reason) };
}
