import { Injectable } from '@nestjs/common';
import { AppError, badRequest, notFound } from '#common';
import { ConfigService } from '#config';
import { FileStore } from '#storage';
import type { Session } from '../common/session.js';
import { decodeLimits, ImageError, squarePng } from '../common/images.js';
import { readSingleFile, UploadError, type UploadSource } from '../common/upload.js';
import { PermissionsService } from '../auth/permissions.service.js';
import { TeamsService } from './teams.service.js';

/** Mattermost's SetTeamIconFromFile fills a 128×128 square, like profile pictures. */
export const TEAM_ICON_SIZE = 128;

/** Where Mattermost keeps a team's icon in the file store. */
export const teamIconPath = (teamId: string) => `teams/${teamId}/teamIcon.png`;

const ERR = 'api.team.set_team_icon';

function teamIconError(err: unknown): unknown {
  if (err instanceof UploadError) {
    if (err.kind === 'too_large') return new AppError('', `${ERR}.too_large.app_error`, 'Unable to upload team icon. File is too large.', 413, err.message);
    if (err.kind === 'no_file') return badRequest(`${ERR}.no_file.app_error`, 'No file under "image" in request.', err.message);
    if (err.kind === 'too_many') return badRequest(`${ERR}.too_many.app_error`, 'Too many files under "image" in request.', err.message);
    return badRequest(`${ERR}.parse.app_error`, 'Could not parse multipart form.', err.message);
  }
  if (err instanceof ImageError) {
    if (err.kind === 'limits') return badRequest(`${ERR}.check_image_limits.app_error`, 'Unable to upload team icon. The image is too large.', err.message);
    if (err.kind === 'decode') return badRequest(`${ERR}.decode.app_error`, 'Could not decode team icon.', err.message);
    return new AppError('', `${ERR}.encode.app_error`, 'Could not encode team icon.', 500, err.message);
  }
  return err;
}

/**
 * Team icons (App.SetTeamIcon, GetTeamIcon, RemoveTeamIcon): a 128×128 PNG at
 * teams/<id>/teamIcon.png, last_team_icon_update in the team, `update_team` to its members.
 */
@Injectable()
export class TeamIconsService {
  constructor(
    private readonly teams: TeamsService,
    private readonly files: FileStore,
    private readonly config: ConfigService,
    private readonly permissions: PermissionsService,
  ) {}

  /** POST /teams/{id}/image: manage_team, checked before the body is read. */
  async upload(session: Session, teamId: string, src: UploadSource): Promise<void> {
    await this.permissions.requireTeam(session, teamId, 'manage_team');
    await this.teams.get(teamId);
    const files = this.config.get().FileSettings;
    let png: Buffer;
    try {
      const image = await readSingleFile(src, 'image', files.MaxFileSize);
      png = await squarePng(image, TEAM_ICON_SIZE, decodeLimits(files));
    } catch (err) {
      throw teamIconError(err);
    }
    try {
      await this.files.writeFile(teamIconPath(teamId), png);
    } catch (err) {
      throw new AppError('', `${ERR}.write_file.app_error`, 'Could not save team icon.', 500, (err as Error).message);
    }
    await this.teams.setLastIconUpdate(teamId, Date.now());
  }

  /** DELETE /teams/{id}/image: manage_team; the icon is gone and last_team_icon_update is 0. */
  async remove(session: Session, teamId: string): Promise<void> {
    await this.permissions.requireTeam(session, teamId, 'manage_team');
    await this.teams.get(teamId);
    await this.files.remove(teamIconPath(teamId));
    await this.teams.setLastIconUpdate(teamId, 0);
  }

  /**
   * GET /teams/{id}/image: whoever may see the team (members, or anyone for an open team); 404
   * when it has no icon, as GetTeamIcon's read_file error.
   */
  async icon(session: Session, teamId: string): Promise<{ png: Buffer; etag: string }> {
    const team = await this.teams.get(teamId);
    await this.teams.requireViewable(session, team);
    const missing = () => notFound('api.team.get_team_icon.read_file.app_error', 'Unable to read the team icon file.', `team_id=${teamId}`);
    if (!team.last_team_icon_update) throw missing();
    try {
      return { png: await this.files.readFile(teamIconPath(team.id)), etag: String(team.last_team_icon_update) };
    } catch {
      throw missing();
    }
  }
}
