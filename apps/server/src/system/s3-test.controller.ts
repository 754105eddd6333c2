import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { RequireSystemPermission } from '../auth/system-permission.guard.js';
import { S3TestService } from './s3-test.service.js';

@Controller('file')
export class S3TestController {
  constructor(private readonly s3: S3TestService) {}

  /** Mattermost's permission for the System Console's S3 "Test Connection" button. */
  @RequireSystemPermission('test_s3')
  @Post('s3_test')
  @HttpCode(200)
  async test(@Body() body: unknown) {
    await this.s3.test(body);
    return { status: 'OK' };
  }
}
