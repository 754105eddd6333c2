import { Body, Controller, HttpCode, Param, Post, Put, Req, Res } from '@nestjs/common';
import { Audited, auditTarget } from '../audits/audited.js';
import type { Response } from 'express';
import { invalidParam } from '#common';
import { ConfigService } from '#config';
import { clientAddress } from '../common/client-address.js';
import { CurrentSession, MfaSetupRoute, Public } from '../common/decorators.js';
import { bodyObject, optional, required, urlUserId } from '../common/params.js';
import type { ApiRequest } from '../common/request.js';
import type { Session } from '../common/session.js';
import { MfaService } from './mfa.service.js';

@Controller('users')
export class MfaController {
  constructor(
    private readonly mfa: MfaService,
    private readonly config: ConfigService,
  ) {}

  /** Mattermost's checkUserMfa (deprecated there, still in Client4). */
  @Public()
  @Post('mfa')
  @HttpCode(200)
  async required(@Body() body: unknown, @Req() req: ApiRequest) {
    const loginId = required<string>(bodyObject(body), 'login_id', 'string');
    if (!loginId) throw invalidParam('login_id');
    const address = clientAddress(req, this.config.get().ServiceSettings.TrustedProxyIPHeader);
    return { mfa_required: await this.mfa.required(loginId, address) };
  }

  @MfaSetupRoute()
  @Post(':user_id/mfa/generate')
  @HttpCode(200)
  async generate(@Param('user_id') userId: string, @CurrentSession() s: Session, @Res({ passthrough: true }) res: Response) {
    const secret = await this.mfa.generate(s, urlUserId(userId, s));
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Pragma', 'no-cache');
    return secret;
  }

  @MfaSetupRoute()
  @Audited((_r, req) => `${auditTarget(req)} mfa ${(req.body as { activate?: unknown }).activate ? 'activated' : 'deactivated'}`)
  @Put(':user_id/mfa')
  async update(@Param('user_id') userId: string, @Body() body: unknown, @CurrentSession() s: Session) {
    const id = urlUserId(userId, s);
    const b = bodyObject(body);
    const activate = required<boolean>(b, 'activate', 'boolean');
    const code = activate ? (optional<string>(b, 'code', 'string') ?? '') : '';
    if (activate && !code) throw invalidParam('code');
    await this.mfa.update(s, id, activate, code);
    return { status: 'OK' };
  }
}
