import { Controller, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import type { Response } from 'express';
import { AppError, badRequest, findJsonInputProblem, notFound } from '#common';
import { ConfigService } from '#config';
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
  constructor(
    private readonly commands: CommandsService,
    private readonly config: ConfigService,
  ) {}

  @Public()
  @Post('hooks/commands/:hook_id')
  @HttpCode(200)
  async post(@Param('hook_id') hookId: string, @Req() req: ApiRequest, @Res() res: Response) {
    if (!ID.test(hookId)) throw notFound('api.context.404.app_error', 'Sorry, we could not find the page.');
    const response = parseHookBody(req.headers['content-type'] ?? '', await readRaw(req, this.config.get().ServiceSettings.MaximumPayloadSizeBytes));
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

/** The request's body, refused past the payload limit once it has all arrived (the JSON parser is only mounted under /api/v4). */
function readRaw(req: ApiRequest, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
    });
    req.on('end', () => {
      if (size > limit) reject(new AppError('', 'api.context.request_body_too_large.app_error', 'The request body is too large.', 413));
      else resolve(Buffer.concat(chunks));
    });
    req.on('error', reject);
  });
}
