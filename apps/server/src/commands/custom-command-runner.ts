import { badRequest, newId, notFound } from '#common';
import { requestCommand } from './command-request.js';
import type { CommandContext, CommandEnv } from './command-env.js';
import type { CommandResponse, CommandView } from './command.model.js';
import type { CommandsRepository } from './commands.repository.js';
import type { CommandWebhooksRepository } from './command-webhooks.repository.js';

/** The path of a command's response URL under the site URL (web/webhook.go's route). */
export const COMMAND_HOOK_PATH = '/hooks/commands/';

const AT_MENTION = /\B@[A-Za-z0-9][A-Za-z0-9.\-_:]*/g;
const CHANNEL_MENTION = /\B~[a-zA-Z0-9\-_]+/g;
const USERNAME_SPECIAL = '.-_';
/** How long a response URL lives (CommandWebhookLifetime), and how often a node clears the expired ones. */
export const COMMAND_HOOK_LIFETIME_MS = 30 * 60 * 1000;
const CLEANUP_EVERY_MS = 10 * 60 * 1000;

/**
 * tryExecuteCustomCommand: finds the team's custom command with the trigger and calls its URL with
 * Mattermost's values (who, where, what, the trigger id, the mentions, a response URL good for a
 * while), answering what the integration replied; null when the team has no such command, so the
 * built-ins get their turn.
 */
export class CustomCommandRunner {
  private lastCleanup = 0;

  constructor(
    private readonly env: CommandEnv,
    private readonly commands: Pick<CommandsRepository, 'byTeam'>,
    private readonly hooks: Pick<CommandWebhooksRepository, 'insert' | 'deleteOlderThan'>,
  ) {}

  async run(ctx: CommandContext, trigger: string, message: string): Promise<{ command: CommandView; response: CommandResponse } | null> {
    const { args } = ctx;
    let command: CommandView | undefined;
    for (const c of await this.commands.byTeam(args.team_id)) if (c.trigger === trigger) command = c;
    if (!command) return null;
    const team = await this.env.teams.get(args.team_id);
    const user = await this.env.users.byId(args.user_id);
    if (!user) throw notFound('app.user.missing_account.const', 'Unable to find the user.');
    const channel = await this.env.channelRows.byId(args.channel_id);
    if (!channel) throw notFound('app.channel.get.existing.app_error', 'Unable to find the existing channel.', `channel_id=${args.channel_id}`);
    // The configured site URL, never the request's Host header, so a response URL cannot be aimed elsewhere.
    const siteUrl = this.env.config.get().ServiceSettings.SiteURL.replace(/\/+$/, '');
    if (siteUrl === '') {
      throw badRequest('api.command.execute_command.site_url_required.app_error', 'Site URL is required to execute custom slash commands.');
    }
    const hookId = newId();
    this.clearExpiredHooks();
    await this.hooks.insert({
      id: hookId,
      create_at: Date.now(),
      command_id: command.id,
      user_id: args.user_id,
      channel_id: args.channel_id,
      root_id: args.root_id,
      use_count: 0,
    });
    const response = await requestCommand(this.env.config.get(), command, {
      token: command.token,
      team_id: command.team_id,
      team_domain: team.name,
      channel_id: args.channel_id,
      channel_name: channel.name,
      user_id: args.user_id,
      user_name: user.username,
      command: `/${trigger}`,
      text: message,
      trigger_id: args.trigger_id ?? '',
      root_id: args.root_id,
      response_url: `${siteUrl}${COMMAND_HOOK_PATH}${hookId}`,
      userMentions: await this.userMentions(message, team.id),
      channelMentions: await this.channelMentions(message, team.id),
    });
    return { command, response };
  }

  /**
   * Mattermost clears expired response URLs in a periodic job (CommandWebhookStore.Cleanup); here a
   * node does it, at most every CLEANUP_EVERY_MS, when it makes a new one. Racing nodes delete the
   * same rows, which is harmless; a failure only leaves rows for the next time.
   */
  private clearExpiredHooks(): void {
    const now = Date.now();
    if (now - this.lastCleanup < CLEANUP_EVERY_MS) return;
    this.lastCleanup = now;
    this.hooks.deleteOlderThan(now - COMMAND_HOOK_LIFETIME_MS).catch(() => undefined);
  }

  /** MentionsToTeamMembers: @names of the team's members (a name with trailing punctuation tried without it). */
  private async userMentions(message: string, teamId: string): Promise<Array<[string, string]>> {
    const names = [...new Set([...message.matchAll(AT_MENTION)].map((m) => m[0].slice(1).toLowerCase()))];
    const out: Array<[string, string]> = [];
    for (const name of names) {
      for (let candidate = name; candidate !== ''; candidate = trimSpecial(candidate)) {
        const user = await this.env.users.byUsername(candidate);
        if (user) {
          const member = await this.env.teamMembers.get(teamId, user.id);
          if (member && member.delete_at === 0) out.push([candidate, user.id]);
          break;
        }
        if (!USERNAME_SPECIAL.includes(candidate[candidate.length - 1])) break;
      }
    }
    return out;
  }

  /** MentionsToPublicChannels: ~names of the team's public channels. */
  private async channelMentions(message: string, teamId: string): Promise<Array<[string, string]>> {
    const names = [...new Set([...message.matchAll(CHANNEL_MENTION)].map((m) => m[0].slice(1)))];
    const out: Array<[string, string]> = [];
    for (const name of names) {
      const channel = await this.env.channelRows.byName(teamId, name, false);
      if (channel && channel.type === 'O') out.push([name, channel.id]);
    }
    return out;
  }
}

const trimSpecial = (word: string) => (USERNAME_SPECIAL.includes(word[word.length - 1]) ? word.slice(0, -1) : '');
