import { AppError } from '#common';
import { ChannelRow, TOWN_SQUARE } from '../../channels/channel.model.js';
import { BuiltInCommand, CommandContext, CommandUser } from '../command-env.js';
import { commandResponse, ephemeral } from '../command.model.js';
import { userDisplayName } from '../../users/user.model.js';

/** Above this many names a list is cut to the first one and a count (command_invite.go). */
const LIST_LIMIT = 10;
const CHANNEL_HANDLE_HELP = 'Please use the channel handle to identify channels.';

/** The permission managing a channel's members takes, null for direct and group messages. */
function manageMembersPermission(channel: ChannelRow): string | null {
  if (channel.type === 'O') return 'manage_public_channel_members';
  if (channel.type === 'P') return 'manage_private_channel_members';
  return null;
}

async function activeUser(ctx: CommandContext, username: string): Promise<CommandUser | undefined> {
  const user = await ctx.env.users.byUsername(username.toLowerCase());
  return user && user.delete_at === 0 ? user : undefined;
}

/** How one invitation ended (command_invite.go's UserError). */
type InviteOutcome = 'added' | 'in_channel' | 'not_in_team' | 'constrained' | 'failed';

/**
 * /invite (command_invite.go): `@user… ~channel…`; without a channel, the current one. Each
 * channel needs the permission to manage its members; each user is added as POST
 * /channels/{id}/members adds them. Everything that went wrong is said in one ephemeral reply.
 */
export const invite: BuiltInCommand = {
  describe: () => ({ trigger: 'invite', displayName: 'invite', description: 'Invite a user to a channel', hint: '@[username]... ~[channel]...' }),
  async execute(ctx, message) {
    if (message === '') return ephemeral('Missing Username and/or Channel.');
    const replies: string[] = [];
    const targets = await parseInvite(ctx, message, replies);
    if (typeof targets === 'string') return ephemeral(targets);
    const channels = await invitableChannels(ctx, targets.users[0], targets.channels, replies);
    const outcomes: Array<{ user: CommandUser; channel: ChannelRow; outcome: InviteOutcome }> = [];
    for (const channel of channels) {
      for (const user of targets.users) outcomes.push({ user, channel, outcome: await addToChannel(ctx, user, channel) });
    }
    replies.push(...(await describeOutcomes(ctx, outcomes)));
    return ephemeral(replies.join('\n'));
  },
};

async function parseInvite(ctx: CommandContext, message: string, replies: string[]): Promise<{ users: CommandUser[]; channels: ChannelRow[] } | string> {
  const users: CommandUser[] = [];
  const channels: ChannelRow[] = [];
  const words = message.split(' ');
  for (let i = 0; i < words.length; i++) {
    const word = words[i];
    if (word === '') continue;
    if (word.startsWith('@') || (!word.startsWith('~') && i === 0)) {
      const name = word.replace(/^@/, '');
      const user = await activeUser(ctx, name);
      if (user) users.push(user);
      else replies.push(`We couldn't find the user ${name}. They may have been deactivated by the System Administrator.`);
      continue;
    }
    const name = word.replace(/^~/, '');
    const channel = await ctx.env.channelRows.byName(ctx.args.team_id, name, false);
    if (channel) channels.push(channel);
    else replies.push(`Could not find the channel ${name}. ${CHANNEL_HANDLE_HELP}`);
  }
  if (users.length === 0) return replies.length > 0 ? replies.join('\n') : 'Missing Username and/or Channel.';
  if (channels.length > 0) return { users, channels };
  if (replies.length > 0) return replies.join('\n');
  const current = await ctx.env.channelRows.byId(ctx.args.channel_id);
  return current ? { users, channels: [current] } : 'Error to retrieve the current channel.';
}

/** checkPermissions: the channels the inviter may add members to; the others are explained. */
async function invitableChannels(ctx: CommandContext, firstUser: CommandUser, channels: ChannelRow[], replies: string[]): Promise<ChannelRow[]> {
  const valid: ChannelRow[] = [];
  for (const channel of channels) {
    const permission = manageMembersPermission(channel);
    if (!permission) {
      replies.push("You can't add someone to a direct message channel.");
    } else if (await ctx.env.permissions.hasChannel(ctx.session, channel.id, permission)) {
      valid.push(channel);
    } else if (channel.type === 'O' || (await ctx.env.members.get(channel.id, ctx.session.user_id))) {
      replies.push(`You don't have enough permissions to add ${firstUser.username} in ${channel.name}.`);
    } else {
      // A private channel the inviter is not in is not revealed.
      replies.push(`Could not find the channel ${channel.name}. ${CHANNEL_HANDLE_HELP}`);
    }
  }
  return valid;
}

async function addToChannel(ctx: CommandContext, user: CommandUser, channel: ChannelRow): Promise<InviteOutcome> {
  if (await ctx.env.members.get(channel.id, user.id)) return 'in_channel';
  try {
    await ctx.env.channelMembers.add(ctx.session, channel.id, [user.id]);
    return 'added';
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    if (err.id === 'api.channel.add_members.user_denied') return 'constrained';
    if (err.id === 'app.team.get_member.missing.app_error' || err.id === 'api.channel.add_user.to.channel.failed.deleted.app_error') return 'not_in_team';
    return 'failed';
  }
}

const mentionList = (names: string[]) => '@' + names.join(', @');

async function describeOutcomes(ctx: CommandContext, outcomes: Array<{ user: CommandUser; channel: ChannelRow; outcome: InviteOutcome }>): Promise<string[]> {
  const replies: string[] = [];
  const names = (o: InviteOutcome, filter: (c: ChannelRow) => boolean = () => true) =>
    outcomes.filter((x) => x.outcome === o && filter(x.channel)).map((x) => x.user.username);
  const already = names('in_channel');
  if (already.length > LIST_LIMIT) replies.push(`@${already[0]} and ${already.length - 1} others are already in the channel.`);
  else if (already.length > 0) replies.push(`${mentionList(already)} ${already.length === 1 ? 'is' : 'are'} already in the channel.`);
  // Added to the current channel says nothing here (the channel shows it); elsewhere it is told.
  for (const channel of uniqueChannels(outcomes.filter((x) => x.outcome === 'added' && x.channel.id !== ctx.args.channel_id))) {
    const added = names('added', (c) => c.id === channel.id);
    replies.push(
      added.length > LIST_LIMIT
        ? `@${added[0]} and ${added.length - 1} others added to ${channel.name} channel.`
        : `${mentionList(added)} added to ${channel.name} channel.`,
    );
  }
  for (const channel of uniqueChannels(outcomes.filter((x) => x.outcome === 'not_in_team'))) {
    const missing = names('not_in_team', (c) => c.id === channel.id);
    const team = (await ctx.env.teams.get(channel.team_id).catch(() => undefined))?.display_name ?? 'unknown';
    replies.push(
      missing.length > LIST_LIMIT
        ? `You can add @${missing[0]} and ${missing.length - 1} others to this channel once they are members of the **${team}** team.`
        : `You can add ${mentionList(missing)} to this channel once they are members of the **${team}** team.`,
    );
  }
  if (names('constrained').length > 0) replies.push('This channel is managed by groups. This user is not part of a group that is synced to this channel.');
  if (names('failed').length > 0) replies.push('An error occurred while joining the channel.');
  return replies;
}

function uniqueChannels(items: Array<{ channel: ChannelRow }>): ChannelRow[] {
  return [...new Map(items.map((x) => [x.channel.id, x.channel])).values()];
}

/**
 * /kick and /remove (command_remove.go): removes `@user` from the current channel, with the
 * permission to manage its members, as DELETE /channels/{id}/members/{uid} does.
 */
function removeCommand(trigger: 'kick' | 'remove'): BuiltInCommand {
  return {
    describe: () => ({ trigger, displayName: trigger, description: 'Remove a member from the channel', hint: '@[username]' }),
    execute: (ctx, message) => removeMember(ctx, message),
  };
}

export const kick = removeCommand('kick');
export const remove = removeCommand('remove');

async function removeMember(ctx: CommandContext, message: string) {
  const channel = await ctx.env.channelRows.byId(ctx.args.channel_id);
  if (!channel) return ephemeral('Error retrieving the current channel.');
  const permission = manageMembersPermission(channel);
  if (!permission) return ephemeral("You can't remove someone from a direct message channel.");
  if (!(await ctx.env.permissions.hasChannel(ctx.session, channel.id, permission))) {
    return ephemeral("You don't have the appropriate permissions to remove the member.");
  }
  if (message === '') return ephemeral('A message must be provided with the /remove or /kick command.');
  const user = await activeUser(ctx, message.split(' ')[0].replace(/^@/, ''));
  if (!user) return ephemeral("We couldn't find the user. They may have been deactivated by the System Administrator.");
  if (!(await ctx.env.members.get(channel.id, user.id))) return ephemeral(`${displayName(ctx, user)} is not a member of this channel.`);
  try {
    await ctx.env.channelMembers.remove(ctx.session, channel.id, user.id);
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    const text = err.id === 'api.channel.remove.default.app_error' ? `Unable to remove user from the default channel ${TOWN_SQUARE}.` : err.message;
    return ephemeral(text);
  }
  return commandResponse();
}

/** User.GetDisplayName with TeamSettings.TeammateNameDisplay. */
function displayName(ctx: CommandContext, user: CommandUser): string {
  return userDisplayName(user, ctx.env.config.get().TeamSettings.TeammateNameDisplay);
}
