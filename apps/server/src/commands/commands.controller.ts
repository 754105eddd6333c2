import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query, Req } from '@nestjs/common';
import { Audited } from '../audits/audited.js';
import { badRequest, invalidParam, isValidId } from '#common';
import { ConfigService } from '#config';
import { CurrentSession } from '../common/decorators.js';
import { bodyObject, parseBoolParam, urlId } from '../common/params.js';
import type { ApiRequest } from '../common/request.js';
import type { Session } from '../common/session.js';
import { parseCommandInput } from './command-input.js';
import { CommandsService, ExecuteInput } from './commands.service.js';
import { CustomCommandsService } from './custom-commands.service.js';

const OK = { status: 'OK' };

/** api4/command.go: custom commands' management, running commands, and the command lists. */
@Controller()
export class CommandsController {
  constructor(
    private readonly commands: CommandsService,
    private readonly custom: CustomCommandsService,
    private readonly config: ConfigService,
  ) {}

  @Audited((r) => `createCommand command_id=${(r as { id?: string } | undefined)?.id ?? ''}`)
  @Post('commands')
  @HttpCode(201)
  create(@Body() body: unknown, @CurrentSession() s: Session) {
    return this.custom.create(s, parseCommandInput(body));
  }

  @Get('commands/:command_id')
  get(@Param('command_id') id: string, @CurrentSession() s: Session) {
    return this.custom.get(s, urlId(id, 'command_id'));
  }

  @Audited((_r, req) => `updateCommand command_id=${String(req.params.command_id)}`)
  @Put('commands/:command_id')
  update(@Param('command_id') id: string, @Body() body: unknown, @CurrentSession() s: Session) {
    const commandId = urlId(id, 'command_id');
    const input = parseCommandInput(body);
    if (input.id !== commandId) throw invalidParam('command');
    return this.custom.update(s, commandId, input);
  }

  @Audited((_r, req) => `deleteCommand command_id=${String(req.params.command_id)}`)
  @Delete('commands/:command_id')
  async delete(@Param('command_id') id: string, @CurrentSession() s: Session) {
    await this.custom.delete(s, urlId(id, 'command_id'));
    return OK;
  }

  @Audited((_r, req) => `moveCommand command_id=${String(req.params.command_id)} team_id=${String((req.body as { team_id?: unknown }).team_id ?? '')}`)
  @Put('commands/:command_id/move')
  async move(@Param('command_id') id: string, @Body() body: unknown, @CurrentSession() s: Session) {
    const commandId = urlId(id, 'command_id');
    const b = bodyObject(body, 'team_id');
    const teamId = b.team_id ?? '';
    if (typeof teamId !== 'string') throw invalidParam('team_id');
    await this.custom.move(s, commandId, teamId);
    return OK;
  }

  @Audited((_r, req) => `regenCommandToken command_id=${String(req.params.command_id)}`)
  @Put('commands/:command_id/regen_token')
  regenToken(@Param('command_id') id: string, @CurrentSession() s: Session) {
    return this.custom.regenToken(s, urlId(id, 'command_id'));
  }

  @Post('commands/execute')
  @HttpCode(200)
  execute(@Body() body: unknown, @Req() req: ApiRequest, @CurrentSession() s: Session) {
    return this.commands.execute(s, parseCommandArgs(body), siteUrl(this.config.get().ServiceSettings.SiteURL, req));
  }

  @Get('commands')
  list(@Query('team_id') teamId: string | undefined, @Query('custom_only') customOnly: string | undefined, @CurrentSession() s: Session) {
    if (!teamId) throw invalidParam('team_id');
    return this.commands.list(s, teamId, parseBoolParam(customOnly));
  }

  @Get('teams/:team_id/commands/autocomplete')
  autocomplete(@Param('team_id') teamId: string, @CurrentSession() s: Session) {
    return this.commands.listAutocomplete(s, urlId(teamId, 'team_id'));
  }

  @Get('teams/:team_id/commands/autocomplete_suggestions')
  suggestions(@Param('team_id') teamId: string, @Query('user_input') userInput: string | undefined, @CurrentSession() s: Session) {
    return this.commands.suggestions(s, urlId(teamId, 'team_id'), userInput ?? '');
  }
}

const stringField = (body: Record<string, unknown>, key: string): string => {
  const value = body[key] ?? '';
  if (typeof value !== 'string') throw invalidParam('command_args');
  return value;
};

/**
 * model.CommandArgs from the body: a body that does not decode is `command_args`; then a command
 * that is not `/` and something, or a channel id that is not an id, has no trigger (400).
 */
export function parseCommandArgs(body: unknown): ExecuteInput {
  const b = bodyObject(body, 'command_args');
  const args = {
    command: stringField(b, 'command'),
    channel_id: stringField(b, 'channel_id'),
    team_id: stringField(b, 'team_id'),
    root_id: stringField(b, 'root_id'),
    parent_id: stringField(b, 'parent_id'),
  };
  if (args.command.length <= 1 || !args.command.startsWith('/') || !isValidId(args.channel_id)) {
    throw badRequest('api.command.execute_command.start.app_error', 'No command trigger found.');
  }
  return args;
}

/**
 * Context.GetSiteURLHeader: ServiceSettings.SiteURL, or else the address the request came to
 * (the forwarded scheme when a proxy says it, then the Host header).
 */
export function siteUrl(configured: string, req: Pick<ApiRequest, 'protocol' | 'headers'>): string {
  if (configured) return configured.replace(/\/+$/, '');
  const forwarded = req.headers['x-forwarded-proto'];
  const proto = (Array.isArray(forwarded) ? forwarded[0] : forwarded) || req.protocol;
  return `${proto}://${req.headers.host ?? ''}`;
}
