/**
 * Search (the right-hand panel): the terms as typed — Mattermost's syntax, parsed by the server
 * (`from:`, `in:`, `before:`/`after:`/`on:`, "phrases", -exclusions) — and what each tab found:
 * messages (POST /teams/{t}/posts/search) and files (POST /teams/{t}/files/search). Each search
 * has a number, so that the answer to an older one never replaces a newer one's. `highlight` is
 * the post the person jumped to, until the channel view has shown it.
 */
import type { Channel } from '@mattermost/types/channels';
import type { FileInfo } from '@mattermost/types/files';
import type { Post } from '@mattermost/types/posts';

export type SearchTab = 'messages' | 'files';

export interface TabResults<T> {
  status: 'idle' | 'loading' | 'ready' | 'failed';
  error: string;
  items: T[];
}

export interface SearchState {
  open: boolean;
  terms: string;
  tab: SearchTab;
  /** The current search's number; answers for another are dropped. */
  id: number;
  messages: TabResults<Post> & { matches: Record<string, string[]> };
  files: TabResults<FileInfo>;
  /** Channels of results that are not in the sidebar's lists (looked up for their names). */
  channels: Record<string, Channel>;
  highlight: string;
}

const idle = { status: 'idle' as const, error: '', items: [] };

export const initialSearch: SearchState = {
  open: false,
  terms: '',
  tab: 'messages',
  id: 0,
  messages: { ...idle, matches: {} },
  files: idle,
  channels: {},
  highlight: '',
};

/** A new search: the panel opens on the messages tab, both tabs loading. */
export function searchStarted(state: SearchState, terms: string): SearchState {
  return {
    ...state,
    open: true,
    terms,
    tab: state.open ? state.tab : 'messages',
    id: state.id + 1,
    messages: { status: 'loading', error: '', items: [], matches: {} },
    files: { status: 'loading', error: '', items: [] },
  };
}

/** The posts found, newest first, with the words each matched (for highlighting); deleted ones left out. */
export function receivedPostResults(
  state: SearchState,
  id: number,
  list: { order: string[]; posts: Record<string, Post>; matches?: Record<string, string[]> | null },
): SearchState {
  if (id !== state.id) return state;
  const items = list.order.map((pid) => list.posts[pid]).filter((p): p is Post => !!p && !p.delete_at);
  return { ...state, messages: { status: 'ready', error: '', items, matches: list.matches ?? {} } };
}

/** The files found, in the server's order (newest first). */
export function receivedFileResults(state: SearchState, id: number, list: { order: string[]; file_infos: Record<string, FileInfo> }): SearchState {
  if (id !== state.id) return state;
  const items = list.order.map((fid) => list.file_infos[fid]).filter((f): f is FileInfo => !!f && !f.delete_at);
  return { ...state, files: { status: 'ready', error: '', items } };
}

export function searchFailed(state: SearchState, id: number, tab: SearchTab, error: string): SearchState {
  if (id !== state.id) return state;
  return tab === 'messages'
    ? { ...state, messages: { ...state.messages, status: 'failed', error } }
    : { ...state, files: { ...state.files, status: 'failed', error } };
}

export const tabChosen = (state: SearchState, tab: SearchTab): SearchState => (state.tab === tab ? state : { ...state, tab });

export function receivedResultChannels(state: SearchState, channels: Channel[]): SearchState {
  if (channels.length === 0) return state;
  return { ...state, channels: { ...state.channels, ...Object.fromEntries(channels.map((c) => [c.id, c])) } };
}

/** The panel closes; the terms stay in the box. */
export const searchClosed = (state: SearchState): SearchState => ({ ...state, open: false, id: state.id + 1, highlight: '' });

export const highlightSet = (state: SearchState, postId: string): SearchState => ({ ...state, highlight: postId });
export const highlightDone = (state: SearchState, postId: string): SearchState => (state.highlight === postId ? { ...state, highlight: '' } : state);

/**
 * A message cut into plain and matched parts, for <mark>: every occurrence of a matched word or
 * phrase (case-insensitive), longest first where two overlap.
 */
export function highlightParts(message: string, matches: string[]): { text: string; match: boolean }[] {
  const words = [...new Set(matches.filter(Boolean))].sort((a, b) => b.length - a.length);
  if (words.length === 0) return [{ text: message, match: false }];
  const pattern = new RegExp(`(${words.map(escapeRegExp).join('|')})`, 'giu');
  return message
    .split(pattern)
    .filter((part) => part !== '')
    .map((text) => ({ text, match: words.some((w) => w.toLowerCase() === text.toLowerCase()) }));
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The date parts of a search as the server reads them: the browser's offset from UTC, in seconds (time_zone_offset). */
export const timeZoneOffsetSeconds = (date = new Date()): number => -date.getTimezoneOffset() * 60;

/** "1.5 MB": a file's size as the files tab shows it. */
export function fileSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value < 10 ? value.toFixed(1) : Math.round(value)} ${units[unit]}`;
}
