import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { ConfigService } from '#config';
import type { ChannelRow } from '../channels/channel.model.js';
import { integrationRequest } from '../common/outbound/integration-request.js';
import { FetchError } from '../common/outbound/safe-fetch.js';
import type { PostCreated } from '../posts/post-created-listeners.js';
import { PostCreatedListeners } from '../posts/post-created-listeners.js';
import { TeamsRepository } from '../teams/teams.repository.js';
import { UsersRepository } from '../users/users.repository.js';
import { OutgoingWebhooksRepository } from './outgoing-webhooks.repository.js';
import { goField, goString, SlackDecodeError } from './slack.js';
import { requestFromJson, type IncomingWebhookRequest } from './webhook-payload.js';
import { firedHooks, OutgoingWebhook } from './webhook.model.js';
import { WebhookPosts } from './webhook-posts.js';

/** model.OutgoingWebhookPayload: what each callback URL receives. */
export interface OutgoingWebhookPayload {
  token: string;
  team_id: string;
  team_domain: string;
  channel_id: string;
  channel_name: string;
  /** Milliseconds in JSON; the form sends seconds (ToFormValues). */
  timestamp: number;
  user_id: string;
  user_name: string;
  post_id: string;
  text: string;
  trigger_word: string;
  file_ids: string;
}

/** The body and its Content-Type: JSON for `application/json`, a form for anything else. */
export function encodePayload(payload: OutgoingWebhookPayload, contentType: string): { body: string; type: string } {
  if (contentType === 'application/json') return { body: JSON.stringify(payload), type: 'application/json' };
  const form = new URLSearchParams();
  for (const [key, value] of Object.entries(payload)) form.set(key, key === 'timestamp' ? String(Math.floor(Number(value) / 1000)) : String(value));
  return { body: form.toString(), type: 'application/x-www-form-urlencoded' };
}

/** model.OutgoingWebhookResponse: a request's fields, plus `response_type`; `text` may be absent. */
export interface OutgoingWebhookResponse {
  request: IncomingWebhookRequest;
  hasText: boolean;
  responseType: string;
}

/** The callback's answer; null when it sent nothing. Anything but a JSON object of the right types is refused. */
export function decodeResponse(bytes: Buffer): OutgoingWebhookResponse | null {
  const text = bytes.toString('utf8');
  if (text.trim() === '') return null;
  const value: unknown = JSON.parse(text);
  if (value === null) return null;
  const request = requestFromJson(value);
  const o = value as Record<string, unknown>;
  const rawText = goField(o, 'text');
  return { request, hasText: rawText !== undefined && rawText !== null, responseType: goString(o, 'response_type') };
}

/**
 * Outgoing webhooks (handleWebhookEvents, TriggerWebhook): a user's post in a public channel of a
 * team is matched against the team's hooks, and each hook it fires POSTs the post to each of its
 * callback URLs through the SSRF guard (AllowedUntrustedInternalConnections), within
 * OutgoingIntegrationRequestsTimeout. An answer with text or attachments is posted back by the
 * hook's creator, as a reply to the post for `response_type: comment`. Runs after the post is
 * committed, on the node that created it, so once per post; nothing here slows the post down.
 */
@Injectable()
export class OutgoingWebhookSender implements OnModuleInit {
  private readonly log = new Logger('webhooks');

  constructor(
    private readonly hooks: OutgoingWebhooksRepository,
    private readonly teams: TeamsRepository,
    private readonly users: UsersRepository,
    private readonly posts: WebhookPosts,
    private readonly config: ConfigService,
    private readonly created: PostCreatedListeners,
  ) {}

  onModuleInit() {
    this.created.add((event) => this.onPostCreated(event));
  }

  /** Every delivery of this post, settled (for tests and the benchmark's waits). */
  async onPostCreated({ post, channel, poster }: PostCreated): Promise<void> {
    if (!this.config.get().ServiceSettings.EnableOutgoingWebhooks || channel.type !== 'O') return;
    const fired = firedHooks(await this.hooks.forTeam(channel.team_id), channel.id, post.message);
    if (fired.length === 0) return;
    const team = await this.teams.byId(channel.team_id);
    const deliveries = fired.flatMap(({ hook, triggerWord }) => {
      const payload: OutgoingWebhookPayload = {
        token: hook.token,
        team_id: hook.team_id,
        team_domain: team?.name ?? '',
        channel_id: post.channel_id,
        channel_name: channel.name,
        timestamp: post.create_at,
        user_id: post.user_id,
        user_name: poster.username,
        post_id: post.id,
        text: post.message,
        trigger_word: triggerWord,
        file_ids: post.file_ids.join(','),
      };
      return hook.callback_urls.map((url) => this.deliver(hook, url, payload, { id: post.id, root_id: post.root_id, channel }));
    });
    await Promise.all(deliveries);
  }

  private async deliver(hook: OutgoingWebhook, url: string, payload: OutgoingWebhookPayload, post: { id: string; root_id: string; channel: ChannelRow }) {
    const context = `outgoing webhook ${hook.id}, post ${post.id}, ${url}`;
    let response: OutgoingWebhookResponse | null;
    try {
      response = await this.send(hook, url, payload);
    } catch (err) {
      if (err instanceof FetchError && err.kind === 'timeout') {
        this.log.error(`${context}: the POST timed out; consider raising ServiceSettings.OutgoingIntegrationRequestsTimeout`);
      } else if (err instanceof FetchError && err.kind === 'forbidden') {
        this.log.error(`${context}: refused, the address is not allowed (ServiceSettings.AllowedUntrustedInternalConnections)`);
      } else {
        this.log.error(`${context}: the POST failed: ${err instanceof Error ? err.message : String(err)}`);
      }
      return;
    }
    if (!response || (!response.hasText && (response.request.attachments ?? []).length === 0)) return;
    try {
      await this.postAnswer(hook, response, post);
    } catch (err) {
      this.log.error(`${context}: the answer could not be posted: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  private async send(hook: OutgoingWebhook, url: string, payload: OutgoingWebhookPayload): Promise<OutgoingWebhookResponse | null> {
    const { body, type } = encodePayload(payload, hook.content_type);
    // Mattermost reads the answer whatever its status, up to the size limit.
    const { body: bytes } = await integrationRequest(this.config.get(), url, {
      method: 'POST',
      body,
      headers: { 'Content-Type': type, Accept: 'application/json' },
    });
    try {
      return decodeResponse(bytes);
    } catch (err) {
      if (err instanceof SyntaxError || err instanceof SlackDecodeError) throw new Error(`the answer is not a webhook response: ${err.message}`);
      throw err;
    }
  }

  /** The answer as a post by the hook's creator, with the hook's name and icon unless the answer gives its own. */
  private async postAnswer(hook: OutgoingWebhook, response: OutgoingWebhookResponse, post: { id: string; root_id: string; channel: ChannelRow }) {
    const owner = await this.users.byId(hook.creator_id);
    if (!owner) throw new Error(`the hook's creator ${hook.creator_id} is gone`);
    const req = response.request;
    const s = this.config.get().ServiceSettings;
    const { text, attachments } = await this.posts.processSlack(req.text, req.attachments);
    await this.posts.create({
      owner,
      channel: post.channel,
      text,
      overrideUsername: s.EnablePostUsernameOverride && hook.username !== '' && req.username === '' ? hook.username : req.username,
      overrideIconUrl: s.EnablePostIconOverride && hook.icon_url !== '' && req.icon_url === '' ? hook.icon_url : req.icon_url,
      overrideIconEmoji: '',
      props: { ...req.props, webhook_display_name: hook.display_name },
      attachments,
      type: req.type,
      // A reply to a reply goes to its thread (Mattermost would refuse a reply to a reply).
      rootId: response.responseType === 'comment' ? post.root_id || post.id : '',
      priority: req.priority,
    });
  }
}
