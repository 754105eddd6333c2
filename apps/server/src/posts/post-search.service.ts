import { Injectable } from '@nestjs/common';
import { AppError, badRequest } from '#common';
import { ConfigService } from '#config';
import { PermissionsService } from '../auth/permissions.service.js';
import { ChannelsRepository } from '../channels/channels.repository.js';
import type { Session } from '../common/session.js';
import { UsersRepository } from '../users/users.repository.js';
import { makePostList, PostSearchResultsView } from './post-list.js';
import { PostViews } from './post-views.service.js';
import { PostsRepository } from './posts.repository.js';
import { matchedWords } from './search/search-query.js';
import { countSearchWords, MAX_SEARCH_WORDS, ParsedSearch, parseSearchTerms } from './search/search-terms.js';

export interface SearchInput {
  terms: string;
  isOrSearch: boolean;
  timeZoneOffset: number;
  includeDeletedChannels: boolean;
  page: number;
  perPage: number;
}

/**
 * Post search on PostgreSQL full text (posts.search_vector), over the channels the user belongs
 * to: one team plus DMs/GMs, or every team. Usernames and channel names in the terms are resolved
 * here; a name that resolves to nothing matches nothing.
 */
@Injectable()
export class PostSearchService {
  constructor(
    private readonly repo: PostsRepository,
    private readonly channels: ChannelsRepository,
    private readonly users: UsersRepository,
    private readonly views: PostViews,
    private readonly permissions: PermissionsService,
    private readonly config: ConfigService,
  ) {}

  async search(session: Session, teamId: string | null, input: SearchInput): Promise<PostSearchResultsView> {
    if (!this.config.get().ServiceSettings.EnablePostSearch) {
      throw new AppError('', 'store.sql_post.search.disabled', 'Searching has been disabled on this server. Please contact your System Administrator.', 501);
    }
    if (teamId) await this.permissions.requireTeam(session, teamId, 'view_team');
    if (countSearchWords(input.terms, MAX_SEARCH_WORDS) > MAX_SEARCH_WORDS) {
      throw badRequest('api.context.invalid_body_param.app_error', 'Invalid or missing terms in request body.', `at most ${MAX_SEARCH_WORDS} words`);
    }
    const parsed = parseSearchTerms(input.terms);
    const scope = {
      userId: session.user_id,
      teamId,
      orTerms: input.isOrSearch,
      includeDeletedChannels: input.includeDeletedChannels,
      timeZoneOffset: input.timeZoneOffset,
      fromUserIds: parsed.fromUsers.length > 0 ? await this.userIds(parsed.fromUsers) : null,
      excludedUserIds: await this.userIds(parsed.excludedUsers),
      inChannelIds: parsed.inChannels.length > 0 ? await this.channelIds(parsed.inChannels, teamId, session.user_id) : null,
      excludedChannelIds: await this.channelIds(parsed.excludedChannels, teamId, session.user_id),
      offset: input.page * input.perPage,
      limit: input.perPage,
    };
    const rows = await this.repo.search(parsed, scope);
    const views = await this.views.many(rows);
    return { ...makePostList(views), matches: this.matches(rows, parsed) };
  }

  private matches(rows: Array<{ id: string; message: string; hashtags: string }>, parsed: ParsedSearch): Record<string, string[]> {
    return Object.fromEntries(rows.map((r) => [r.id, matchedWords(r.message, r.hashtags, parsed)]));
  }

  private async userIds(usernames: string[]): Promise<string[]> {
    if (usernames.length === 0) return [];
    return (await this.users.byUsernames(usernames)).map((u) => u.id);
  }

  /** Channel names, or `@username` for the DM with that user (named `<id>__<id>`, ids sorted). */
  private async channelIds(names: string[], teamId: string | null, userId: string): Promise<string[]> {
    if (names.length === 0) return [];
    const dmUsernames = names.filter((n) => n.startsWith('@')).map((n) => n.slice(1));
    const dmNames = (await this.userIds(dmUsernames)).map((id) => [id, userId].sort().join('__'));
    return this.channels.idsByNamesForMember([...names.filter((n) => !n.startsWith('@')), ...dmNames], teamId, userId);
  }
}
