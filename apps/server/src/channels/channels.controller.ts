import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { badRequest, invalidParam, isValidId } from '#common';
import { CurrentSession } from '../common/decorators.js';
import { bodyIdList, bodyObject, boolParam, optional, pagination, urlId, urlUserId } from '../common/params.js';
import type { Session } from '../common/session.js';
import { rolesBody, schemeRolesBody } from '../membership/scheme-roles.js';
import { channelMemberView, channelView } from './channel.model.js';
import { ChannelListsService } from './channel-lists.service.js';
import { ChannelMembersService } from './channel-members.service.js';
import { ChannelReadsService } from './channel-reads.service.js';
import { ChannelChanges, ChannelsService } from './channels.service.js';
import { Audited, memberRolesDetail } from '../audits/audited.js';
import { ChannelMoveService } from './channel-move.service.js';

const OK = { status: 'OK' };
const MAX_LIST = 1000;

const payloadError = () => badRequest('api.payload.parse.error', 'Error parsing the request payload.');

/** A JSON array of ids, without duplicates (model.NonSortedArrayFromJSON / SortedArrayFromJSON). */
function idArray(body: unknown, sorted: boolean): string[] {
  if (!Array.isArray(body) || body.some((v) => typeof v !== 'string')) throw payloadError();
  const ids = [...new Set(body as string[])];
  return sorted ? ids.sort() : ids;
}

function changesFrom(b: Record<string, unknown>): ChannelChanges {
  return {
    display_name: optional(b, 'display_name', 'string'),
    name: optional(b, 'name', 'string'),
    header: optional(b, 'header', 'string'),
    purpose: optional(b, 'purpose', 'string'),
  };
}

/** /api/v4/channels: channels, their members, and read state. Static paths come before /:channel_id. */
@Controller('channels')
export class ChannelsController {
  constructor(
    private readonly channels: ChannelsService,
    private readonly lists: ChannelListsService,
    private readonly members: ChannelMembersService,
    private readonly reads: ChannelReadsService,
    private readonly mover: ChannelMoveService,
  ) {}

  @Post()
  @HttpCode(201)
  async create(@Body() body: unknown, @CurrentSession() s: Session) {
    const b = bodyObject(body, 'channel');
    const teamId = optional<string>(b, 'team_id', 'string') ?? '';
    const displayName = optional<string>(b, 'display_name', 'string') ?? '';
    const type = optional<string>(b, 'type', 'string') ?? '';
    if (!isValidId(teamId)) throw invalidParam('team_id');
    if (!displayName) throw invalidParam('display_name');
    const channel = await this.channels.create(s, {
      team_id: teamId,
      name: optional<string>(b, 'name', 'string') ?? '',
      display_name: displayName,
      type,
      header: optional(b, 'header', 'string'),
      purpose: optional(b, 'purpose', 'string'),
    });
    return channelView(channel);
  }

  @Post('direct')
  @HttpCode(201)
  async createDirect(@Body() body: unknown, @CurrentSession() s: Session) {
    const ids = idArray(body, false);
    // A channel with oneself is sent as one id (duplicates were dropped above).
    if (ids.length === 1 && ids[0] === s.user_id) ids.push(ids[0]);
    if (ids.length !== 2) throw invalidParam('user_ids');
    if (!ids.every((id) => isValidId(id))) throw invalidParam('user_id');
    return channelView(await this.channels.createDirect(s, [ids[0], ids[1]]));
  }

  @Post('group')
  @HttpCode(201)
  async createGroup(@Body() body: unknown, @CurrentSession() s: Session) {
    const ids = idArray(body, true);
    if (ids.length === 0) throw invalidParam('user_ids');
    if (!ids.every((id) => isValidId(id))) throw invalidParam('user_id');
    if (!ids.includes(s.user_id)) ids.push(s.user_id);
    return channelView(await this.channels.createGroup(s, ids));
  }

  @Post('group/search')
  async searchGroups(@Body() body: unknown, @CurrentSession() s: Session) {
    const term = optional<string>(bodyObject(body, 'channel_search'), 'term', 'string') ?? '';
    return (await this.lists.searchGroups(s, term)).map(channelView);
  }

  @Post('members/:user_id/view')
  async view(@Param('user_id') userId: string, @Body() body: unknown, @CurrentSession() s: Session) {
    const id = urlUserId(userId, s);
    const b = bodyObject(body, 'channel_view');
    const channelId = optional<string>(b, 'channel_id', 'string') ?? '';
    const prevChannelId = optional<string>(b, 'prev_channel_id', 'string') ?? '';
    // Blank ids are allowed: they mean the window lost focus, or the first channel of a session.
    if (channelId && !isValidId(channelId)) throw invalidParam('channel_view.channel_id');
    if (prevChannelId && !isValidId(prevChannelId)) throw invalidParam('channel_view.prev_channel_id');
    return { status: 'OK', last_viewed_at_times: await this.reads.view(s, id, [channelId, prevChannelId]) };
  }

  // ---- one channel -------------------------------------------------------------------------

  @Get(':channel_id')
  async get(@Param('channel_id') channelId: string, @CurrentSession() s: Session) {
    return channelView(await this.channels.getVisible(s, urlId(channelId, 'channel_id')));
  }

  @Put(':channel_id')
  async update(@Param('channel_id') channelId: string, @Body() body: unknown, @CurrentSession() s: Session) {
    const id = urlId(channelId, 'channel_id');
    const b = bodyObject(body, 'channel');
    if (b.id !== id) throw invalidParam('channel_id');
    return channelView(await this.channels.update(s, id, changesFrom(b), optional<string>(b, 'type', 'string')));
  }

  @Put(':channel_id/patch')
  async patch(@Param('channel_id') channelId: string, @Body() body: unknown, @CurrentSession() s: Session) {
    const changes = changesFrom(bodyObject(body, 'channel'));
    return channelView(await this.channels.patch(s, urlId(channelId, 'channel_id'), changes));
  }

  @Put(':channel_id/privacy')
  async privacy(@Param('channel_id') channelId: string, @Body() body: unknown, @CurrentSession() s: Session) {
    const id = urlId(channelId, 'channel_id');
    const privacy = optional<string>(bodyObject(body), 'privacy', 'string');
    if (privacy !== 'O' && privacy !== 'P') throw invalidParam('privacy');
    return channelView(await this.channels.setPrivacy(s, id, privacy));
  }

  /** mmctl channel move (api4 moveChannel): manage_system; body {team_id, force}. */
  @Post(':channel_id/move')
  async move(@Param('channel_id') channelId: string, @Body() body: unknown, @CurrentSession() s: Session) {
    return channelView(await this.mover.move(s, urlId(channelId, 'channel_id'), body));
  }

  @Post(':channel_id/restore')
  async restore(@Param('channel_id') channelId: string, @CurrentSession() s: Session) {
    return channelView(await this.channels.restore(s, urlId(channelId, 'channel_id')));
  }

  @Delete(':channel_id')
  async delete(@Param('channel_id') channelId: string, @Query('permanent') permanent: string | undefined, @CurrentSession() s: Session) {
    await this.channels.delete(s, urlId(channelId, 'channel_id'), boolParam(permanent));
    return OK;
  }

  @Get(':channel_id/stats')
  async stats(@Param('channel_id') channelId: string, @Query('exclude_files_count') excludeFiles: string | undefined, @CurrentSession() s: Session) {
    return this.channels.stats(s, urlId(channelId, 'channel_id'), boolParam(excludeFiles));
  }

  @Get(':channel_id/timezones')
  async timezones(@Param('channel_id') channelId: string, @CurrentSession() s: Session) {
    return this.members.timezones(s, urlId(channelId, 'channel_id'));
  }

  // ---- members -----------------------------------------------------------------------------

  @Get(':channel_id/members')
  async listMembers(@Param('channel_id') channelId: string, @Query() q: Record<string, string>, @CurrentSession() s: Session) {
    const id = urlId(channelId, 'channel_id');
    const { page, perPage } = pagination(q);
    return (await this.members.list(s, id, page, perPage)).map(channelMemberView);
  }

  @Post(':channel_id/members')
  @HttpCode(201)
  async addMembers(@Param('channel_id') channelId: string, @Body() body: unknown, @CurrentSession() s: Session) {
    const id = urlId(channelId, 'channel_id');
    const b = bodyObject(body, 'channel_member');
    let userIds: string[];
    if (Array.isArray(b.user_ids)) {
      if (b.user_ids.length > MAX_LIST) throw invalidParam('user_ids');
      if (!b.user_ids.every((u) => isValidId(u))) throw invalidParam('user_id in user_ids');
      userIds = b.user_ids as string[];
    } else {
      if (!isValidId(b.user_id)) throw invalidParam('user_id or user_ids');
      userIds = [b.user_id];
    }
    // post_root_id only places Mattermost's "added to the channel" system message in a thread.
    const postRootId = optional<string>(b, 'post_root_id', 'string');
    if (postRootId && !isValidId(postRootId)) throw invalidParam('post_root_id');
    const added = (await this.members.add(s, id, userIds)).map(channelMemberView);
    if (b.user_id !== undefined && added.length === 1 && added[0].user_id === b.user_id) return added[0];
    return added;
  }

  @Post(':channel_id/members/ids')
  async membersByIds(@Param('channel_id') channelId: string, @Body() body: unknown, @CurrentSession() s: Session) {
    const id = urlId(channelId, 'channel_id');
    const userIds = bodyIdList(body, 'user_ids');
    return (await this.members.byUserIds(s, id, userIds)).map(channelMemberView);
  }

  @Get(':channel_id/members/:user_id')
  async member(@Param('channel_id') channelId: string, @Param('user_id') userId: string, @CurrentSession() s: Session) {
    const id = urlId(channelId, 'channel_id');
    const uid = urlUserId(userId, s);
    return channelMemberView(await this.members.getMember(s, id, uid));
  }

  @Delete(':channel_id/members/:user_id')
  async removeMember(@Param('channel_id') channelId: string, @Param('user_id') userId: string, @CurrentSession() s: Session) {
    const id = urlId(channelId, 'channel_id');
    await this.members.remove(s, id, urlUserId(userId, s));
    return OK;
  }

  @Put(':channel_id/members/:user_id/roles')
  @Audited(memberRolesDetail('updateChannelMemberRoles', 'channel_id'))
  async updateRoles(@Param('channel_id') channelId: string, @Param('user_id') userId: string, @Body() body: unknown, @CurrentSession() s: Session) {
    const id = urlId(channelId, 'channel_id');
    const uid = urlUserId(userId, s);
    const roles = rolesBody(body, 'roles');
    await this.members.updateRoles(s, id, uid, roles);
    return OK;
  }

  @Put(':channel_id/members/:user_id/schemeRoles')
  @Audited(memberRolesDetail('updateChannelMemberSchemeRoles', 'channel_id'))
  async updateSchemeRoles(@Param('channel_id') channelId: string, @Param('user_id') userId: string, @Body() body: unknown, @CurrentSession() s: Session) {
    const id = urlId(channelId, 'channel_id');
    const uid = urlUserId(userId, s);
    const flags = schemeRolesBody(body);
    await this.members.updateSchemeRoles(s, id, uid, flags);
    return OK;
  }

  @Put(':channel_id/members/:user_id/notify_props')
  async updateNotifyProps(@Param('channel_id') channelId: string, @Param('user_id') userId: string, @Body() body: unknown, @CurrentSession() s: Session) {
    const id = urlId(channelId, 'channel_id');
    const uid = urlUserId(userId, s);
    const props = bodyObject(body, 'notify_props');
    await this.members.updateNotifyProps(s, id, uid, props);
    return OK;
  }
}
