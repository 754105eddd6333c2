import { AppError } from '#common';
import { ChannelRow, directChannelName, GROUP_MAX_USERS, GROUP_MIN_USERS, groupChannelName } from '../../channels/channel.model.js';
import { BuiltInCommand, canSeeUser, channelLocation, CommandContext, CommandUser } from '../command-env.js';
import { commandResponse, CommandResponse, ephemeral, RESPONSE_EPHEMERAL } from '../command.model.js';
import { teamOf } from './channel-commands.js';
import { postInput } from './text-commands.js';

/** Posts the message, if any, in the channel; false when the post is refused. */
async function postIfAny(ctx: CommandContext, channelId: string, message: string): Promise<boolean> {
  if (message === '') return true;
  try {
    await ctx.env.posts.create(ctx.session, postInput(channelId, '', message), true);
    return true;
  } catch (err) {
    if (err instanceof AppError) return false;
    throw err;
  }
}

/** The answer that sends the client to the channel (its text empty, so nothing is shown). */
async function goTo(ctx: CommandContext, channelName: string, failText: string): Promise<CommandResponse> {
  const team = await teamOf(ctx, ctx.args.team_id);
  if (!team) return ephemeral(failText);
  return commandResponse({ response_type: RESPONSE_EPHEMERAL, goto_location: channelLocation(ctx.args, team.name, channelName) });
}

/**
 * /msg (command_msg.go): the direct channel with `@user` (made on first use, with
 * create_direct_channel as POST /channels/direct asks), the message posted in it, then to it.
 */
export const msg: BuiltInCommand = {
  describe: () => ({ trigger: 'msg', displayName: 'message', description: 'Send Direct Message to a user', hint: "@[username] 'message'" }),
  async execute(ctx, message) {
    const [first, ...rest] = message.split(' ');
    const text = rest.join(' ');
    const missing = ephemeral('Unable to find the user.');
    const fail = 'An error occurred while messaging the user.';
    const target = await ctx.env.users.byUsername(first.replace(/^@/, '').toLowerCase());
    if (!target || target.id === ctx.session.user_id || !(await canSeeUser(ctx, target.id))) return missing;
    const channelName = directChannelName(ctx.session.user_id, target.id);
    let channel: ChannelRow | undefined = await ctx.env.channelRows.byName('', channelName, true);
    if (!channel) {
      if (!ctx.env.permissions.hasSystem(ctx.session, 'create_direct_channel')) {
        return ephemeral("You don't have the appropriate permissions to direct message this user.");
      }
      const created = await attempt(() => ctx.env.channels.createDirect(ctx.session, [ctx.session.user_id, target.id]));
      if (created instanceof AppError) return ephemeral(created.message);
      channel = created;
    }
    if (!(await postIfAny(ctx, channel.id, text))) return ephemeral(fail);
    return goTo(ctx, channelName, fail);
  },
};

async function attempt<T>(fn: () => Promise<T>): Promise<T | AppError> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof AppError) return err;
    throw err;
  }
}

/**
 * The usernames and the message of `/groupmsg @a,@b,@c message` (groupMsgUsernames): names are
 * comma separated, and the first part with a space ends the list and starts the message.
 */
export function parseGroupMessage(message: string): { usernames: string[]; text: string } {
  const usernames: string[] = [];
  const parts = message.split(',');
  for (let i = 0; i < parts.length; i++) {
    const words = parts[i].trim().replace(/^@/, '').split(/\s+/).filter(Boolean);
    if (words.length > 0) usernames.push(words[0]);
    if (words.length > 1) {
      const tail = parts.slice(i).join(',').trim().replace(/^@/, '');
      return { usernames, text: tail.slice(words[0].length).trim() };
    }
  }
  return { usernames, text: '' };
}

/**
 * /groupmsg (command_groupmsg.go): the group channel of the caller and the users (made with
 * create_group_channel, otherwise only an existing one), the message posted, then to it. With one
 * other user it is /msg.
 */
export const groupmsg: BuiltInCommand = {
  describe: () => ({
    trigger: 'groupmsg',
    displayName: 'message',
    description: 'Sends a Group Message to the specified users',
    hint: "@[username1],@[username2] 'message'",
  }),
  async execute(ctx, message) {
    const { usernames, text } = parseGroupMessage(message);
    const found = await resolveUsers(ctx, usernames);
    if (found.invalid.length > 0) {
      const noun = found.invalid.length === 1 ? 'user' : 'users';
      return ephemeral(`Unable to find the ${noun}: @${found.invalid.join(', @')}`);
    }
    const ids = [ctx.session.user_id, ...found.users.map((u) => u.id)];
    if (ids.length === 2) return msg.execute(ctx, `${found.users[0].username} ${text}`);
    if (ids.length < GROUP_MIN_USERS) return ephemeral(`Group messages are limited to a minimum of ${GROUP_MIN_USERS - 1} users.`);
    if (ids.length > GROUP_MAX_USERS) return ephemeral(`Group messages are limited to a maximum of ${GROUP_MAX_USERS - 1} users.`);
    const channel = await groupChannel(ctx, ids);
    if (typeof channel === 'string') return ephemeral(channel);
    if (!(await postIfAny(ctx, channel.id, text))) return ephemeral('An error occurred while messaging the users.');
    return goTo(ctx, channel.name, 'An error occurred while messaging the users.');
  },
};

async function resolveUsers(ctx: CommandContext, usernames: string[]): Promise<{ users: CommandUser[]; invalid: string[] }> {
  const users: CommandUser[] = [];
  const invalid: string[] = [];
  for (const raw of usernames) {
    const name = raw.trim().replace(/^@/, '');
    const user = await ctx.env.users.byUsername(name.toLowerCase());
    if (!user || !(await canSeeUser(ctx, user.id))) {
      invalid.push(name);
      continue;
    }
    if (user.id !== ctx.session.user_id && !users.some((u) => u.id === user.id)) users.push(user);
  }
  return { users, invalid };
}

/** CreateGroupChannel with the permission, else GetGroupChannel; a string says why neither worked. */
async function groupChannel(ctx: CommandContext, ids: string[]): Promise<ChannelRow | string> {
  if (ctx.env.permissions.hasSystem(ctx.session, 'create_group_channel')) {
    const created = await attempt(() => ctx.env.channels.createGroup(ctx.session, ids));
    return created instanceof AppError ? 'An error occurred while creating the group message.' : created;
  }
  const existing = await ctx.env.channelRows.byName('', groupChannelName(ids), true);
  return existing ?? "You don't have the appropriate permissions to create a new group message.";
}
