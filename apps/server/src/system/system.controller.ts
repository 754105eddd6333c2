import { Controller, Get, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { AppError } from '#common';
import { ConfigService } from '#config';
import { ClusterState } from '../cluster/cluster-state.js';
import { CurrentSession, Public } from '../common/decorators.js';
import { boolParam } from '../common/params.js';
import type { Session } from '../common/session.js';
import { drainState } from '../lifecycle/drain.js';
import { PushNotificationsService } from '../push/push-notifications.service.js';
import { SystemService } from './system.service.js';

@Controller()
export class SystemController {
  constructor(
    private readonly system: SystemService,
    private readonly config: ConfigService,
    private readonly cluster: ClusterState,
    private readonly push: PushNotificationsService,
  ) {}

  /** The load balancer's health check. With get_server_status it checks the database and file store. */
  @Public()
  @Get('system/ping')
  async ping(@Query() q: Record<string, string>, @Res({ passthrough: true }) res: Response) {
    const cfg = this.config.get();
    const body: Record<string, unknown> = {
      status: 'OK',
      ActiveSearchBackend: 'database',
      AndroidLatestVersion: cfg.ClientRequirements.AndroidLatestVersion,
      AndroidMinVersion: cfg.ClientRequirements.AndroidMinVersion,
      IosLatestVersion: cfg.ClientRequirements.IosLatestVersion,
      IosMinVersion: cfg.ClientRequirements.IosMinVersion,
    };
    // A mobile app checks that its device can get pushes (SendTestPushNotification).
    if (typeof q.device_id === 'string' && q.device_id !== '') body.CanReceiveNotifications = await this.push.sendTest(q.device_id);
    if (drainState.draining) {
      // Shutting down (lifecycle/drain.ts): load balancers and readiness probes must stop sending
      // here, whichever form of the check they use. Requests that still come are served.
      body.status = 'UNHEALTHY';
      body.draining = true;
      res.status(503);
      return body;
    }
    if (!boolParam(q.get_server_status)) return body;
    const [dbOk, filesOk] = await Promise.all([this.system.databaseHealthy(), this.system.fileStoreHealthy()]);
    body.database_status = dbOk ? 'OK' : 'UNHEALTHY';
    body.filestore_status = filesOk ? 'OK' : 'UNHEALTHY';
    let clusterOk = true;
    if (this.cluster.enabled) {
      // A node cut off from its cluster would serve a partial view: take it out of rotation.
      const health = this.cluster.health();
      clusterOk = health.healthy;
      body.cluster_status = health.healthy ? 'OK' : 'UNHEALTHY';
      if (!health.healthy) body.cluster_detail = health.detail;
    }
    if (!dbOk || !filesOk || !clusterOk) {
      body.status = 'UNHEALTHY';
      // Mattermost answers 500 so that load balancers take the node out, unless REST semantics are asked for.
      if (!boolParam(q.use_rest_semantics)) res.status(500);
    }
    return body;
  }

  @Get('limits/server')
  serverLimits(@CurrentSession() session: Session) {
    return this.system.serverLimits(session);
  }

  /** No licence is ever needed here; clients ask anyway, in the old format. */
  @Public()
  @Get('license/client')
  license(@Query('format') format: string | undefined) {
    if (format !== 'old') {
      throw new AppError(
        '',
        'api.license.client.old_format.app_error',
        'New format for the client license is not supported yet. Please specify format=old in the query string.',
        501,
      );
    }
    return { IsLicensed: 'false' };
  }
}
