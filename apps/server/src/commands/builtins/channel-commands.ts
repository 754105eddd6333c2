import { AppError } from '#common';
import { ChannelRow, TOWN_SQUARE } from '../../channels/channel.model.js';
import { BuiltInCommand, channelLocation, CommandContext } from '../command-env.js';
import { autocompleteData, commandResponse, CommandResponse, ephemeral, withTextArgument } from '../command.model.js';

/** model.ChannelHeaderMaxRunes, ChannelPurposeMaxRunes, ChannelNameMaxLength, ChannelNameMinLength. */
const HEADER_MAX_RUNES = 1024;
const PURPOSE_MAX_RUNES = 250;
const DISPLAY_NAME_MAX_BYTES = 64;
const DISPLAY_NAME_MIN_BYTES = 1;

async function currentChannel(ctx: CommandContext): Promise<ChannelRow | undefined> {
  return ctx.env.channelRows.byId(ctx.args.channel_id);
}

/** manage_{public,private}_channel_properties on the channel, as PATCH /channels/{id} asks. */
async function mayManageProperties(ctx: CommandContext, channel: ChannelRow): Promise<boolean> {
  if (channel.type === 'O') return ctx.env.permissions.hasChannel(ctx.session, channel.id, 'manage_public_channel_properties');
  if (channel.type === 'P') return ctx.env.permissions.hasChannel(ctx.session, channel.id, 'manage_private_channel_properties');
  return false;
}

/** Runs a channel patch; the AppError's id when it is refused. */
async function patchChannel(
  ctx: CommandContext,
  channelId: string,
  changes: { header?: string; purpose?: string; display_name?: string },
): Promise<string | null> {
  try {
    await ctx.env.channels.patch(ctx.session, channelId, changes);
    return null;
  } catch (err) {
    if (err instanceof AppError) return err.id;
    throw err;
  }
}

/**
 * /header (command_channel_header.go): the channel's header, with the permission to manage its
 * properties, or in a direct or group message with membership.
 */
export const header: BuiltInCommand = {
  describe: () => ({ trigger: 'header', displayName: 'header', description: 'Edit the channel header', hint: '[text]' }),
  async execute(ctx, message) {
    const channel = await currentChannel(ctx);
    if (!channel) return ephemeral('Error to retrieve the current channel.');
    const allowed =
      channel.type === 'D' || channel.type === 'G'
        ? (await ctx.env.members.get(channel.id, ctx.session.user_id)) !== undefined
        : await mayManageProperties(ctx, channel);
    if (!allowed) return ephemeral("You don't have the appropriate permissions to edit the channel header.");
    if (message === '') return ephemeral('Text must be provided with the /header command.');
    const failed = await patchChannel(ctx, channel.id, { header: message });
    if (failed === 'model.channel.is_valid.header.app_error') {
      return ephemeral(`The text entered exceeds the character limit. The channel header is limited to ${HEADER_MAX_RUNES} characters.`);
    }
    return failed ? ephemeral('Error updating the channel header.') : commandResponse();
  },
};

/** /purpose (command_channel_purpose.go): the purpose of a public or private channel. */
export const purpose: BuiltInCommand = {
  describe: () => ({ trigger: 'purpose', displayName: 'purpose', description: 'Edit the channel purpose', hint: '[text]' }),
  async execute(ctx, message) {
    const channel = await currentChannel(ctx);
    if (!channel) return ephemeral('Error to retrieve the current channel.');
    if (channel.type === 'D' || channel.type === 'G') {
      return ephemeral('Unable to set purpose for direct message channels. Use /header to set the header instead.');
    }
    if (!(await mayManageProperties(ctx, channel))) return ephemeral("You don't have the appropriate permissions to edit the channel purpose.");
    if (message === '') return ephemeral('A message must be provided with the /purpose command.');
    const failed = await patchChannel(ctx, channel.id, { purpose: message });
    if (failed === 'model.channel.is_valid.purpose.app_error') {
      return ephemeral(`The text entered exceeds the character limit. The channel purpose is limited to ${PURPOSE_MAX_RUNES} characters.`);
    }
    return failed ? ephemeral('Error updating the channel purpose.') : commandResponse();
  },
};

/** /rename (command_channel_rename.go): the display name; Mattermost measures its length in bytes. */
export const rename: BuiltInCommand = {
  describe: () => ({
    trigger: 'rename',
    displayName: 'rename',
    description: 'Rename the channel',
    hint: '[text]',
    autocomplete: withTextArgument(autocompleteData('rename', '[text]', 'Rename the channel'), '[text]', '[text]'),
  }),
  async execute(ctx, message) {
    const channel = await currentChannel(ctx);
    if (!channel) return ephemeral('Error to retrieve the current channel.');
    if (channel.type !== 'O' && channel.type !== 'P') return ephemeral('Unable to rename direct message channels.');
    if (!(await mayManageProperties(ctx, channel))) return ephemeral("You don't have the appropriate permissions to rename the channel.");
    const bytes = Buffer.byteLength(message);
    if (message === '') return ephemeral('A message must be provided with the /rename command.');
    if (bytes > DISPLAY_NAME_MAX_BYTES) return ephemeral(`Channel name must be ${DISPLAY_NAME_MAX_BYTES} or fewer characters.`);
    if (bytes < DISPLAY_NAME_MIN_BYTES) return ephemeral(`Channel name must be ${DISPLAY_NAME_MIN_BYTES} or more characters.`);
    const failed = await patchChannel(ctx, channel.id, { display_name: message });
    return failed ? ephemeral('Error to update the current channel.') : commandResponse();
  },
};

/**
 * /join (command_join.go): a channel of the team by name (`~name` or `name`), with
 * join_public_channels for a public one and read_channel for a private one, then to it.
 */
export const join: BuiltInCommand = {
  describe: () => ({ trigger: 'join', displayName: 'join', description: 'Join the open channel', hint: '~[channel]' }),
  async execute(ctx, message) {
    // As Mattermost: lower case unless given as a handle, which is taken as typed.
    const name = message.startsWith('~') ? message.slice(1) : message.toLowerCase();
    const channel = await channelByName(ctx, ctx.args.team_id, name);
    if (!channel) return ephemeral('An error occurred while listing channels.');
    const fail = ephemeral('An error occurred while joining the channel.');
    const permission = channel.type === 'O' ? 'join_public_channels' : channel.type === 'P' ? 'read_channel' : null;
    if (!permission || !(await ctx.env.permissions.hasChannel(ctx.session, channel.id, permission))) return fail;
    if (channel.delete_at > 0 || !(await joinChannel(ctx, channel))) return fail;
    const team = await teamOf(ctx, channel.team_id);
    return team ? commandResponse({ goto_location: channelLocation(ctx.args, team.name, channel.name) }) : fail;
  },
};

/** A team's channel by name, or a direct or group message (no team), archived ones too. */
export async function channelByName(ctx: CommandContext, teamId: string, name: string): Promise<ChannelRow | undefined> {
  return (await ctx.env.channelRows.byName(teamId, name, true)) ?? (await ctx.env.channelRows.byName('', name, true));
}

async function joinChannel(ctx: CommandContext, channel: ChannelRow): Promise<boolean> {
  if (await ctx.env.members.get(channel.id, ctx.session.user_id)) return true;
  try {
    await ctx.env.channelMembers.add(ctx.session, channel.id, [ctx.session.user_id]);
    return true;
  } catch (err) {
    if (err instanceof AppError) return false;
    throw err;
  }
}

export async function teamOf(ctx: CommandContext, teamId: string) {
  try {
    return await ctx.env.teams.get(teamId);
  } catch (err) {
    if (err instanceof AppError) return undefined;
    throw err;
  }
}

/**
 * /leave (command_leave.go): leaves the current channel as DELETE /channels/{id}/members/{me}
 * does, then to Town Square (a guest to their first channel; someone no longer on the team to the
 * root).
 */
export const leave: BuiltInCommand = {
  describe: () => ({ trigger: 'leave', displayName: 'leave', description: 'Leave the current channel', hint: '' }),
  async execute(ctx) {
    const fail = ephemeral('An error occurred while leaving the channel.');
    const channel = await currentChannel(ctx);
    const team = await teamOf(ctx, ctx.args.team_id);
    if (!channel || !team) return fail;
    try {
      await ctx.env.channelMembers.remove(ctx.session, channel.id, ctx.session.user_id);
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      return channel.name === TOWN_SQUARE ? ephemeral(`You cannot leave the default channel ${TOWN_SQUARE}.`) : fail;
    }
    return afterLeaving(ctx, team);
  },
};

async function afterLeaving(ctx: CommandContext, team: { id: string; name: string }): Promise<CommandResponse> {
  const member = await ctx.env.teamMembers.get(team.id, ctx.session.user_id);
  if (!member || member.delete_at !== 0) return commandResponse({ goto_location: `${ctx.args.site_url}/` });
  if (!member.scheme_guest) return commandResponse({ goto_location: channelLocation(ctx.args, team.name, TOWN_SQUARE) });
  const fail = ephemeral('An error occurred while leaving the channel.');
  const [first] = await ctx.env.members.forUserInTeam(ctx.session.user_id, team.id);
  const channel = first ? await ctx.env.channelRows.byId(first.channel_id) : undefined;
  return channel ? commandResponse({ goto_location: channelLocation(ctx.args, team.name, channel.name) }) : fail;
}

/**
 * /mute (command_mute.go): toggles the current channel's (or `~name`'s) mark_unread between all
 * and mention, through the member's notify props as PUT .../notify_props changes them.
 */
export const mute: BuiltInCommand = {
  describe: () => ({
    trigger: 'mute',
    displayName: 'mute',
    description: 'Turns off desktop, email and push notifications for the current channel or the [channel] specified.',
    hint: '~[channel]',
  }),
  async execute(ctx, message) {
    let channel = await currentChannel(ctx);
    if (!channel) {
      return ephemeral('Could not find the specified channel. Please use the channel handle to identify channels.');
    }
    const first = message.split(' ')[0];
    const name = first.startsWith('~') ? first.slice(1) : first;
    if (name !== '' && message !== '') {
      channel = await channelByName(ctx, channel.team_id, name);
      if (!channel) return ephemeral(`Could not find the channel ${name}. Please use the channel handle to identify channels.`);
    }
    const muted = await toggleMute(ctx, channel);
    if (muted === null) return ephemeral(`You are not a member of the channel ${name || channel.name}.`);
    if (channel.type === 'D' || channel.type === 'G') {
      return ephemeral(muted ? 'You will not receive notifications for this channel until channel mute is turned off.' : 'This channel is no longer muted.');
    }
    return ephemeral(
      muted
        ? `You will not receive notifications for ${channel.display_name} until channel mute is turned off.`
        : `${channel.display_name} is no longer muted.`,
    );
  },
};

/** App.ToggleMuteChannel: whether the channel is now muted; null when the user is not in it. */
async function toggleMute(ctx: CommandContext, channel: ChannelRow): Promise<boolean | null> {
  const member = await ctx.env.members.get(channel.id, ctx.session.user_id);
  if (!member) return null;
  const muted = member.notify_props.mark_unread !== 'mention';
  try {
    await ctx.env.channelMembers.updateNotifyProps(ctx.session, channel.id, ctx.session.user_id, { mark_unread: muted ? 'mention' : 'all' });
  } catch (err) {
    if (err instanceof AppError) return null;
    throw err;
  }
  return muted;
}
