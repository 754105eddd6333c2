import { AppError } from '#common';
import { BuiltInCommand } from '../command-env.js';
import { ephemeral } from '../command.model.js';

/**
 * /away, /online, /offline and /dnd (slashcommands/command_away.go, command_online.go,
 * command_offline.go, command_dnd.go): a status set by hand, as PUT /users/{id}/status sets it
 * (dnd without an end time), answered with a confirmation only the user sees.
 */
function statusCommand(trigger: string, status: string, description: string, done: string): BuiltInCommand {
  return {
    describe: () => ({ trigger, displayName: trigger, description, hint: '' }),
    async execute(ctx) {
      await ctx.env.status.setByUser(ctx.session.user_id, status, 0);
      return ephemeral(done);
    },
  };
}

export const away = statusCommand('away', 'away', 'Set your status away', 'You are now away');
export const online = statusCommand('online', 'online', 'Set your status online', 'You are now online');
export const offline = statusCommand('offline', 'offline', 'Set your status offline', 'You are now offline');
export const dnd = statusCommand(
  'dnd',
  'dnd',
  'Do not disturb disables desktop and mobile push notifications.',
  'Do Not Disturb is enabled. You will not receive desktop or mobile push notifications until Do Not Disturb is turned off.',
);

/** model.DefaultCustomStatusEmoji. */
export const DEFAULT_CUSTOM_STATUS_EMOJI = 'speech_balloon';
/** model.CustomStatusTextMaxRunes: PreSave cuts a longer text. */
const CUSTOM_STATUS_TEXT_MAX_RUNES = 100;
/** An emoji name in colons at the start (model.EmojiPattern, anchored). */
const LEADING_EMOJI = /^:([a-zA-Z0-9_+-]+):/;

/**
 * The status a message asks for (GetCustomStatus, then PreSave's cut of the text): a leading
 * `:emoji_name:` is the emoji and the rest the text; without one, the default emoji and the whole
 * message. Mattermost also recognises a leading Unicode emoji through its emoji table, which this
 * server does not carry.
 */
export function parseCustomStatus(message: string): { emoji: string; text: string } {
  const match = LEADING_EMOJI.exec(message);
  const status = match ? { emoji: match[1], text: message.slice(match[0].length).trim() } : { emoji: DEFAULT_CUSTOM_STATUS_EMOJI, text: message };
  return { ...status, text: [...status.text].slice(0, CUSTOM_STATUS_TEXT_MAX_RUNES).join('') };
}

/**
 * /status (command_custom_status.go): sets or clears the custom status as PUT and DELETE
 * /users/{id}/status/custom do. With EnableCustomUserStatuses off the command does not exist (its
 * provider answers nothing).
 */
export const customStatus: BuiltInCommand = {
  describe: () => ({ trigger: 'status', displayName: 'status', description: 'Set or clear your status', hint: '[:emoji_name:] [status_message] or clear' }),
  async execute(ctx, message) {
    if (!ctx.env.config.get().TeamSettings.EnableCustomUserStatuses) return null;
    const wanted = message.trim();
    if (wanted === 'clear') {
      const cleared = await succeeds(() => ctx.env.customStatus.clear(ctx.session, ctx.session.user_id));
      return ephemeral(cleared ? 'Your status was cleared.' : 'Error clearing the status.');
    }
    const status = parseCustomStatus(wanted);
    if (!(await succeeds(() => ctx.env.customStatus.set(ctx.session, ctx.session.user_id, status)))) return ephemeral('Error setting the status.');
    return ephemeral(`Your status is set to “:${status.emoji}: ${status.text}”. You can change it from the status menu in the sidebar header.`);
  },
};

async function succeeds(action: () => Promise<void>): Promise<boolean> {
  try {
    await action();
    return true;
  } catch (err) {
    if (err instanceof AppError) return false;
    throw err;
  }
}
