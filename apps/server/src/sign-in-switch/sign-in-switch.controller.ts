import { Body, Controller, HttpCode, Param, Post, Put, Req } from '@nestjs/common';
import { ConfigService } from '#config';
import { clientAddress } from '../common/client-address.js';
import { CurrentSession, Public } from '../common/decorators.js';
import { bodyObject, optional, urlUserId } from '../common/params.js';
import type { ApiRequest } from '../common/request.js';
import type { Session } from '../common/session.js';
import { SignInSwitchService, SwitchRequest, UserAuth } from './sign-in-switch.service.js';

const SWITCH_FIELDS = ['current_service', 'new_service', 'email', 'password', 'new_password', 'mfa_code', 'ldap_id'] as const;

@Controller('users')
export class SignInSwitchController {
  constructor(
    private readonly switches: SignInSwitchService,
    private readonly config: ConfigService,
  ) {}

  /** APIHandler in Mattermost: no session needed, except to leave a provider for email (the service asks). */
  @Public()
  @Post('login/switch')
  @HttpCode(200)
  async switchAccount(@Body() body: unknown, @Req() req: ApiRequest) {
    const b = bodyObject(body, 'switch_request');
    const request = Object.fromEntries(SWITCH_FIELDS.map((f) => [f, optional<string>(b, f, 'string') ?? ''])) as unknown as SwitchRequest;
    const address = clientAddress(req, this.config.get().ServiceSettings.TrustedProxyIPHeader);
    return { follow_link: await this.switches.switchAccount(request, req.session, address) };
  }

  @Put(':user_id/auth')
  async updateAuth(@Param('user_id') userId: string, @Body() body: unknown, @CurrentSession() s: Session) {
    const b = bodyObject(body, 'user');
    const input: UserAuth = {
      auth_data: optional<string>(b, 'auth_data', 'string'),
      auth_service: optional<string>(b, 'auth_service', 'string'),
      password: optional<string>(b, 'password', 'string'),
    };
    return this.switches.updateAuth(s, urlUserId(userId, s), input);
  }
}
