import { Inject, Injectable } from '@nestjs/common';
import { AppError, badRequest, forbidden, invalidParam, notFound, permissionDenied } from '#common';
import type { Session } from '../common/session.js';
import { suggestionsFor } from './autocomplete.js';
import { BUILT_INS } from './builtins/index.js';
import { AppCommandEnv } from './command-env.js';
import type { CommandContext, CommandEnv } from './command-env.js';
import {
  AutocompleteSuggestion,
  builtInCommandView,
  CommandArgs,
  CommandResponse,
  CommandView,
  RESPONSE_EPHEMERAL,
  RESPONSE_IN_CHANNEL,
  sanitizeCommand,
  SYSTEM_ADMIN_ROLE,
  SYSTEM_USER_ROLE,
} from './command.model.js';
import { CommandsRepository } from './commands.repository.js';

/** app/command.go maxTriggerLen: a longer trigger is cut in the not-found error. */
const MAX_TRIGGER_LEN = 512;
const SYSTEM_POST_PREFIX = 'system_';

const commandsDisabled = () => new AppError('', 'api.command.disabled.app_error', 'Commands have been disabled by the system admin.', 501);

/** What POST /commands/execute carries, checked by the controller. */
export type ExecuteInput = Pick<CommandArgs, 'command' | 'channel_id' | 'team_id' | 'root_id' | 'parent_id'>;

/**
 * Slash commands (api4/command.go and app/command.go): running the built-ins, their replies
 * (posted, or sent to the caller alone as ephemeral posts), and the command lists and autocomplete
 * the apps ask for. Custom commands are the `commands` table's rows, listed here.
 */
@Injectable()
export class CommandsService {
  constructor(
    @Inject(AppCommandEnv) private readonly env: CommandEnv,
    @Inject(CommandsRepository) private readonly custom: Pick<CommandsRepository, 'byTeam'>,
  ) {}

  // ---- execute ----------------------------------------------------------------------------------

  /**
   * executeCommand: create_post on the channel (so only its members run commands there), a live
   * channel, and for a direct or group message membership of the team named (or create_post
   * everywhere). In a team's channel the team is the channel's, whatever the client said.
   */
  async execute(session: Session, input: ExecuteInput, siteUrl: string): Promise<CommandResponse> {
    if (!(await this.env.permissions.hasChannel(session, input.channel_id, 'create_post'))) throw permissionDenied('create_post');
    const channel = await this.env.channels.get(input.channel_id);
    if (channel.delete_at !== 0) throw badRequest('api.command.execute_command.deleted.error', 'Can not run command in deleted channel.');
    let teamId = input.team_id;
    if (channel.type !== 'D' && channel.type !== 'G') {
      teamId = channel.team_id;
    } else if (!(await this.onTeam(session, teamId)) && !this.env.permissions.hasSystem(session, 'create_post')) {
      throw permissionDenied('create_post');
    }
    const args: CommandArgs = { ...input, team_id: teamId, user_id: session.user_id, site_url: siteUrl };
    return this.run({ env: this.env, session, args });
  }

  private async onTeam(session: Session, teamId: string): Promise<boolean> {
    const member = teamId ? await this.env.teamMembers.get(teamId, session.user_id) : undefined;
    return member !== undefined && member.delete_at === 0;
  }

  /** App.ExecuteCommand for built-ins. */
  private async run(ctx: CommandContext): Promise<CommandResponse> {
    const { trigger, message } = splitCommand(ctx.args.command);
    if (!trigger.startsWith('/')) {
      throw badRequest('api.command.execute_command.format.app_error', 'Command trigger word is missing the leading slash character');
    }
    const name = trigger.slice(1);
    // Custom commands are tried before built-ins and are refused as a whole when commands are off:
    // with EnableCommands false Mattermost answers every slash command, built-ins too, with 501.
    if (!this.env.config.get().ServiceSettings.EnableCommands) throw commandsDisabled();
    await this.env.teams.get(ctx.args.team_id);
    const builtIn = BUILT_INS.get(name);
    const response = builtIn ? await builtIn.execute(ctx, message) : null;
    if (!response) throw commandNotFound(name);
    return this.deliver(ctx, response);
  }

  /**
   * HandleCommandResponse: the reply and each extra reply are posted (in_channel) or sent to the
   * caller alone (ephemeral, when there is text); any failure makes the whole request fail with
   * create_post_failed. Mattermost answers that with 500 whatever the cause; here a refusal of the
   * caller's own input (a message too long to post, say) keeps its 4xx status, so bad input is
   * never a server error.
   */
  private async deliver(ctx: CommandContext, response: CommandResponse): Promise<CommandResponse> {
    let failure: AppError | undefined;
    for (const reply of [response, ...(response.extra_responses ?? [])]) {
      try {
        await this.deliverOne(ctx, reply);
      } catch (err) {
        if (!(err instanceof AppError)) throw err;
        failure = err;
      }
    }
    if (failure) {
      const trigger = ctx.args.command.split(' ')[0].slice(1).toLowerCase();
      throw new AppError(
        '',
        'api.command.execute_command.create_post_failed.app_error',
        `Command '${trigger}' failed to post response. Please contact your System Administrator.`,
        failure.statusCode < 500 ? failure.statusCode : 500,
        failure.id,
      );
    }
    return response;
  }

  /** HandleCommandResponsePost + CreateCommandPost for a built-in's reply. */
  private async deliverOne(ctx: CommandContext, reply: CommandResponse): Promise<void> {
    const { args, session, env } = ctx;
    let channelId = args.channel_id;
    if (reply.channel_id) {
      if (!(await env.members.get(reply.channel_id, args.user_id))) {
        throw forbidden('api.command.command_post.forbidden.app_error', 'Specified user is not a member of specified channel.');
      }
      channelId = reply.channel_id;
    }
    const props = this.overrideProps(reply);
    const message = reply.skip_slack_parsing ? reply.text : slackLinksToMarkdown(reply.text);
    if (reply.type.startsWith(SYSTEM_POST_PREFIX)) throw badRequest('api.context.invalid_param.app_error', 'Invalid post.type parameter.');
    if (reply.response_type === RESPONSE_IN_CHANNEL) {
      const post = { channel_id: channelId, root_id: args.root_id, message, type: reply.type, props, file_ids: [], pending_post_id: '', create_at: 0 };
      await env.posts.create(session, post, true);
      return;
    }
    if ((reply.response_type === '' || reply.response_type === RESPONSE_EPHEMERAL) && (reply.text !== '' || reply.attachments)) {
      env.ephemeral.send(args.user_id, { channel_id: channelId, root_id: args.root_id, user_id: args.user_id, message, props });
    }
  }

  /** The reply's props, with the username and icon overrides the config allows (a built-in sets none). */
  private overrideProps(reply: CommandResponse): Record<string, unknown> {
    const props: Record<string, unknown> = { ...(reply.props ?? {}) };
    const settings = this.env.config.get().ServiceSettings;
    let bot = false;
    if (settings.EnablePostUsernameOverride && reply.username) {
      props.override_username = reply.username;
      bot = true;
    }
    if (settings.EnablePostIconOverride && reply.icon_url) {
      props.override_icon_url = reply.icon_url;
      bot = true;
    }
    if (bot) props.from_webhook = 'true';
    return props;
  }

  // ---- lists ------------------------------------------------------------------------------------

  /** GET /teams/{team_id}/commands/autocomplete: view_team; the commands the team's users may run. */
  async listAutocomplete(session: Session, teamId: string): Promise<CommandView[]> {
    await this.requireTeam(session, teamId, 'view_team');
    return this.autocompleteCommands(teamId);
  }

  /**
   * GET /commands?team_id= (listCommands): view_team; with custom_only the team's custom commands
   * (manage_own_slash_commands; only one's own without manage_others_slash_commands); otherwise the
   * built-ins, plus the custom commands for those who manage them.
   */
  async list(session: Session, teamId: string, customOnly: boolean): Promise<CommandView[]> {
    await this.requireTeam(session, teamId, 'view_team');
    const managesOwn = await this.env.permissions.hasTeam(session, teamId, 'manage_own_slash_commands');
    if (customOnly && !managesOwn) throw permissionDenied('manage_own_slash_commands');
    if (!customOnly && !managesOwn) return this.autocompleteCommands(teamId);
    const creator = (await this.env.permissions.hasTeam(session, teamId, 'manage_others_slash_commands')) ? '' : session.user_id;
    return customOnly ? this.teamCommands(teamId, creator) : this.allCommands(teamId, creator);
  }

  /**
   * GET /teams/{team_id}/commands/autocomplete_suggestions: view_team, then what completes the
   * input, from the commands autocomplete lists (system-admin-only entries for system admins).
   */
  async suggestions(session: Session, teamId: string, userInput: string): Promise<AutocompleteSuggestion[]> {
    await this.requireTeam(session, teamId, 'view_team');
    if (userInput === '') throw invalidParam('userInput');
    const roleId = this.env.permissions.hasSystem(session, 'manage_system') ? SYSTEM_ADMIN_ROLE : SYSTEM_USER_ROLE;
    return suggestionsFor(await this.autocompleteCommands(teamId), userInput.replace(/^\//, ''), roleId);
  }

  private async requireTeam(session: Session, teamId: string, permission: string): Promise<void> {
    if (!(await this.env.permissions.hasTeam(session, teamId, permission))) throw permissionDenied(permission);
  }

  /** ListAutocompleteCommands: custom ones first (when commands are on), then the built-ins; /status only with custom statuses. */
  private async autocompleteCommands(teamId: string): Promise<CommandView[]> {
    const cfg = this.env.config.get();
    const seen = new Set<string>();
    if (!cfg.TeamSettings.EnableCustomUserStatuses) seen.add('status');
    const out: CommandView[] = [];
    const custom = cfg.ServiceSettings.EnableCommands ? await this.custom.byTeam(teamId) : [];
    for (const command of [...custom.filter((c) => c.auto_complete).map(sanitizeCommand), ...builtInViews()]) {
      if (seen.has(command.trigger)) continue;
      seen.add(command.trigger);
      out.push(command);
    }
    return out;
  }

  /** ListTeamCommandsByUser: the team's custom commands (of one creator unless ''); 501 with commands off. */
  private async teamCommands(teamId: string, creatorId: string): Promise<CommandView[]> {
    if (!this.env.config.get().ServiceSettings.EnableCommands) throw commandsDisabled();
    return (await this.custom.byTeam(teamId)).filter((c) => creatorId === '' || c.creator_id === creatorId);
  }

  /** ListAllCommandsByUser: the built-ins, then the custom commands not hidden by one of them. */
  private async allCommands(teamId: string, creatorId: string): Promise<CommandView[]> {
    const out = builtInViews();
    const seen = new Set(out.map((c) => c.trigger));
    if (!this.env.config.get().ServiceSettings.EnableCommands) return out;
    for (const command of await this.custom.byTeam(teamId)) {
      if (seen.has(command.trigger) || (creatorId !== '' && command.creator_id !== creatorId)) continue;
      seen.add(command.trigger);
      out.push(sanitizeCommand(command));
    }
    return out;
  }
}

/** The built-ins as commands, in trigger order. */
function builtInViews(): CommandView[] {
  return [...BUILT_INS.values()].map((b) => builtInCommandView(b.describe())).sort((a, b) => (a.trigger < b.trigger ? -1 : 1));
}

/** The trigger (lower case) and the message after the first whitespace, as ExecuteCommand splits them. */
export function splitCommand(command: string): { trigger: string; message: string } {
  const space = command.search(/\s/u);
  if (space === -1) return { trigger: command.toLowerCase(), message: '' };
  return { trigger: command.slice(0, space).toLowerCase(), message: command.slice(space + 1) };
}

function commandNotFound(trigger: string): AppError {
  const shown = trigger.length > MAX_TRIGGER_LEN ? `${trigger.slice(0, MAX_TRIGGER_LEN)}...` : trigger;
  return notFound(
    'api.command.execute_command.not_found.app_error',
    `Command with a trigger of '${shown}' not found. To send a message beginning with "/", try adding an empty space at the beginning of the message.`,
  );
}

/** model.ParseSlackLinksToMarkdown: `<url|text>` becomes `[text](url)`. */
export function slackLinksToMarkdown(text: string): string {
  return text.replace(/<([^<>|]+)\|([^<>|]+)>/g, '[$2]($1)');
}
