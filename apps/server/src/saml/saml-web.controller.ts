import { Body, Controller, Get, Post, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { Public, TrustRequester } from '../common/decorators.js';
import { SamlService } from './saml.service.js';

/** A query value as one string (a repeated parameter is joined, and then checked like any other value). */
const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : Array.isArray(value) ? value.join(',') : undefined);

/**
 * The browser's ends of a SAML sign-in, outside /api/v4 as in Mattermost (WEB_ROUTES). They never
 * answer JSON: the browser goes on to the IdP, into the app, or to the error page.
 */
@Controller('login/sso/saml')
export class SamlWebController {
  constructor(private readonly saml: SamlService) {}

  @Public()
  @Get()
  start(@Query() query: Record<string, unknown>, @Res() res: Response) {
    return this.saml.start(res, { action: text(query.action), redirect_to: text(query.redirect_to), switch_token: text(query.switch_token) });
  }

  /**
   * The ACS: the IdP's auto-submitted form (main.ts parses it). No CSRF header can come with a
   * cross-site form post, and none is needed: the response is only taken for a RelayState and
   * request id this cluster issued.
   */
  @Public()
  @TrustRequester()
  @Post()
  consume(@Body() body: unknown, @Res() res: Response) {
    return this.saml.consume(res, body && typeof body === 'object' ? (body as Record<string, unknown>) : {});
  }
}
