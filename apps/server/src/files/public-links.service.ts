import { Injectable } from '@nestjs/common';
import { badRequest, forbidden } from '#common';
import { ConfigService } from '#config';
import type { Session } from '../common/session.js';
import { FileInfosRepository } from './file-infos.repository.js';
import { FileResponse, FilesService, fileNotFound } from './files.service.js';
import { publicLinkHash, publicLinkMatches } from './public-links.js';

const disabled = () => forbidden('api.file.get_public_link.disabled.app_error', 'Public links have been disabled.');
const invalidLink = () => badRequest('api.file.get_file.public_invalid.app_error', 'The public link does not appear to be valid.');

/**
 * Public file links (api4/file.go getFileLink, getPublicFile): a link anyone can open, signed with
 * FileSettings.PublicLinkSalt. A link lives while EnablePublicLink is on, the salt unchanged and
 * the file not deleted (its post deleted); nothing is stored per link.
 */
@Injectable()
export class PublicLinksService {
  constructor(
    private readonly files: FilesService,
    private readonly repo: FileInfosRepository,
    private readonly config: ConfigService,
  ) {}

  /**
   * GET /files/{id}/link: for whoever may read the file, once it is attached to a post. `siteUrl`
   * is SiteURL, or the request's own origin when none is set (Mattermost's GetSiteURLHeader).
   */
  async link(session: Session, id: string, siteUrl: string): Promise<{ link: string }> {
    const settings = this.config.get().FileSettings;
    if (!settings.EnablePublicLink) throw disabled();
    const info = await this.files.readable(session, id);
    if (info.post_id === '') {
      throw badRequest('api.file.get_public_link.no_post.app_error', 'Unable to get a public link: the file must be attached to a post.', `file_id=${id}`);
    }
    return { link: `${siteUrl.replace(/\/+$/, '')}/files/${id}/public?h=${publicLinkHash(id, settings.PublicLinkSalt)}` };
  }

  /** GET /files/{id}/public?h=: the file itself for anyone with its hash, no session needed. */
  async publicFile(id: string, hash: string, range: string | undefined): Promise<FileResponse> {
    const settings = this.config.get().FileSettings;
    if (!settings.EnablePublicLink) throw disabled();
    const info = await this.repo.byId(id);
    if (!info || info.delete_at !== 0) throw fileNotFound(id);
    if (hash === '' || !publicLinkMatches(hash, id, settings.PublicLinkSalt)) throw invalidLink();
    return this.files.serve(info, 'file', { range, forceDownload: false });
  }
}
