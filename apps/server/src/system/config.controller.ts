import { Body, Controller, Get, Post, Put, Query, Req } from '@nestjs/common';
import { Audited } from '../audits/audited.js';
import { AppError, badRequest } from '#common';
import { Config, ConfigError, ConfigService, mergeWithDefaults, patchConfig, restoreMaskedSecrets, sanitizeConfig } from '#config';
import { Public } from '../common/decorators.js';
import { bodyObject } from '../common/params.js';
import type { ApiRequest } from '../common/request.js';
import { RequireSystemPermission } from '../auth/system-permission.guard.js';
import { SystemService } from './system.service.js';

@Controller('config')
export class ConfigController {
  constructor(
    private readonly config: ConfigService,
    private readonly system: SystemService,
  ) {}

  @RequireSystemPermission('manage_system')
  @Get()
  get() {
    return sanitizeConfig(this.config.get());
  }

  @RequireSystemPermission('manage_system')
  @Audited('updateConfig')
  @Put()
  update(@Body() body: unknown) {
    return this.save(bodyObject(body, 'config') as unknown as Config);
  }

  @RequireSystemPermission('manage_system')
  @Audited('patchConfig')
  @Put('patch')
  patch(@Body() body: unknown) {
    let next: Config;
    try {
      next = patchConfig(this.config.get(), bodyObject(body, 'config'));
    } catch (err) {
      throw configError(err);
    }
    return this.save(next);
  }

  @RequireSystemPermission('manage_system')
  @Audited('configReload')
  @Post('reload')
  async reload() {
    try {
      await this.config.reload();
    } catch (err) {
      throw configError(err);
    }
    return { status: 'OK' };
  }

  @RequireSystemPermission('manage_system')
  @Get('environment')
  environment() {
    return this.config.environmentOverrides();
  }

  /** Mattermost only serves the old (flat map) format and insists on being asked for it. */
  @Public()
  @Get('client')
  async client(@Query('format') format: string | undefined, @Req() req: ApiRequest) {
    if (format !== 'old') {
      throw new AppError(
        '',
        'api.config.client.old_format.app_error',
        'New format for the client configuration is not supported yet. Please specify format=old in the query string.',
        501,
      );
    }
    return this.system.clientConfig(Boolean(req.session), await this.system.noAccounts());
  }

  private async save(next: Config) {
    try {
      const saved = await this.config.save(restoreMaskedSecrets(mergeWithDefaults(next), this.config.get()));
      return sanitizeConfig(saved);
    } catch (err) {
      throw configError(err);
    }
  }
}

function configError(err: unknown): AppError {
  if (err instanceof ConfigError) return badRequest('model.config.is_valid.app_error', err.message, err.setting);
  return err as AppError;
}
