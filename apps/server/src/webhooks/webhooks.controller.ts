import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { Audited } from '../audits/audited.js';
import { invalidParam } from '#common';
import { CurrentSession } from '../common/decorators.js';
import { bodyObject, boolParam, optional, pagination, urlId } from '../common/params.js';
import type { Session } from '../common/session.js';
import { IncomingWebhookInput, IncomingWebhooksService } from './incoming-webhooks.service.js';
import { OutgoingWebhookInput, OutgoingWebhooksService } from './outgoing-webhooks.service.js';

const OK = { status: 'OK' };

function text(b: Record<string, unknown>, key: string): string {
  return optional<string>(b, key, 'string') ?? '';
}

/** A StringArray field: null or absent is empty, anything but a list of strings is refused. */
function stringList(b: Record<string, unknown>, key: string): string[] {
  const value = b[key];
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) throw invalidParam(key);
  return value as string[];
}

function incomingInput(body: unknown): IncomingWebhookInput {
  const b = bodyObject(body, 'incoming_webhook');
  return {
    id: optional<string>(b, 'id', 'string'),
    channel_id: text(b, 'channel_id'),
    team_id: text(b, 'team_id'),
    user_id: text(b, 'user_id'),
    display_name: text(b, 'display_name'),
    description: text(b, 'description'),
    username: text(b, 'username'),
    icon_url: text(b, 'icon_url'),
    channel_locked: optional<boolean>(b, 'channel_locked', 'boolean') ?? false,
  };
}

function outgoingInput(body: unknown): OutgoingWebhookInput {
  const b = bodyObject(body, 'outgoing_webhook');
  const when = optional<number>(b, 'trigger_when', 'number') ?? 0;
  if (!Number.isSafeInteger(when)) throw invalidParam('trigger_when');
  return {
    id: optional<string>(b, 'id', 'string'),
    team_id: text(b, 'team_id'),
    channel_id: text(b, 'channel_id'),
    creator_id: text(b, 'creator_id'),
    trigger_words: stringList(b, 'trigger_words'),
    trigger_when: when,
    callback_urls: stringList(b, 'callback_urls'),
    display_name: text(b, 'display_name'),
    description: text(b, 'description'),
    content_type: text(b, 'content_type'),
    username: text(b, 'username'),
    icon_url: text(b, 'icon_url'),
  };
}

/** The body's id must be the URL's (the hook being updated is the one named). */
function sameId(input: { id?: string }, hookId: string): void {
  if (input.id !== hookId) throw invalidParam('hook_id');
}

/** Incoming and outgoing webhooks' REST endpoints (api4/webhook.go). */
@Controller('hooks')
export class WebhooksController {
  constructor(
    private readonly incoming: IncomingWebhooksService,
    private readonly outgoing: OutgoingWebhooksService,
  ) {}

  @Audited((r) => `createIncomingHook hook_id=${(r as { id?: string } | undefined)?.id ?? ''}`)
  @Post('incoming')
  @HttpCode(201)
  async createIncoming(@Body() body: unknown, @CurrentSession() s: Session) {
    return this.incoming.create(s, incomingInput(body));
  }

  @Get('incoming')
  async listIncoming(@Query() q: Record<string, string>, @CurrentSession() s: Session) {
    const { page, perPage } = pagination(q);
    const { hooks, total } = await this.incoming.list(s, typeof q.team_id === 'string' ? q.team_id : '', page, perPage);
    return boolParam(q.include_total_count) ? { incoming_webhooks: hooks, total_count: await total() } : hooks;
  }

  @Get('incoming/:hook_id')
  async getIncoming(@Param('hook_id') hookId: string, @CurrentSession() s: Session) {
    return this.incoming.get(s, urlId(hookId, 'hook_id'));
  }

  /** Mattermost answers an update with 201. */
  @Audited((_r, req) => `updateIncomingHook hook_id=${String(req.params.hook_id)}`)
  @Put('incoming/:hook_id')
  @HttpCode(201)
  async updateIncoming(@Param('hook_id') hookId: string, @Body() body: unknown, @CurrentSession() s: Session) {
    const id = urlId(hookId, 'hook_id');
    const input = incomingInput(body);
    sameId(input, id);
    return this.incoming.update(s, id, input);
  }

  @Audited((_r, req) => `deleteIncomingHook hook_id=${String(req.params.hook_id)}`)
  @Delete('incoming/:hook_id')
  async deleteIncoming(@Param('hook_id') hookId: string, @CurrentSession() s: Session) {
    await this.incoming.delete(s, urlId(hookId, 'hook_id'));
    return OK;
  }

  @Audited((r) => `createOutgoingHook hook_id=${(r as { id?: string } | undefined)?.id ?? ''}`)
  @Post('outgoing')
  @HttpCode(201)
  async createOutgoing(@Body() body: unknown, @CurrentSession() s: Session) {
    return this.outgoing.create(s, outgoingInput(body));
  }

  @Get('outgoing')
  async listOutgoing(@Query() q: Record<string, string>, @CurrentSession() s: Session) {
    const { page, perPage } = pagination(q);
    const channelId = typeof q.channel_id === 'string' ? q.channel_id : '';
    const teamId = typeof q.team_id === 'string' ? q.team_id : '';
    return this.outgoing.list(s, channelId, teamId, page, perPage);
  }

  @Get('outgoing/:hook_id')
  async getOutgoing(@Param('hook_id') hookId: string, @CurrentSession() s: Session) {
    return this.outgoing.get(s, urlId(hookId, 'hook_id'));
  }

  @Audited((_r, req) => `updateOutgoingHook hook_id=${String(req.params.hook_id)}`)
  @Put('outgoing/:hook_id')
  async updateOutgoing(@Param('hook_id') hookId: string, @Body() body: unknown, @CurrentSession() s: Session) {
    const id = urlId(hookId, 'hook_id');
    const input = outgoingInput(body);
    sameId(input, id);
    return this.outgoing.update(s, id, input);
  }

  @Audited((_r, req) => `deleteOutgoingHook hook_id=${String(req.params.hook_id)}`)
  @Delete('outgoing/:hook_id')
  async deleteOutgoing(@Param('hook_id') hookId: string, @CurrentSession() s: Session) {
    await this.outgoing.delete(s, urlId(hookId, 'hook_id'));
    return OK;
  }

  @Audited((_r, req) => `regenOutgoingHookToken hook_id=${String(req.params.hook_id)}`)
  @Post('outgoing/:hook_id/regen_token')
  async regenToken(@Param('hook_id') hookId: string, @CurrentSession() s: Session) {
    return this.outgoing.regenToken(s, urlId(hookId, 'hook_id'));
  }
}
