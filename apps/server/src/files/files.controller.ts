import { Body, Controller, Get, HttpCode, Param, Post, Query, Req, Res } from '@nestjs/common';
import type { Response } from 'express';
import { CurrentSession } from '../common/decorators.js';
import { parseBoolParam, urlId } from '../common/params.js';
import type { ApiRequest } from '../common/request.js';
import type { Session } from '../common/session.js';
import { searchInput } from '../posts/search/search-input.js';
import { FilesSearchService } from './files-search.service.js';
import { FileKind, FileResponse, FilesService } from './files.service.js';
import { PublicLinksService } from './public-links.service.js';
import { sendFileResponse } from './send-file.js';

const SEARCH_INVALID_BODY = 'api.post.search_files.invalid_body.app_error';
const NO_STORE = 'no-cache, no-store, must-revalidate';

/** File endpoints (api4/file.go). */
@Controller()
export class FilesController {
  constructor(
    private readonly files: FilesService,
    private readonly searcher: FilesSearchService,
    private readonly links: PublicLinksService,
  ) {}

  @Post('files')
  @HttpCode(201)
  async upload(@Req() req: ApiRequest, @Query('channel_id') channelId: unknown, @Query('filename') filename: unknown, @CurrentSession() s: Session) {
    return this.files.upload(s, {
      headers: req.headers,
      body: req,
      query: { channel_id: typeof channelId === 'string' ? channelId : undefined, filename: typeof filename === 'string' ? filename : undefined },
    });
  }

  /** Every team of the caller (newer Mattermost; behind its CommandPalette flag there, always on here). */
  @Post('files/search')
  @HttpCode(200)
  async searchAllTeams(@Body() body: unknown, @CurrentSession() s: Session, @Res({ passthrough: true }) res: Response) {
    res.setHeader('Cache-Control', NO_STORE);
    return this.searcher.search(s, null, searchInput(body, SEARCH_INVALID_BODY));
  }

  @Post('teams/:team_id/files/search')
  @HttpCode(200)
  async searchTeam(@Param('team_id') teamId: string, @Body() body: unknown, @CurrentSession() s: Session, @Res({ passthrough: true }) res: Response) {
    const id = urlId(teamId, 'team_id');
    res.setHeader('Cache-Control', NO_STORE);
    return this.searcher.search(s, id, searchInput(body, SEARCH_INVALID_BODY));
  }

  @Get('posts/:post_id/files/info')
  async forPost(@Param('post_id') postId: string, @Query('include_deleted') includeDeleted: unknown, @CurrentSession() s: Session) {
    return this.files.forPost(s, urlId(postId, 'post_id'), parseBoolParam(typeof includeDeleted === 'string' ? includeDeleted : undefined));
  }

  @Get('files/:file_id/info')
  async info(@Param('file_id') id: string, @CurrentSession() s: Session) {
    return this.files.info(s, urlId(id, 'file_id'));
  }

  @Get('files/:file_id')
  async file(@Param('file_id') id: string, @Query('download') download: unknown, @Req() req: ApiRequest, @Res() res: Response, @CurrentSession() s: Session) {
    await this.send(res, 'file', id, req, s, download);
  }

  /** The public link of a file attached to a post (EnablePublicLink). */
  @Get('files/:file_id/link')
  async link(@Param('file_id') id: string, @Req() req: ApiRequest, @CurrentSession() s: Session) {
    // Mattermost's GetSiteURLHeader without a SiteURL: the request's own scheme (https behind a
    // proxy that says so, or on a node serving TLS itself) and host.
    const proto = req.headers['x-forwarded-proto'] === 'https' || req.secure ? 'https' : 'http';
    return this.links.link(s, urlId(id, 'file_id'), `${proto}://${req.headers.host ?? ''}`);
  }

  @Get('files/:file_id/thumbnail')
  async thumbnail(
    @Param('file_id') id: string,
    @Query('download') download: unknown,
    @Req() req: ApiRequest,
    @Res() res: Response,
    @CurrentSession() s: Session,
  ) {
    await this.send(res, 'thumbnail', id, req, s, download);
  }

  @Get('files/:file_id/preview')
  async preview(
    @Param('file_id') id: string,
    @Query('download') download: unknown,
    @Req() req: ApiRequest,
    @Res() res: Response,
    @CurrentSession() s: Session,
  ) {
    await this.send(res, 'preview', id, req, s, download);
  }

  private async send(res: Response, kind: FileKind, id: string, req: ApiRequest, s: Session, download: unknown) {
    // Mattermost reads ?download with ParseBool: "1" and "true" both force an attachment.
    const forceDownload = parseBoolParam(typeof download === 'string' ? download : undefined);
    const answer: FileResponse = await this.files.download(s, urlId(id, 'file_id'), kind, { range: req.headers.range, forceDownload });
    sendFileResponse(res, answer);
  }
}
