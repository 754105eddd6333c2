import { Injectable } from '@nestjs/common';
import { AppError, badRequest, notFound } from '#common';
import { ConfigService } from '#config';
import { InvalidationBus } from '#realtime';
import { FileStore } from '#storage';
import type { Session } from '../common/session.js';
import { decodeLimits, ImageError, squarePng } from '../common/images.js';
import { readSingleFile, UploadError, type UploadSource } from '../common/upload.js';
import type { PngCaching } from '../common/send-png.js';
import { PermissionsService } from '../auth/permissions.service.js';
import { defaultProfileImage } from './profile-image.js';
import type { UserRow } from './user.model.js';
import { UsersRepository } from './users.repository.js';
import { UsersService } from './users.service.js';

/** How long a client keeps the default it was sent for a stored picture that could not be read. */
const READ_FAILED_MAX_AGE_SEC = 5 * 60;

/** Mattermost's AdjustImage fills a 128×128 square. */
export const PROFILE_IMAGE_SIZE = 128;

/** Where Mattermost keeps a user's picture in the file store. */
export const profileImagePath = (userId: string) => `users/${userId}/profile.png`;

const ERR = 'api.user.upload_profile_user';

/** An upload or image failure as Mattermost's api.user.upload_profile_user.* errors. */
export function profileUploadError(err: unknown): unknown {
  if (err instanceof UploadError) {
    if (err.kind === 'too_large') return new AppError('', `${ERR}.too_large.app_error`, 'Unable to upload profile image. File is too large.', 413, err.message);
    if (err.kind === 'no_file') return badRequest(`${ERR}.no_file.app_error`, 'No file under "image" in request.', err.message);
    if (err.kind === 'too_many') return badRequest(`${ERR}.too_many.app_error`, 'Too many files under "image" in request.', err.message);
    return badRequest(`${ERR}.parse.app_error`, 'Could not parse multipart form.', err.message);
  }
  if (err instanceof ImageError) {
    if (err.kind === 'limits') return badRequest(`${ERR}.check_image_limits.app_error`, 'Unable to upload profile image. The image is too large.', err.message);
    if (err.kind === 'decode') return badRequest(`${ERR}.decode.app_error`, 'Could not decode profile image.', err.message);
    return new AppError('', `${ERR}.encode.app_error`, 'Could not encode profile image.', 500, err.message);
  }
  return err;
}

/**
 * Profile pictures (App.SetProfileImage, SetDefaultProfileImage, GetProfileImage): a 128×128 PNG
 * in the file store at users/<id>/profile.png, last_picture_update to bust the apps' caches
 * (Client4.getProfilePictureUrl puts it in the URL), and `user_updated` so other clients refresh.
 */
@Injectable()
export class ProfilePicturesService {
  constructor(
    private readonly users: UsersService,
    private readonly repo: UsersRepository,
    private readonly files: FileStore,
    private readonly config: ConfigService,
    private readonly permissions: PermissionsService,
    private readonly invalidation: InvalidationBus,
  ) {}

  /** POST /users/{id}/image: the user, or anyone with edit_other_users (checked before the body is read). */
  async upload(actor: Session, userId: string, src: UploadSource): Promise<void> {
    this.permissions.requireSelfOrAdmin(actor, userId);
    await this.users.get(userId);
    const files = this.config.get().FileSettings;
    let png: Buffer;
    try {
      const image = await readSingleFile(src, 'image', files.MaxFileSize);
      png = await squarePng(image, PROFILE_IMAGE_SIZE, decodeLimits(files));
    } catch (err) {
      throw profileUploadError(err);
    }
    try {
      await this.files.writeFile(profileImagePath(userId), png);
    } catch (err) {
      throw new AppError('', `${ERR}.upload_profile.app_error`, "Couldn't upload profile image.", 500, (err as Error).message);
    }
    await this.changed(userId, Date.now());
  }

  /**
   * DELETE /users/{id}/image: back to the generated picture. Mattermost's ResetLastPictureUpdate
   * stores minus the time, so the URL still changes (clients refresh) while a negative value says
   * "the default".
   */
  async reset(actor: Session, userId: string): Promise<void> {
    this.permissions.requireSelfOrAdmin(actor, userId);
    await this.users.get(userId);
    await this.files.remove(profileImagePath(userId));
    await this.changed(userId, -Date.now());
  }

  /**
   * GET /users/{id}/image: the stored picture when there is one, else the generated default, with
   * Mattermost's ETag (last_picture_update as a decimal). A stored picture that cannot be read is
   * answered with the default, without an ETag and cached 5 minutes (GetProfileImage's readFailed).
   */
  async image(userId: string): Promise<{ png: Buffer } & PngCaching> {
    const user = await this.users.get(userId);
    const etag = String(user.last_picture_update);
    if (user.last_picture_update > 0) {
      try {
        return { png: await this.files.readFile(profileImagePath(user.id)), etag };
      } catch {
        // The file went missing (a store moved, an operator cleaned up): the default, as GetProfileImage does.
        return { png: defaultProfileImage(user.id), maxAgeSec: READ_FAILED_MAX_AGE_SEC };
      }
    }
    return { png: defaultProfileImage(user.id), etag };
  }

  private async changed(userId: string, value: number): Promise<void> {
    const user: UserRow | undefined = await this.repo.setLastPictureUpdate(userId, value, Date.now());
    if (!user) throw notFound('app.user.missing_account.const', 'Unable to find the user.', `user_id=${userId}`);
    this.invalidation.emit('user', userId);
    this.users.publishUpdated(user);
  }
}
