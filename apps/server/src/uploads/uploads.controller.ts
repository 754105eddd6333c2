import { Body, Controller, Get, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import type { Response } from 'express';
import { invalidUrlParam } from '#common';
import { CurrentSession } from '../common/decorators.js';
import { urlId, urlUserId } from '../common/params.js';
import type { ApiRequest } from '../common/request.js';
import type { Session } from '../common/session.js';
import { isLocalSession } from '../local-mode/local-session.js';
import { newUploadSessionInput } from './upload-session.model.js';
import { UploadsService } from './uploads.service.js';

/** Resumable uploads (api4/upload.go, and api4/user.go's getUploadsForUser). */
@Controller()
export class UploadsController {
  constructor(private readonly uploads: UploadsService) {}

  @Post('uploads')
  @HttpCode(201)
  async create(@Body() body: unknown, @CurrentSession() s: Session) {
    return this.uploads.create(s, newUploadSessionInput(body));
  }

  @Get('uploads/:upload_id')
  async get(@Param('upload_id') id: string, @CurrentSession() s: Session) {
    return this.uploads.get(s, urlId(id, 'upload_id'));
  }

  /** 204 while the file is incomplete; the FileInfo with the last byte (200: Mattermost's handler sets no status). */
  @Post('uploads/:upload_id')
  async upload(@Param('upload_id') id: string, @Req() req: ApiRequest, @Res() res: Response, @CurrentSession() s: Session) {
    const info = await this.uploads.upload(s, urlId(id, 'upload_id'), { headers: req.headers, body: req });
    if (info) res.status(200).json(info);
    else res.status(204).end();
  }

  @Get('users/:user_id/uploads')
  async forUser(@Param('user_id') userId: string, @CurrentSession() s: Session) {
    return this.uploads.forUser(s, isLocalSession(s) ? localUploadsOwner(userId, s) : urlUserId(userId, s));
  }
}

/**
 * The user of GET /users/{user_id}/uploads over the local socket: Mattermost's route pattern
 * (`[A-Za-z0-9]+`) with no RequireUserId (api4/user_local.go localGetUploadsForUser), so
 * "nouser", whose the uploads made by mmctl --local are, is a user here too.
 */
function localUploadsOwner(value: string, s: Session): string {
  if (value === 'me') return s.user_id;
  if (!/^[A-Za-z0-9]{1,26}$/.test(value)) throw invalidUrlParam('user_id');
  return value;
}
