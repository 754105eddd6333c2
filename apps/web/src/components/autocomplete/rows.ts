/**
 * The rows of each autocomplete list, from what the server answered (pure; specs beside). The
 * replacement is what Mattermost's web app inserts: `@username `, `~channel-name `, `:emoji: `,
 * `/trigger `.
 */
import type { AutocompleteSuggestion } from '@mattermost/types/autocomplete';
import type { Channel } from '@mattermost/types/channels';
import type { CustomEmoji } from '@mattermost/types/emojis';
import type { UserProfile } from '@mattermost/types/users';
import type { Suggestion } from './suggestion';
import { matchSystemEmoji } from './system-emoji';

/** The mentions that reach a whole channel, offered after the people (Mattermost's special mentions). */
const SPECIAL_MENTIONS: [string, string][] = [
  ['here', 'Notifies everyone online in this channel'],
  ['channel', 'Notifies everyone in this channel'],
  ['all', 'Notifies everyone in this channel'],
];

/** "Alice Smith (ally)": the full name and nickname, as far as the profile has them. */
export function fullName(user: Pick<UserProfile, 'first_name' | 'last_name' | 'nickname'>): string {
  const name = [user.first_name, user.last_name].filter(Boolean).join(' ');
  if (user.nickname) return name ? `${name} (${user.nickname})` : user.nickname;
  return name;
}

/** People first (the channel's members, then others of the team), then @here/@channel/@all when they match. */
export function userRows(members: UserProfile[], others: UserProfile[], term: string): Suggestion[] {
  const seen = new Set<string>();
  const rows: Suggestion[] = [];
  for (const [user, outside] of [...members.map((u) => [u, false] as const), ...others.map((u) => [u, true] as const)]) {
    if (seen.has(user.id) || user.delete_at) continue;
    seen.add(user.id);
    const details = [fullName(user), outside ? 'not in channel' : ''].filter(Boolean).join(' · ');
    rows.push({ key: `user-${user.id}`, replacement: `@${user.username} `, primary: `@${user.username}`, secondary: details || undefined });
  }
  const t = term.toLowerCase();
  for (const [name, description] of SPECIAL_MENTIONS) {
    if (name.startsWith(t)) rows.push({ key: `special-${name}`, replacement: `@${name} `, primary: `@${name}`, secondary: description });
  }
  return rows;
}

/** Channels by display name, with their URL name (what `~` links by); archived and DM/GM channels left out. */
export function channelRows(channels: Channel[]): Suggestion[] {
  return channels
    .filter((c) => !c.delete_at && (c.type === 'O' || c.type === 'P'))
    .map((c) => ({ key: `channel-${c.id}`, replacement: `~${c.name} `, primary: c.display_name || c.name, secondary: `~${c.name}` }));
}

/** The matching system emoji, then the server's custom ones (whose image is on this site). */
export function emojiRows(term: string, custom: CustomEmoji[], imageUrl: (id: string) => string, limit = 10): Suggestion[] {
  const system = matchSystemEmoji(term, limit).map((e) => ({ key: `emoji-${e.name}`, replacement: `:${e.name}: `, primary: `:${e.name}:`, icon: e.char }));
  const names = new Set(system.map((e) => e.primary));
  const mine = custom
    .filter((e) => !names.has(`:${e.name}:`))
    .map((e) => ({ key: `custom-${e.id}`, replacement: `:${e.name}: `, primary: `:${e.name}:`, imageUrl: imageUrl(e.id) }));
  return [...system, ...mine].slice(0, limit);
}

/**
 * The server's command suggestions for the line typed so far (`typed`, slash included). A
 * suggestion that completes a trigger or argument gets a space after it; one that only describes
 * the argument being typed (its Complete is the line itself) leaves the line as it is, so that
 * Enter then runs the command.
 */
export function commandRows(suggestions: AutocompleteSuggestion[], typed: string): Suggestion[] {
  return suggestions.map((s, i) => {
    const complete = `/${s.Complete}`;
    const finished = complete === typed || complete.endsWith(' ');
    const hint = [s.Hint, s.Description].filter(Boolean).join(' — ');
    return {
      key: `command-${i}-${s.Complete}`,
      replacement: finished ? complete : `${complete} `,
      primary: s.Suggestion ? (s.Suggestion.startsWith('-') ? s.Suggestion : `/${s.Suggestion}`) : complete,
      secondary: hint || undefined,
    };
  });
}

/** A search box's rows: `from:username ` and `in:channel-name ` (keeping a leading - for exclusions). */
export function searchRows(rows: Suggestion[], typed: string): Suggestion[] {
  const minus = typed.startsWith('-') ? '-' : '';
  return rows
    .filter((r) => r.key.startsWith('user-') || r.key.startsWith('channel-'))
    .map((r) => {
      const name = r.replacement.trim().slice(1);
      const replacement = r.key.startsWith('user-') ? `${minus}from:${name} ` : `${minus}in:${name} `;
      return { ...r, replacement };
    });
}
