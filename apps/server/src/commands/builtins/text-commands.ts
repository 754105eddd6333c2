import { Logger } from '@nestjs/common';
import { AppError } from '#common';
import { BuiltInCommand, CommandContext } from '../command-env.js';
import { commandResponse, ephemeral, RESPONSE_EPHEMERAL, RESPONSE_IN_CHANNEL } from '../command.model.js';

const logger = new Logger('commands');

/** Echo's longest delay, in seconds, and how many echoes may wait at once on a node (command_echo.go). */
export const ECHO_MAX_DELAY_S = 10000;
export const ECHO_MAX_PENDING = 100;
let echoesPending = 0;

/**
 * Echo's message and delay: `"text" 5` quotes a message that has spaces; otherwise a last word
 * that is a whole number is the delay (Go's Atoi: an optional sign, then digits).
 */
export function parseEcho(message: string): { text: string; delay: number } {
  const close = message.lastIndexOf('"');
  if (message.startsWith('"') && close > 1) {
    const delay = goAtoi(message.slice(close).replace(/^[ "]+|[ "]+$/g, ''));
    return { text: message.slice(1, close), delay: delay ?? 0 };
  }
  const space = message.lastIndexOf(' ');
  if (space !== -1) {
    const delay = goAtoi(message.slice(space).trim());
    if (delay !== null) return { text: message.slice(0, space), delay };
  }
  return { text: message, delay: 0 };
}

function goAtoi(text: string): number | null {
  return /^[+-]?\d+$/.test(text) ? Number(text) : null;
}

/**
 * /echo: posts the message as the user after the delay, and answers at once with nothing. The
 * post is made in the background on this node, as Mattermost's goroutine does; a node stopping
 * meanwhile loses it, as there.
 */
export const echo: BuiltInCommand = {
  describe: () => ({ trigger: 'echo', displayName: 'echo', description: 'Echo back text from your account', hint: "'message' [delay in seconds]" }),
  async execute(ctx, message) {
    if (message === '') return ephemeral('A message must be provided with the /echo command.');
    const { text, delay } = parseEcho(message);
    if (delay > ECHO_MAX_DELAY_S) return ephemeral('Delays must be under 10000 seconds.');
    if (echoesPending >= ECHO_MAX_PENDING) return ephemeral('High volume of echo request, cannot process request.');
    echoesPending++;
    setTimeout(() => void postEcho(ctx, text).finally(() => echoesPending--), Math.max(delay, 0) * 1000).unref();
    return commandResponse();
  },
};

async function postEcho(ctx: CommandContext, message: string): Promise<void> {
  try {
    await ctx.env.posts.create(ctx.session, postInput(ctx.args.channel_id, ctx.args.root_id, message), true);
  } catch (err) {
    logger.warn(`Unable to create /echo post: ${err instanceof AppError ? err.id : String(err)}`);
  }
}

/** A plain post by the user, as the commands that post for them make it. */
export function postInput(channelId: string, rootId: string, message: string, type = '') {
  return { channel_id: channelId, root_id: rootId, message, type, props: {}, file_ids: [], pending_post_id: '', create_at: 0 };
}

/** /code: the text as a Markdown code block (each line indented four spaces), posted as is. */
export const code: BuiltInCommand = {
  describe: () => ({ trigger: 'code', displayName: 'code', description: 'Display text as a code block', hint: '[text]' }),
  async execute(_ctx, message) {
    if (message === '') return ephemeral('A message must be provided with the /code command.');
    const text = '    ' + message.split('\n').join('\n    ');
    return commandResponse({ response_type: RESPONSE_IN_CHANNEL, text, skip_slack_parsing: true });
  },
};

/** /me: the message in italics, posted with the `me` type. */
export const me: BuiltInCommand = {
  describe: () => ({ trigger: 'me', displayName: 'me', description: 'Do an action', hint: '[message]' }),
  execute: async (_ctx, message) => commandResponse({ response_type: RESPONSE_IN_CHANNEL, type: 'me', text: `*${message}*` }),
};

/** The shrug as Markdown: its backslash and underscores escaped. */
export const SHRUG = '¯\\\\\\_(ツ)\\_/¯';

/** /shrug: the message followed by the shrug, posted. */
export const shrug: BuiltInCommand = {
  describe: () => ({ trigger: 'shrug', displayName: 'shrug', description: 'Adds ¯\\_(ツ)_/¯ to your message', hint: '[message]' }),
  execute: async (_ctx, message) => commandResponse({ response_type: RESPONSE_IN_CHANNEL, text: message === '' ? SHRUG : `${message} ${SHRUG}` }),
};

/** model.SupportSettingsDefaultHelpLink. */
export const DEFAULT_HELP_LINK = 'https://mattermost.com/pl/help/';

/** /help: where the documentation is (SupportSettings.HelpLink, or Mattermost's default). */
export const help: BuiltInCommand = {
  describe: () => ({ trigger: 'help', displayName: 'help', description: 'Show Mattermost help message', hint: '' }),
  async execute(ctx) {
    const link = ctx.env.config.get().SupportSettings.HelpLink || DEFAULT_HELP_LINK;
    return ephemeral(
      'Mattermost is an open source platform for secure team communication and collaboration.\r\n' +
        'Talk with your team in channels, direct and group messages, and threads.\r\n\r\n' +
        `[Read the documentation and guides](${link})`,
    );
  },
};

/** /logout: the client logs out; the server only sends it to the login page. */
export const logout: BuiltInCommand = {
  describe: () => ({ trigger: 'logout', displayName: 'logout', description: 'Logout of Mattermost', hint: '' }),
  execute: async () => commandResponse({ goto_location: '/login' }),
};

/** /search and /settings are the clients' own; a client that sends them here is told so. */
function clientSideCommand(trigger: string, description: string, hint: string): BuiltInCommand {
  return {
    describe: () => ({ trigger, displayName: trigger, description, hint }),
    execute: async () => ephemeral(`The ${trigger} command is not supported on your device.`),
  };
}

export const search = clientSideCommand('search', 'Search text in messages', '[text]');
export const settings = clientSideCommand('settings', 'Open the Settings dialog', '');

/**
 * /collapse and /expand (command_expand_collapse.go): the `display_settings`/`collapse_previews`
 * preference, saved as PUT /users/{id}/preferences saves it (with its preferences_changed event).
 */
function previewsCommand(trigger: 'collapse' | 'expand'): BuiltInCommand {
  const collapse = trigger === 'collapse';
  return {
    describe: () => ({
      trigger,
      displayName: trigger,
      description: collapse ? 'Turn on auto-collapsing of image previews' : 'Turn off auto-collapsing of image previews',
      hint: '',
    }),
    async execute(ctx) {
      const userId = ctx.session.user_id;
      try {
        await ctx.env.preferences.save(ctx.session, userId, [
          { user_id: userId, category: 'display_settings', name: 'collapse_previews', value: String(collapse) },
        ]);
      } catch (err) {
        if (!(err instanceof AppError)) throw err;
        return ephemeral(`An error occurred while expanding previews.${err.message}`);
      }
      return commandResponse({
        response_type: RESPONSE_EPHEMERAL,
        text: collapse ? 'Image links now collapse by default' : 'Image links now expand by default',
      });
    },
  };
}

export const collapse = previewsCommand('collapse');
export const expand = previewsCommand('expand');
