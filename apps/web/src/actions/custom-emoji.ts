/** Custom emoji by name: looked up in batches (POST /emoji/names) when a message or reaction names one. */
import type { CustomEmoji } from '@mattermost/types/emojis';
import { client } from '../api/client';
import { isEmojiName, isSystemEmoji } from '../components/markdown/emoji';
import { enabled } from '../state/config';
import { customEmojiAdded, receivedCustomEmoji, unknownEmojiNames } from '../state/custom-emoji';
import { store, update } from '../state/store';

/** Mattermost's limit of names per POST /emoji/names. */
const MAX_NAMES_PER_CALL = 200;

let queued = new Set<string>();
let timer: ReturnType<typeof setTimeout> | undefined;

/**
 * Asks the server about a name that is no system emoji, together with the other names requested
 * in the same moment (a channel's posts render at once: one call for all of them).
 */
export function requestCustomEmoji(name: string): void {
  if (!enabled(store.get().config.client, 'EnableCustomEmoji') || isSystemEmoji(name) || !isEmojiName(name)) return;
  if (unknownEmojiNames(store.get().customEmoji, [name]).length === 0) return;
  queued.add(name);
  timer ??= setTimeout(() => void flush(), 0);
}

async function flush(): Promise<void> {
  const names = unknownEmojiNames(store.get().customEmoji, queued);
  queued = new Set();
  timer = undefined;
  for (let i = 0; i < names.length; i += MAX_NAMES_PER_CALL) {
    const batch = names.slice(i, i + MAX_NAMES_PER_CALL);
    // Remembered as missing even when the call fails: no retry storm from every render.
    const found = await client.getCustomEmojisByNames(batch).catch(() => [] as CustomEmoji[]);
    update('customEmoji', (s) => receivedCustomEmoji(s, batch, found));
  }
}

/** The socket's `emoji_added`: the emoji comes as JSON text. */
export function onEmojiAdded(data: Record<string, unknown>): void {
  if (typeof data.emoji !== 'string') return;
  try {
    const emoji = JSON.parse(data.emoji) as CustomEmoji;
    update('customEmoji', (s) => customEmojiAdded(s, emoji));
  } catch {
    // Not JSON: nothing to add.
  }
}
