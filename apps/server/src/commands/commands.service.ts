import { Inject, Injectable } from '@nestjs/common';
import { AppError, badRequest, forbidden, invalidParam, notFound, permissionDenied } from '#common';
import { IntegrationKeys } from '../actions/integration-keys.service.js';
import { generateTriggerId } from '../actions/trigger-ids.js';
import { sessionFor, type Session } from '../common/session.js';
import { suggestionsFor } from './autocomplete.js';
import { BUILT_INS } from './builtins/index.js';
import { AppCommandEnv } from './command-env.js';
import type { CommandContext, CommandEnv } from './command-env.js';
import { CommandWebhooksRepository } from './command-webhooks.repository.js';
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
import { COMMAND_HOOK_LIFETIME_MS, CustomCommandRunner } from './custom-command-runner.js';
import { commandsDisabled } from './custom-commands.service.js';
import { attachmentLinksToMarkdown, processAttachments, processSlackText, slackLinksToMarkdown } from './slack-text.js';

/** app/command.go maxTriggerLen: a longer trigger is cut in the not-found error. */
const MAX_TRIGGER_LEN = 512;
const SYSTEM_POST_PREFIX = 'system_';
/** model.PostTypeSlackAttachment: a reply with attachments and no type of its own. */
const POST_TYPE_SLACK_ATTACHMENT = 'slack_attachment';
/** The uses HandleCommandWebhook allows a response URL. */
export const COMMAND_HOOK_MAX_USES = 5;

/** What POST /commands/execute carries, checked by the controller. */
export type ExecuteInput = Pick<CommandArgs, 'command' | 'channel_id' | 'team_id' | 'root_id' | 'parent_id'>;

/**
 * Slash commands (api4/command.go and app/command.go): running custom commands (the team's rows of
 * the `commands` table, tried first) and the built-ins, their replies (posted, or sent to the
 * caller alone as ephemeral posts), replies that come later through a response URL, and the
 * command lists and autocomplete the apps ask for.
 */
@Injectable()
export class CommandsService {
  private readonly runner: CustomCommandRunner;

  constructor(
    @Inject(AppCommandEnv) private readonly env: CommandEnv,
    @Inject(CommandsRepository) private readonly custom: Pick<CommandsRepository, 'byTeam' | 'byId'>,
    @Inject(CommandWebhooksRepository) private readonly hooks: Pick<CommandWebhooksRepository, 'insert' | 'byId' | 'tryUse' | 'deleteOlderThan'>,
    @Inject(IntegrationKeys) private readonly keys: Pick<IntegrationKeys, 'triggerKey'>,
  ) {
    this.runner = new CustomCommandRunner(env, custom, hooks);
  }

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

  /**
   * App.ExecuteCommand: every run gets a trigger id (the signed one goes to a custom command's
   * integration, which may open a dialog with it; the reply carries the client's part), then the
   * team's custom commands are tried before the built-ins.
   */
  private async run(ctx: CommandContext): Promise<CommandResponse> {
    const { trigger, message } = splitCommand(ctx.args.command);
    if (!trigger.startsWith('/')) {
      throw badRequest('api.command.execute_command.format.app_error', 'Command trigger word is missing the leading slash character');
    }
    const name = trigger.slice(1);
    // Custom commands are tried before built-ins and are refused as a whole when commands are off:
    // with EnableCommands false Mattermost answers every slash command, built-ins too, with 501.
    if (!this.env.config.get().ServiceSettings.EnableCommands) throw commandsDisabled();
    const triggerIds = generateTriggerId(ctx.args.user_id, this.keys.triggerKey);
    ctx.args.trigger_id = triggerIds.triggerId;
    const custom = await this.runner.run(ctx, name, message);
    if (custom) return this.deliver(ctx, { ...custom.response, trigger_id: triggerIds.clientTriggerId }, custom.command);
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
  private async deliver(ctx: CommandContext, response: CommandResponse, custom?: CommandView): Promise<CommandResponse> {
    let failure: AppError | undefined;
    for (const reply of [response, ...(response.extra_responses ?? [])]) {
      try {
        await this.deliverOne(ctx, reply, custom);
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

  /**
   * HandleCommandResponsePost + CreateCommandPost: the reply goes to the channel it names (if the
   * caller is in it) or the command's; Slack text rules apply unless skip_slack_parsing; attachments
   * make a slack_attachment post; a custom command's reply is marked from_webhook and may carry the
   * overrides the config allows.
   */
  private async deliverOne(ctx: CommandContext, reply: CommandResponse, custom?: CommandView): Promise<void> {
    const { args, session, env } = ctx;
    let channelId = args.channel_id;
    if (reply.channel_id) {
      if (!(await env.members.get(reply.channel_id, args.user_id))) {
        throw forbidden('api.command.command_post.forbidden.app_error', 'Specified user is not a member of specified channel.');
      }
      channelId = reply.channel_id;
    }
    const props = this.overrideProps(reply, custom);
    let { text, attachments } = reply;
    if (!reply.skip_slack_parsing) {
      const usernameOf = async (id: string) => (await env.users.byId(id))?.username;
      text = await processSlackText(text, usernameOf);
      if (attachments) attachments = await processAttachments(attachments, usernameOf);
    }
    const message = reply.skip_slack_parsing ? text : slackLinksToMarkdown(text);
    if (reply.type.startsWith(SYSTEM_POST_PREFIX)) throw badRequest('api.context.invalid_param.app_error', 'Invalid post.type parameter.');
    let type = reply.type;
    if (attachments) {
      type ||= POST_TYPE_SLACK_ATTACHMENT;
      props.attachments = attachmentLinksToMarkdown(attachments);
    }
    if (reply.response_type === RESPONSE_IN_CHANNEL) {
      const post = { channel_id: channelId, root_id: args.root_id, message, type, props, file_ids: [], pending_post_id: '', create_at: 0 };
      await env.posts.create(session, post, true);
      return;
    }
    if ((reply.response_type === '' || reply.response_type === RESPONSE_EPHEMERAL) && (reply.text !== '' || reply.attachments)) {
      env.ephemeral.send(args.user_id, { channel_id: channelId, root_id: args.root_id, user_id: args.user_id, message, props });
    }
  }

  /**
   * The reply's props with the username and icon overrides the config allows, the command's own
   * before the reply's; a custom command's reply is always from_webhook. Overrides a reply puts in
   * its props pass the same settings (CreateCommandPost), so props cannot get around them.
   */
  private overrideProps(reply: CommandResponse, custom?: CommandView): Record<string, unknown> {
    const props: Record<string, unknown> = { ...(reply.props ?? {}) };
    const settings = this.env.config.get().ServiceSettings;
    if (!settings.EnablePostUsernameOverride) delete props.override_username;
    if (!settings.EnablePostIconOverride) {
      delete props.override_icon_url;
      delete props.override_icon_emoji;
    }
    let bot = custom !== undefined;
    const username = custom?.username || reply.username;
    const iconUrl = custom?.icon_url || reply.icon_url;
    if (settings.EnablePostUsernameOverride && username) {
      props.override_username = username;
      bot = true;
    }
    if (settings.EnablePostIconOverride && iconUrl) {
      props.override_icon_url = iconUrl;
      bot = true;
    }
    if (bot) props.from_webhook = 'true';
    return props;
  }

  // ---- response URLs ----------------------------------------------------------------------------

  /**
   * POST /hooks/commands/{id} (HandleCommandWebhook): a later reply of the command's integration,
   * delivered as the command's own replies are, as the user who ran it, where they ran it. A
   * response URL lives COMMAND_HOOK_LIFETIME_MS and takes COMMAND_HOOK_MAX_USES replies.
   */
  async handleResponseUrl(hookId: string, response: CommandResponse): Promise<void> {
    const hook = await this.hooks.byId(hookId, Date.now() - COMMAND_HOOK_LIFETIME_MS);
    if (!hook) throw notFound('app.command_webhook.get.missing', 'Unable to get the webhook.', `hook_id=${hookId}`);
    const command = await this.custom.byId(hook.command_id);
    if (!command) throw badRequest('web.command_webhook.command.app_error', 'Could not find the command.', `hook_id=${hookId}`);
    if (!(await this.hooks.tryUse(hook.id, COMMAND_HOOK_MAX_USES))) {
      throw badRequest('app.command_webhook.try_use.invalid', 'Invalid webhook.', `hook_id=${hookId}`);
    }
    const user = await this.env.users.byId(hook.user_id);
    if (!user) throw notFound('app.user.missing_account.const', 'Unable to find the user.');
    // The user who ran the command posts the reply, with their own roles, as when they ran it.
    const session = sessionFor(user);
    const args: CommandArgs = {
      command: '',
      channel_id: hook.channel_id,
      team_id: command.team_id,
      root_id: hook.root_id,
      parent_id: '',
      user_id: user.id,
      site_url: this.env.config.get().ServiceSettings.SiteURL,
    };
    await this.deliver({ env: this.env, session, args }, response, command);
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
