import { AppError, runeCount } from '#common';
import { BuiltInCommand, CommandContext } from '../command-env.js';
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
/** model.CustomStatusTextMaxRunes. */
const CUSTOM_STATUS_TEXT_MAX_RUNES = 100;
/** An emoji name in colons at the start (model.EmojiPattern, anchored). */
const LEADING_EMOJI = /^:([a-zA-Z0-9_+-]+):/;

export interface CustomStatus {
  emoji: string;
  text: string;
  duration: string;
  expires_at: string;
}

/**
 * The status a message asks for (GetCustomStatus): a leading `:emoji_name:` is the emoji and the
 * rest the text; without one, the default emoji and the whole message. Mattermost also recognises
 * a leading Unicode emoji through its emoji table, which this server does not carry.
 */
export function parseCustomStatus(message: string): CustomStatus {
  const match = LEADING_EMOJI.exec(message);
  const status = match ? { emoji: match[1], text: message.slice(match[0].length).trim() } : { emoji: DEFAULT_CUSTOM_STATUS_EMOJI, text: message };
  // No duration: the status holds until cleared (CustomStatus.PreSave leaves an empty expiry).
  return { ...status, duration: '', expires_at: '0001-01-01T00:00:00Z' };
}

/**
 * /status (command_custom_status.go): sets or clears the custom status. With
 * EnableCustomUserStatuses off the command does not exist (its provider answers nothing). The
 * status lives in the user's props under `customStatus`, as a JSON string, where Mattermost keeps
 * it; it is written through the user update, so the user_updated events go out as for any change.
 */
export const customStatus: BuiltInCommand = {
  describe: () => ({ trigger: 'status', displayName: 'status', description: 'Set or clear your status', hint: '[:emoji_name:] [status_message] or clear' }),
  async execute(ctx, message) {
    if (!ctx.env.config.get().TeamSettings.EnableCustomUserStatuses) return null;
    const wanted = message.trim();
    if (wanted === 'clear') {
      const cleared = await setCustomStatusProp(ctx, null);
      return ephemeral(cleared ? 'Your status was cleared.' : 'Error clearing the status.');
    }
    const status = parseCustomStatus(wanted);
    if (runeCount(status.text) > CUSTOM_STATUS_TEXT_MAX_RUNES || !(await setCustomStatusProp(ctx, status))) {
      return ephemeral('Error setting the status.');
    }
    return ephemeral(`Your status is set to “:${status.emoji}: ${status.text}”. You can change it from the status menu in the sidebar header.`);
  },
};

/** Writes (or removes) props.customStatus; false when the update is refused. */
async function setCustomStatusProp(ctx: CommandContext, status: CustomStatus | null): Promise<boolean> {
  const user = await ctx.env.users.byId(ctx.session.user_id);
  if (!user) return false;
  const props = { ...user.props };
  if (status) props.customStatus = JSON.stringify(status);
  else props.customStatus = '';
  try {
    await ctx.env.profiles.patch(ctx.session, user.id, { props });
    return true;
  } catch (err) {
    if (err instanceof AppError) return false;
    throw err;
  }
}
