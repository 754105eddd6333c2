import { Injectable } from '@nestjs/common';
import { AppError, badRequest } from '#common';
import { ConfigService } from '#config';
import { PermissionsService } from '../auth/permissions.service.js';
import { ChannelsRepository } from '../channels/channels.repository.js';
import type { Session } from '../common/session.js';
import type { SearchInput } from '../posts/search/search-input.js';
import { resolveSearchNames } from '../posts/search/search-names.js';
import { countSearchWords, MAX_SEARCH_WORDS, parseSearchTerms } from '../posts/search/search-terms.js';
import { UsersRepository } from '../users/users.repository.js';
import { fileInfoList, FileInfoListView } from './file-info.model.js';
import { FileInfosRepository } from './file-infos.repository.js';

/**
 * File search (app/file.go SearchFilesInTeamForUser): the post search box's syntax (words,
 * "phrases", -excluded words, from:, in:, before:/after:/on:, and ext: for extensions) over the
 * names and extracted text of files attached to live posts, in the channels the user belongs to:
 * one team plus DMs/GMs, or every team.
 */
@Injectable()
export class FilesSearchService {
  constructor(
    private readonly repo: FileInfosRepository,
    private readonly channels: ChannelsRepository,
    private readonly users: UsersRepository,
    private readonly permissions: PermissionsService,
    private readonly config: ConfigService,
  ) {}

  /** `teamId` null: every team of the caller (POST /files/search). */
  async search(session: Session, teamId: string | null, input: SearchInput): Promise<FileInfoListView> {
    // Mattermost checks view_team in the handler, before the app layer looks at EnableFileSearch.
    if (teamId) await this.permissions.requireTeam(session, teamId, 'view_team');
    const cfg = this.config.get();
    if (!cfg.ServiceSettings.EnableFileSearch) {
      throw new AppError(
        '',
        'store.sql_file_info.search.disabled',
        'Searching files has been disabled on this server. Please contact your System Administrator.',
        501,
      );
    }
    if (countSearchWords(input.terms, MAX_SEARCH_WORDS) > MAX_SEARCH_WORDS) {
      throw badRequest('api.context.invalid_body_param.app_error', 'Invalid or missing terms in request body.', `at most ${MAX_SEARCH_WORDS} words`);
    }
    const parsed = parseSearchTerms(input.terms.trim());
    const rows = await this.repo.search(parsed, {
      userId: session.user_id,
      teamId,
      orTerms: input.isOrSearch,
      // Archived channels only when the server shows them at all (ExperimentalViewArchivedChannels).
      includeDeletedChannels: input.includeDeletedChannels && cfg.TeamSettings.ExperimentalViewArchivedChannels,
      timeZoneOffset: input.timeZoneOffset,
      ...(await resolveSearchNames({ users: this.users, channels: this.channels }, parsed, teamId, session.user_id)),
      offset: input.page * input.perPage,
      limit: input.perPage,
    });
    return fileInfoList(rows);
  }
}
