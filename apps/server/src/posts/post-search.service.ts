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
import type { SearchInput } from './search/search-input.js';
import { matchedWords } from './search/search-query.js';
import { resolveSearchNames } from './search/search-names.js';
import { countSearchWords, MAX_SEARCH_WORDS, ParsedSearch, parseSearchTerms } from './search/search-terms.js';

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
      ...(await resolveSearchNames({ users: this.users, channels: this.channels }, parsed, teamId, session.user_id)),
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
}
