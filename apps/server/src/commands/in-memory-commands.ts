import { newId, notFound } from '#common';
import { memoryIntegrationKeys } from '../actions/integration-keys.service.js';
import { ChannelsTestbed } from '../channels/in-memory-channels.js';
import type { Session } from '../common/session.js';
import type { NewPostInput } from '../posts/posts.service.js';
import type { Preference } from '../preferences/preference.model.js';
import type { CommandContext, CommandEnv, CommandUser } from './command-env.js';
import type { CommandArgs, CommandView } from './command.model.js';
import type { CommandWebhookRow } from './command-webhooks.repository.js';
import { CommandsService } from './commands.service.js';
import { EphemeralService } from './ephemeral/ephemeral.service.js';

/**
 * The commands area over the channels testbed (in-memory channels, members, permissions, with the
 * events recorded) and recording fakes of what lives elsewhere (posts, statuses, preferences,
 * profiles, teams): for specs of the commands' decisions and replies.
 */
export class CommandsTestbed extends ChannelsTestbed {
  readonly posted: Array<{ session: Session; input: NewPostInput }> = [];
  readonly statuses: Array<{ userId: string; status: string }> = [];
  readonly savedPreferences: Preference[] = [];
  readonly profileProps = new Map<string, Record<string, string>>();
  readonly teamRows = new Map<string, { id: string; name: string; display_name: string }>();
  readonly customCommands: CommandView[] = [];
  readonly keys = memoryIntegrationKeys();
  readonly hooks = new Map<string, CommandWebhookRow>();
  readonly ephemeralService = new EphemeralService(this.permissions, this.publisher, this.keys);
  readonly env: CommandEnv;
  readonly service: CommandsService;

  constructor() {
    super();
    const users = {
      byId: async (id: string) => this.commandUser(this.users.rows.get(id)),
      byUsername: async (name: string) => this.commandUser([...this.users.rows.values()].find((u) => u.username === name)),
    };
    this.env = {
      config: this.configService,
      permissions: this.permissions,
      channels: this.channelsService,
      channelMembers: this.membersService,
      channelRows: this.channels.asRepository(),
      members: {
        get: (channelId: string, userId: string) => this.channelMembers.get(channelId, userId),
        // ChannelMembersRepository.forUserInTeam: the user's memberships in the team's channels.
        forUserInTeam: async (userId: string, teamId: string) =>
          [...this.channelMembers.rows.values()].filter((m) => m.user_id === userId && this.channels.rows.get(m.channel_id)?.team_id === teamId),
      },
      teamMembers: this.teamMembers.asRepository(),
      teams: {
        get: async (teamId: string) => {
          const team = this.teamRows.get(teamId);
          if (!team) throw notFound('app.team.get.find.app_error', 'We could not find the existing team.');
          return team;
        },
      },
      users,
      posts: {
        create: async (session: Session, input: NewPostInput) => {
          this.posted.push({ session, input });
          return { id: newId(), ...input } as never;
        },
      },
      status: { setByUser: async (userId: string, status: string) => void this.statuses.push({ userId, status }) },
      preferences: { save: async (_actor: Session, _userId: string, prefs: Preference[]) => void this.savedPreferences.push(...prefs) },
      customStatus: {
        set: async (_actor: Session, userId: string, body: unknown) => void this.profileProps.set(userId, { customStatus: JSON.stringify(body) }),
        clear: async (_actor: Session, userId: string) => void this.profileProps.set(userId, { customStatus: '' }),
      },
      ephemeral: this.ephemeralService,
    };
    this.service = new CommandsService(this.env, this.commandsStore(), this.hookStore(), this.keys);
  }

  /** The `commands` table in memory (live rows only are read, as the repository does). */
  commandsStore() {
    const live = () => this.customCommands.filter((c) => c.delete_at === 0);
    return {
      byTeam: async (teamId: string) => live().filter((c) => c.team_id === teamId),
      byId: async (id: string) => live().find((c) => c.id === id),
      insert: async (c: CommandView) => void this.customCommands.push({ ...c }),
      update: async (c: CommandView) => {
        const i = this.customCommands.findIndex((row) => row.id === c.id && row.delete_at === 0);
        if (i === -1) return false;
        this.customCommands[i] = {
          ...this.customCommands[i],
          ...c,
          create_at: this.customCommands[i].create_at,
          creator_id: this.customCommands[i].creator_id,
        };
        return true;
      },
      softDelete: async (id: string, at: number) => {
        const row = this.customCommands.find((c) => c.id === id && c.delete_at === 0);
        if (row) Object.assign(row, { delete_at: at, update_at: at });
      },
    };
  }

  /** The `command_webhooks` table in memory. */
  hookStore() {
    return {
      insert: async (hook: CommandWebhookRow) => void this.hooks.set(hook.id, { ...hook }),
      byId: async (id: string, since: number) => {
        const hook = this.hooks.get(id);
        return hook && hook.create_at > since ? { ...hook } : undefined;
      },
      deleteOlderThan: async (before: number) => {
        for (const [id, hook] of this.hooks) if (hook.create_at < before) this.hooks.delete(id);
      },
      tryUse: async (id: string, limit: number) => {
        const hook = this.hooks.get(id);
        if (!hook || hook.use_count >= limit) return false;
        hook.use_count++;
        return true;
      },
    };
  }

  private commandUser(u: { id: string; username: string; roles: string; delete_at: number } | undefined): CommandUser | undefined {
    if (!u) return undefined;
    return { nickname: '', first_name: '', last_name: '', props: this.profileProps.get(u.id) ?? {}, ...u };
  }

  /** A team with a name, on top of the channels testbed's. */
  namedTeam(name = `team-${newId().slice(0, 6)}`): string {
    const id = this.team();
    this.teamRows.set(id, { id, name, display_name: name.toUpperCase() });
    return id;
  }

  /** What a built-in sees when `session` runs it in the channel. */
  context(session: Session, channelId: string, teamId: string, command = ''): CommandContext {
    const args: CommandArgs = {
      command,
      channel_id: channelId,
      team_id: teamId,
      root_id: '',
      parent_id: '',
      user_id: session.user_id,
      site_url: 'http://chat.test',
    };
    return { env: this.env, session, args };
  }

  /** The ephemeral messages sent so far: to whom, and their text. */
  ephemerals(): Array<{ userId: string; message: string }> {
    return this.events
      .filter((e) => e.event === 'ephemeral_message')
      .map((e) => ({ userId: e.broadcast.user_id, message: JSON.parse(e.data.post as string).message as string }));
  }
}
