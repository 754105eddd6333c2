import { Inject, Injectable } from '@nestjs/common';
import { notFound, permissionDenied } from '#common';
import { ConfigService } from '#config';
import { PermissionsService } from '../auth/permissions.service.js';
import { ChannelsRepository } from '../channels/channels.repository.js';
import { EphemeralService } from '../commands/ephemeral/ephemeral.service.js';
import type { Session } from '../common/session.js';
import { findAction, retainedProps } from '../posts/post-actions.js';
import { PostsRepository } from '../posts/posts.repository.js';
import { PostsService } from '../posts/posts.service.js';
import { TeamsService } from '../teams/teams.service.js';
import { UsersRepository } from '../users/users.repository.js';
import { openCookie, type PostActionCookie } from './action-cookies.js';
import { actionIntegrationError, postToIntegration } from './action-request.js';
import { IntegrationKeys } from './integration-keys.service.js';
import { generateTriggerId } from './trigger-ids.js';

type Json = Record<string, unknown>;

/** What a click sends (model.DoPostActionRequest). */
export interface DoPostActionInput {
  selected_option: string;
  cookie: string;
}

/** What the clicker gets back (model.PostActionAPIResponse). */
export interface PostActionAnswer {
  status: 'OK';
  trigger_id: string;
}

/** The parts of a post an action's answer may replace (model.PostActionIntegrationResponse). */
export interface ActionResponse {
  update: { message: string; props: Json | null } | null;
  ephemeral_text: string;
  skip_slack_parsing: boolean;
}

/** What the call is about, from the stored post or from an ephemeral post's cookie. */
interface Upstream {
  channelId: string;
  channelName: string;
  teamId: string;
  type: string;
  context: Json | undefined;
  dataSource: string;
  url: string;
  rootPostId: string;
  retain: Json;
  remove: string[];
  /** The stored post's props (none for an ephemeral post). */
  originalProps?: Json;
}

/** The services a click goes through, narrowed for specs. */
export interface PostActionDeps {
  config: Pick<ConfigService, 'get'>;
  permissions: Pick<PermissionsService, 'hasChannel'>;
  posts: Pick<PostsRepository, 'byId'>;
  postsService: Pick<PostsService, 'updateFromIntegration'>;
  channels: Pick<ChannelsRepository, 'byId'>;
  users: Pick<UsersRepository, 'byId'>;
  teams: Pick<TeamsService, 'get'>;
  ephemeral: Pick<EphemeralService, 'send'>;
  keys: Pick<IntegrationKeys, 'cookieSecret' | 'triggerKey'>;
  /** The request to the integration (postToIntegration unless a spec says otherwise). */
  request?: (url: string, payload: unknown) => Promise<string>;
}

@Injectable()
export class PostActionDepsProvider implements PostActionDeps {
  constructor(
    readonly config: ConfigService,
    readonly permissions: PermissionsService,
    readonly posts: PostsRepository,
    readonly postsService: PostsService,
    readonly channels: ChannelsRepository,
    readonly users: UsersRepository,
    readonly teams: TeamsService,
    readonly ephemeral: EphemeralService,
    readonly keys: IntegrationKeys,
  ) {}
}

/**
 * POST /posts/{post_id}/actions/{action_id} (api4 doPostAction, app DoPostActionWithCookie): a
 * click on a button or a menu choice. The server calls the action's integration with who clicked
 * where (and a trigger id for a dialog), then applies its answer: `update` replaces the post's
 * message and props (the post keeps its author, pin, reactions and the props integrations may
 * not change), `ephemeral_text` tells the clicker alone. An ephemeral post's actions come with
 * their sealed cookie, since the post was never stored.
 */
@Injectable()
export class PostActionsService {
  constructor(@Inject(PostActionDepsProvider) private readonly deps: PostActionDeps) {}

  async doAction(session: Session, postId: string, actionId: string, input: DoPostActionInput): Promise<PostActionAnswer> {
    const cookie = input.cookie ? this.openCookie(input.cookie) : undefined;
    if (cookie) await this.requireRead(session, cookie.channel_id ?? '');
    const post = await this.deps.posts.byId(postId);
    // read_channel on the post's channel (SessionHasPermissionToChannelByPost); a missing post is that 403 too.
    if (!cookie || post) {
      if (!post) throw permissionDenied('read_channel');
      await this.requireRead(session, post.channel_id);
    }
    const upstream = post ? await this.fromPost(post, actionId) : await this.fromCookie(postId, cookie!);
    return this.call(session, postId, upstream, input.selected_option);
  }

  private openCookie(encoded: string): PostActionCookie {
    const cookie = openCookie(encoded, this.deps.keys.cookieSecret);
    if (!cookie) throw actionIntegrationError('the cookie does not decrypt');
    return cookie;
  }

  private async requireRead(session: Session, channelId: string): Promise<void> {
    if (!(await this.deps.permissions.hasChannel(session, channelId, 'read_channel'))) throw permissionDenied('read_channel');
  }

  private async fromPost(post: { id: string; root_id: string; channel_id: string; props: Json }, actionId: string): Promise<Upstream> {
    const action = findAction(post.props, actionId);
    if (!action?.integration) throw notFound('api.post.do_action.action_id.app_error', 'Invalid action id.', `action_id=${actionId}`);
    const channel = await this.deps.channels.byId(post.channel_id);
    if (!channel) throw notFound('app.channel.get_for_post.app_error', 'Unable to get the channel for the given post.');
    const { retain, remove } = retainedProps(post.props);
    return {
      channelId: post.channel_id,
      channelName: channel.name,
      teamId: channel.team_id,
      type: action.type,
      context: action.integration.context,
      dataSource: action.data_source,
      url: action.integration.url,
      rootPostId: post.root_id || post.id,
      retain,
      remove,
      originalProps: post.props,
    };
  }

  private async fromCookie(postId: string, cookie: PostActionCookie): Promise<Upstream> {
    const integration = cookie.integration;
    if (!integration || typeof integration.url !== 'string') throw actionIntegrationError('no Integration in action cookie');
    if (postId !== cookie.post_id) throw actionIntegrationError("postId doesn't match");
    const channel = await this.deps.channels.byId(cookie.channel_id ?? '');
    if (!channel) throw notFound('app.channel.get.existing.app_error', 'Unable to find the existing channel.');
    return {
      channelId: channel.id,
      channelName: channel.name,
      teamId: channel.team_id,
      type: cookie.type ?? '',
      context: integration.context,
      dataSource: cookie.data_source ?? '',
      url: integration.url,
      rootPostId: cookie.root_post_id ?? '',
      retain: cookie.retain_props ?? {},
      remove: cookie.remove_props ?? [],
    };
  }

  private async call(session: Session, postId: string, up: Upstream, selectedOption: string): Promise<PostActionAnswer> {
    const user = await this.deps.users.byId(session.user_id);
    if (!user) throw notFound('app.user.missing_account.const', 'Unable to find the user.');
    // Direct and group channels have no team.
    const team = up.teamId ? await this.deps.teams.get(up.teamId) : undefined;
    let context = up.context;
    let dataSource = '';
    if (up.type === 'select' && selectedOption !== '') {
      context = { ...(context ?? {}), selected_option: selectedOption };
      dataSource = up.dataSource;
    }
    const trigger = generateTriggerId(session.user_id, this.deps.keys.triggerKey);
    // model.PostActionIntegrationRequest, in its field order; an empty context is left out (omitempty).
    const payload: Json = {
      user_id: session.user_id,
      user_name: user.username,
      channel_id: up.channelId,
      channel_name: up.channelName,
      team_id: up.teamId,
      team_domain: team?.name ?? '',
      post_id: postId,
      trigger_id: trigger.triggerId,
      type: up.type,
      data_source: dataSource,
    };
    if (context && Object.keys(context).length > 0) payload.context = context;
    const request = this.deps.request ?? ((url: string, body: unknown) => postToIntegration(this.deps.config.get(), url, body));
    const response = decodeActionResponse(await request(up.url, payload));
    await this.apply(session, postId, up, response);
    return { status: 'OK', trigger_id: trigger.clientTriggerId };
  }

  private async apply(session: Session, postId: string, up: Upstream, response: ActionResponse): Promise<void> {
    if (response.update) {
      let props: Json;
      if (response.update.props === null) {
        props = up.originalProps ?? {};
      } else {
        props = { ...response.update.props, ...up.retain };
        for (const key of up.remove) delete props[key];
      }
      await this.deps.postsService.updateFromIntegration(postId, response.update.message, props);
    }
    if (response.ephemeral_text !== '') {
      const message = response.skip_slack_parsing ? response.ephemeral_text : slackLinksToMarkdown(response.ephemeral_text);
      this.deps.ephemeral.send(session.user_id, {
        channel_id: up.channelId,
        root_id: up.rootPostId,
        user_id: session.user_id,
        message,
        props: { ...up.retain },
      });
    }
  }
}

/** model.ParseSlackLinksToMarkdown. */
const slackLinksToMarkdown = (text: string) => text.replace(/<([^<>|]+)\|([^<>|]+)>/g, '[$2]($1)');

/** The integration's answer: empty is nothing to do; JSON that does not decode into Mattermost's struct is the 400 action error. */
export function decodeActionResponse(body: string): ActionResponse {
  const out: ActionResponse = { update: null, ephemeral_text: '', skip_slack_parsing: false };
  if (body.length === 0) return out;
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch (err) {
    throw actionIntegrationError((err as Error).message);
  }
  if (value === null) return out;
  if (typeof value !== 'object' || Array.isArray(value)) throw actionIntegrationError('the answer is not an object');
  const v = value as Json;
  const wrong = (field: string) => actionIntegrationError(`${field} has the wrong type`);
  if (v.ephemeral_text !== undefined && v.ephemeral_text !== null) {
    if (typeof v.ephemeral_text !== 'string') throw wrong('ephemeral_text');
    out.ephemeral_text = v.ephemeral_text;
  }
  if (v.skip_slack_parsing !== undefined && v.skip_slack_parsing !== null) {
    if (typeof v.skip_slack_parsing !== 'boolean') throw wrong('skip_slack_parsing');
    out.skip_slack_parsing = v.skip_slack_parsing;
  }
  if (v.update !== undefined && v.update !== null) {
    if (typeof v.update !== 'object' || Array.isArray(v.update)) throw wrong('update');
    const u = v.update as Json;
    if (u.message !== undefined && u.message !== null && typeof u.message !== 'string') throw wrong('update.message');
    if (u.props !== undefined && u.props !== null && (typeof u.props !== 'object' || Array.isArray(u.props))) throw wrong('update.props');
    out.update = { message: (u.message as string | undefined) ?? '', props: (u.props as Json | undefined) ?? null };
  }
  return out;
}
