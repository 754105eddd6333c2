import { Controller, Get, Param, Query, Req, Res } from '@nestjs/common';
import type { Response } from 'express';
import { AppError } from '#common';
import { ConfigService } from '#config';
import { Public } from '../common/decorators.js';
import { urlId } from '../common/params.js';
import type { ApiRequest } from '../common/request.js';
import { sendWebErrorPage } from '../common/web-error-page.js';
import { PublicLinksService } from './public-links.service.js';
import { sendFileResponse } from './send-file.js';

/**
 * The routes of this controller live at the site's root, not under /api/v4 (main.ts excludes
 * them from the prefix), as Mattermost's BaseRoutes.PublicFile; there is no /api/v4 variant.
 */
export const PUBLIC_FILE_ROUTES = ['files/:file_id/public'];

/** A public file link, opened by anyone (APIHandler: no session needed). */
@Controller()
export class PublicFilesController {
  constructor(
    private readonly links: PublicLinksService,
    private readonly config: ConfigService,
  ) {}

  @Public()
  @Get('files/:file_id/public')
  async publicFile(@Param('file_id') id: string, @Query('h') hash: unknown, @Req() req: ApiRequest, @Res() res: Response) {
    try {
      sendFileResponse(res, await this.links.publicFile(urlId(id, 'file_id'), typeof hash === 'string' ? hash : '', req.headers.range));
    } catch (err) {
      // Mattermost answers browsers on its error page and apps (X-Mobile-App) with the JSON error.
      if (!(err instanceof AppError) || req.headers['x-mobile-app']) throw err;
      sendWebErrorPage(res, err, this.config.get().ServiceSettings.SiteURL);
    }
  }
}
