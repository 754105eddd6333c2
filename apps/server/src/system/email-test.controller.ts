import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { RequireSystemPermission } from '../auth/system-permission.guard.js';
import { CurrentSession } from '../common/decorators.js';
import type { Session } from '../common/session.js';
import { EmailTestService } from './email-test.service.js';

@Controller('email')
export class EmailTestController {
  constructor(private readonly email: EmailTestService) {}

  /** Mattermost's permission for the System Console's SMTP "Test Connection" button. */
  @RequireSystemPermission('test_email')
  @Post('test')
  @HttpCode(200)
  async test(@Body() body: unknown, @CurrentSession() s: Session) {
    await this.email.test(s.user_id, body);
    return { status: 'OK' };
  }
}
