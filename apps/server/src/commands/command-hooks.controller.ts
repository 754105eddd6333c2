import { Controller, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import type { Response } from 'express';
import { badRequest, findJsonInputProblem, notFound } from '#common';
import { Public } from '../common/decorators.js';
import type { ApiRequest } from '../common/request.js';
import { decodeCommandResponse } from './command-request.js';
import { commandResponse, type CommandResponse } from './command.model.js';
import { CommandsService } from './commands.service.js';

/**
 * The routes of this controller live at the site's root, not under /api/v4 (main.ts excludes them
 * from the prefix), as Mattermost's web/webhook.go mounts /hooks/commands/{id}.
 */
export const COMMAND_HOOK_ROUTES = ['hooks/commands/:hook_id'];

const ID = /^[A-Za-z0-9]+$/;

/** A command's response URL: its integration posts a later reply here (APIHandlerTrustRequester: no session, the id is the secret). */
@Controller()
export class CommandHooksController {
  constructor(private readonly commands: CommandsService) {}

  @Public()
  @Post('hooks/commands/:hook_id')
  @HttpCode(200)
  async post(@Param('hook_id') hookId: string, @Req() req: ApiRequest, @Res() res: Response) {
    if (!ID.test(hookId)) throw notFound('api.context.404.app_error', 'Sorry, we could not find the page.');
    // main.ts reads every POST under /hooks raw (webhookBody, capped at MaximumPayloadSizeBytes).
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const response = parseHookBody(req.headers['content-type'] ?? '', body);
    await this.commands.handleResponseUrl(hookId, response);
    res.type('text/plain').send('ok');
  }
}

const parseError = (detail: string) => badRequest('web.command_webhook.parse.app_error', 'Unable to parse incoming data.', detail);

/** CommandResponseFromHTTPBody on a reply posted to a response URL: JSON when it says so, otherwise the text. */
export function parseHookBody(contentType: string, body: Buffer): CommandResponse {
  const mediaType = contentType.split(';')[0].trim().toLowerCase();
  const text = body.toString('utf8');
  if (mediaType !== 'application/json') return commandResponse({ text });
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw parseError((err as Error).message);
  }
  const problem = findJsonInputProblem(value);
  if (problem) throw parseError(`unusable JSON: ${problem.kind}`);
  try {
    return decodeCommandResponse(value);
  } catch (err) {
    throw parseError((err as Error).message);
  }
}
