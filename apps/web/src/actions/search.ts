/**
 * Searching a team's messages and files, and jumping from a result to the message in its channel.
 * The terms go to the server as typed (it parses Mattermost's syntax), as an AND search
 * (is_or_search=false) with the browser's time zone for before:/after:/on:.
 */
import type { Channel } from '@mattermost/types/channels';
import type { FileInfo } from '@mattermost/types/files';
import type { Post, PostList } from '@mattermost/types/posts';
import { client } from '../api/client';
import { errorMessage } from '../api/errors';
import { directPartnerId, itemRoute } from '../state/channels';
import { receivedChannelPosts } from '../state/posts';
import {
  highlightSet,
  receivedFileResults,
  receivedPostResults,
  receivedResultChannels,
  searchClosed,
  searchFailed,
  searchStarted,
  tabChosen,
  timeZoneOffsetSeconds,
  type SearchTab,
} from '../state/search';
import { currentTeam } from '../state/selectors';
import { currentUserId } from '../state/session';
import { store, update } from '../state/store';
import { navigate } from './navigation';
import { loadMissingProfiles } from './users';

/** As many results as one page shows (Mattermost's web app asks for 20 at a time; one longer page here). */
const RESULTS_PER_PAGE = 60;
/** How many posts on each side of a message jumped to are loaded when it is not among the channel's newest. */
const AROUND = 30;

export async function search(teamId: string, terms: string): Promise<void> {
  const trimmed = terms.trim();
  if (!trimmed) return;
  update('search', (s) => searchStarted(s, trimmed));
  const id = store.get().search.id;
  const params = {
    terms: trimmed,
    is_or_search: false,
    time_zone_offset: timeZoneOffsetSeconds(),
    include_deleted_channels: false,
    page: 0,
    per_page: RESULTS_PER_PAGE,
  };
  const messages = client
    .searchPostsWithParams(teamId, params)
    .then(async (list) => {
      await loadContext(Object.values(list.posts ?? {}));
      update('search', (s) => receivedPostResults(s, id, list));
    })
    .catch((err: unknown) => update('search', (s) => searchFailed(s, id, 'messages', errorMessage(err))));
  const files = client
    .searchFilesWithParams(teamId, params)
    .then(async (list) => {
      const infos = list.file_infos as unknown as Record<string, FileInfo>;
      await loadContext(Object.values(infos ?? {}));
      update('search', (s) => receivedFileResults(s, id, { order: list.order ?? [], file_infos: infos ?? {} }));
    })
    .catch((err: unknown) => update('search', (s) => searchFailed(s, id, 'files', errorMessage(err))));
  await Promise.all([messages, files]);
}

export const chooseSearchTab = (tab: SearchTab): void => update('search', (s) => tabChosen(s, tab));
export const closeSearch = (): void => update('search', searchClosed);

/** Opens the message's channel, scrolled to the message and highlighted (screens/search/use-highlight.ts). */
export async function jumpToPost(post: Post): Promise<void> {
  const team = currentTeam(store.get());
  const channel = await channelOf(post.channel_id);
  if (!team || !channel) return;
  await focusPost(team.name, channel, post);
}

/**
 * Opens `channel` in the team named `teamName` at `post`: scrolled to it and highlighted, with
 * the posts around it loaded when it is not among the newest (search results, permalinks).
 * `replace` when this stands for the URL that led here (a permalink), so that Back skips it.
 */
export async function focusPost(teamName: string, channel: Channel, post: Post, opts: { replace?: boolean } = {}): Promise<void> {
  const me = currentUserId(store.get().session);
  if (channel.type === 'D') await loadMissingProfiles([directPartnerId(channel, me)]);
  update('search', (s) => highlightSet(s, post.id));
  navigate(itemRoute(teamName, channel, me, store.get().users.profiles), opts);
  await showInChannel(channel.id, post.id);
}

/** The authors' profiles and the channels of results, for their names. */
async function loadContext(results: { user_id: string; channel_id: string }[]): Promise<void> {
  await loadMissingProfiles(results.map((r) => r.user_id)).catch(() => undefined);
  const { channels, search: state } = store.get();
  const unknown = [...new Set(results.map((r) => r.channel_id))].filter((id) => id && !channels.byId[id] && !state.channels[id]);
  const found: (Channel | undefined)[] = await Promise.all(unknown.map((id) => client.getChannel(id).catch(() => undefined)));
  update('search', (s) =>
    receivedResultChannels(
      s,
      found.filter((c): c is Channel => !!c),
    ),
  );
  const me = currentUserId(store.get().session);
  await loadMissingProfiles(found.filter((c) => c?.type === 'D').map((c) => directPartnerId(c!, me))).catch(() => undefined);
}

/** A channel by id: the sidebar's or search's copy, else the server's (undefined when it will not say). */
export async function channelOf(channelId: string): Promise<Channel | undefined> {
  const { channels, search: state } = store.get();
  return channels.byId[channelId] ?? state.channels[channelId] ?? client.getChannel(channelId).catch(() => undefined);
}

/**
 * Once the channel's newest posts are loaded (by the route's loader), makes sure the message is
 * among them; an older one brings the posts around it instead, so that it can be shown.
 */
async function showInChannel(channelId: string, postId: string): Promise<void> {
  await channelLoaded(channelId);
  if (store.get().posts.byChannel[channelId]?.order.includes(postId)) return;
  const [before, after, post] = await Promise.all([
    client.getPostsBefore(channelId, postId, 0, AROUND),
    client.getPostsAfter(channelId, postId, 0, AROUND),
    client.getPost(postId),
  ]);
  const list: PostList = {
    order: [...after.order, postId, ...before.order],
    posts: { ...before.posts, ...after.posts, [postId]: post },
    next_post_id: '',
    prev_post_id: '',
    first_inaccessible_post_time: 0,
  };
  update('posts', (s) => receivedChannelPosts(s, channelId, list));
  await loadMissingProfiles(Object.values(list.posts).map((p) => p.user_id));
}

/** Resolves when the channel's posts are in the state (or after a while, whatever happened). */
function channelLoaded(channelId: string, timeoutMs = 10_000): Promise<void> {
  if (store.get().posts.byChannel[channelId]) return Promise.resolve();
  return new Promise((resolve) => {
    const stop = store.subscribe(() => {
      if (!store.get().posts.byChannel[channelId]) return;
      stop();
      clearTimeout(timer);
      resolve();
    });
    const timer = setTimeout(() => {
      stop();
      resolve();
    }, timeoutMs);
  });
}
