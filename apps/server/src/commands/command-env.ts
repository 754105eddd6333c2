import { Injectable } from '@nestjs/common';
import { ConfigService } from '#config';
import { PermissionsService } from '../auth/permissions.service.js';
import { ChannelMembersService } from '../channels/channel-members.service.js';
import { ChannelsRepository } from '../channels/channels.repository.js';
import { ChannelsService } from '../channels/channels.service.js';
import type { Session } from '../common/session.js';
import { ChannelMembersRepository } from '../membership/channel-members.repository.js';
import { TeamMembersRepository } from '../membership/team-members.repository.js';
import { PostsService } from '../posts/posts.service.js';
import { PreferencesService } from '../preferences/preferences.service.js';
import { CustomStatusService } from '../status/custom-status.service.js';
import { StatusService } from '../status/status.service.js';
import { TeamsService } from '../teams/teams.service.js';
import { UsersRepository } from '../users/users.repository.js';
import type { BuiltInDescription, CommandArgs, CommandResponse } from './command.model.js';
import { EphemeralService } from './ephemeral/ephemeral.service.js';

/** The user fields the built-ins read. */
export interface CommandUser {
  id: string;
  username: string;
  nickname: string;
  first_name: string;
  last_name: string;
  delete_at: number;
  roles: string;
  props: Record<string, string>;
}

/**
 * What built-in commands act through: the other areas' services, so a command makes the same
 * permission checks and sends the same events as the API call it stands for (Mattermost's
 * commands call the same app functions as its handlers). Narrow types, so specs can pass fakes.
 */
export interface CommandEnv {
  config: Pick<ConfigService, 'get'>;
  permissions: Pick<PermissionsService, 'hasSystem' | 'hasTeam' | 'hasChannel'>;
  channels: Pick<ChannelsService, 'get' | 'patch' | 'createDirect' | 'createGroup'>;
  channelMembers: Pick<ChannelMembersService, 'add' | 'remove' | 'updateNotifyProps'>;
  channelRows: Pick<ChannelsRepository, 'byId' | 'byName'>;
  members: Pick<ChannelMembersRepository, 'get' | 'forUserInTeam'>;
  teamMembers: Pick<TeamMembersRepository, 'get' | 'shareATeam'>;
  teams: { get(teamId: string): Promise<{ id: string; name: string; display_name: string }> };
  users: { byId(id: string): Promise<CommandUser | undefined>; byUsername(username: string): Promise<CommandUser | undefined> };
  posts: Pick<PostsService, 'create'>;
  status: Pick<StatusService, 'setByUser'>;
  preferences: Pick<PreferencesService, 'save'>;
  customStatus: Pick<CustomStatusService, 'set' | 'clear'>;
  ephemeral: Pick<EphemeralService, 'send'>;
}

/** The environment as the app wires it. */
@Injectable()
export class AppCommandEnv implements CommandEnv {
  constructor(
    readonly config: ConfigService,
    readonly permissions: PermissionsService,
    readonly channels: ChannelsService,
    readonly channelMembers: ChannelMembersService,
    readonly channelRows: ChannelsRepository,
    readonly members: ChannelMembersRepository,
    readonly teamMembers: TeamMembersRepository,
    readonly teams: TeamsService,
    readonly users: UsersRepository,
    readonly posts: PostsService,
    readonly status: StatusService,
    readonly preferences: PreferencesService,
    readonly customStatus: CustomStatusService,
    readonly ephemeral: EphemeralService,
  ) {}
}

/** One execution of a command: who runs it, where, and through what. */
export interface CommandContext {
  env: CommandEnv;
  session: Session;
  args: CommandArgs;
}

/**
 * A built-in command (Mattermost's CommandProvider): how it describes itself for lists and
 * autocomplete, and what it does. `execute` answering null means the command is unavailable
 * (then the caller gets the not-found error, as for an unknown trigger).
 */
export interface BuiltInCommand {
  describe(): BuiltInDescription;
  execute(ctx: CommandContext, message: string): Promise<CommandResponse | null>;
}

/** The URL path of a channel in a team, as goto_location gives it. */
export function channelLocation(args: CommandArgs, teamName: string, channelName: string): string {
  return `${args.site_url}/${teamName}/channels/${channelName}`;
}

/** Mattermost's UserCanSeeOtherUser: view_members everywhere, else someone sharing a team. */
export async function canSeeUser(ctx: CommandContext, otherId: string): Promise<boolean> {
  if (ctx.env.permissions.hasSystem(ctx.session, 'view_members')) return true;
  return otherId === ctx.session.user_id || ctx.env.teamMembers.shareATeam(ctx.session.user_id, otherId);
}
