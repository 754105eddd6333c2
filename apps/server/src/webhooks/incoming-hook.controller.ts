import { Controller, HttpCode, Param, Post, Query, Req, Res } from '@nestjs/common';
import type { Response } from 'express';
import { notFound } from '#common';
import { Public, TrustRequester } from '../common/decorators.js';
import type { ApiRequest } from '../common/request.js';
import { IncomingWebhookReceiver } from './incoming-webhook-receiver.service.js';
import { decodeIncomingRequest, decodeMultipartRequest, mediaType, payloadText } from './webhook-payload.js';

/**
 * The route outside /api/v4 (main.ts excludes exactly this pattern from the prefix, written with
 * its colon escaped so that /api/v4/hooks/incoming and /outgoing keep theirs).
 */
export const INCOMING_HOOK_ROUTES = ['hooks/\\:hook_id'];

/**
 * POST /hooks/{id}: an integration posts, with no session (web/webhook.go, APIHandlerTrustRequester).
 * The body, raw and capped at MaximumPayloadSizeBytes (413 past it), is JSON, a form whose
 * `payload` field is, or a multipart form of the text fields; the answer to a post made is a
 * plain-text `ok`.
 */
@Controller()
export class IncomingHookController {
  constructor(private readonly receiver: IncomingWebhookReceiver) {}

  @Public()
  @TrustRequester()
  @Post('hooks/:hook_id')
  @HttpCode(200)
  async receive(@Param('hook_id') hookId: string, @Query() query: Record<string, unknown>, @Req() req: ApiRequest, @Res() res: Response) {
    // Mattermost's router only takes ids of letters and digits.
    if (!/^[A-Za-z0-9]+$/.test(hookId)) throw notFound('api.context.404.app_error', 'Sorry, we could not find the page.');
    const type = mediaType(req.headers['content-type'], hookId);
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const payload =
      type === 'multipart/form-data'
        ? await decodeMultipartRequest(body, req.headers['content-type']!, hookId)
        : decodeIncomingRequest(payloadText(body, type, query), hookId);
    await this.receiver.receive(hookId, payload);
    res.status(200).setHeader('Content-Type', 'text/plain');
    res.end('ok');
  }
}
