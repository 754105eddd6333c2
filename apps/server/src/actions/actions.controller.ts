import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { invalidParam, notFound } from '#common';
import { CurrentSession, Public } from '../common/decorators.js';
import { urlId } from '../common/params.js';
import type { Session } from '../common/session.js';
import { decodeOpenDialog, decodeSubmitDialog } from './dialog.js';
import { DialogsService } from './dialogs.service.js';
import { PostActionsService, type DoPostActionInput } from './post-actions.service.js';

const ACTION_ID = /^[A-Za-z0-9]+$/;

/** api4/integration_action.go: clicks on interactive messages, and dialogs. */
@Controller()
export class ActionsController {
  constructor(
    private readonly actions: PostActionsService,
    private readonly dialogs: DialogsService,
  ) {}

  @Post('posts/:post_id/actions/:action_id')
  @HttpCode(200)
  doAction(@Param('post_id') postId: string, @Param('action_id') actionId: string, @Body() body: unknown, @CurrentSession() s: Session) {
    const id = urlId(postId, 'post_id');
    // The route only matches alphanumeric action ids in Mattermost.
    if (!ACTION_ID.test(actionId)) throw notFound('api.context.404.app_error', 'Sorry, we could not find the page.');
    return this.actions.doAction(s, id, actionId, parseActionRequest(body));
  }

  /** APIHandler: no session; the signed trigger id says who the dialog is for. */
  @Public()
  @Post('actions/dialogs/open')
  @HttpCode(200)
  open(@Body() body: unknown) {
    this.dialogs.open(decodeOpenDialog(body));
    return { status: 'OK' };
  }

  @Post('actions/dialogs/submit')
  @HttpCode(200)
  submit(@Body() body: unknown, @CurrentSession() s: Session) {
    return this.dialogs.submit(s, decodeSubmitDialog(body));
  }
}

/** model.DoPostActionRequest: both fields optional strings. */
export function parseActionRequest(body: unknown): DoPostActionInput {
  if (body === undefined || body === null) return { selected_option: '', cookie: '' };
  if (typeof body !== 'object' || Array.isArray(body)) throw invalidParam('action_request');
  const b = body as Record<string, unknown>;
  const field = (key: string) => {
    const value = b[key] ?? '';
    if (typeof value !== 'string') throw invalidParam(key);
    return value;
  };
  return { selected_option: field('selected_option'), cookie: field('cookie') };
}
