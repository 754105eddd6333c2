import { Body, Controller, Get, Headers, Post, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { invalidParam } from '#common';
import { CurrentSession, TrustRequester } from '../common/decorators.js';
import { bodyObject } from '../common/params.js';
import type { Session } from '../common/session.js';
import { ImageProxyService } from './image-proxy.service.js';
import { PreviewsService } from './previews.service.js';

/** api4/opengraph.go and api4/image.go: any signed-in user; no permission beyond that. */
@Controller()
export class PreviewsController {
  constructor(
    private readonly previews: PreviewsService,
    private readonly images: ImageProxyService,
  ) {}

  @Post('opengraph')
  async openGraph(@Body() body: unknown, @CurrentSession() _s: Session) {
    const url = bodyObject(body).url;
    if (typeof url !== 'string' || url === '') throw invalidParam('url');
    return this.previews.openGraph(url);
  }

  /** APISessionRequiredTrustRequester: an <img> tag sends the cookie without a CSRF header. */
  @TrustRequester()
  @Get('image')
  async image(
    @Query('url') url: unknown,
    @Headers('if-none-match') ifNoneMatch: string | undefined,
    @Headers('if-modified-since') ifModifiedSince: string | undefined,
    @CurrentSession() _s: Session,
    @Res() res: Response,
  ) {
    const answer = this.images.decide(typeof url === 'string' ? url : '');
    if ('redirect' in answer) {
      res.redirect(302, answer.redirect);
      return;
    }
    await this.images.serve(answer.proxy, { ifNoneMatch, ifModifiedSince }, res);
  }
}
