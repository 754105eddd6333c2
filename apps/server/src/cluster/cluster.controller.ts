import { Controller, Get } from '@nestjs/common';
import { CurrentSession } from '../common/decorators.js';
import type { Session } from '../common/session.js';
import { PermissionsService } from '../auth/permissions.service.js';
import { ClusterState } from './cluster-state.js';

@Controller('cluster')
export class ClusterController {
  constructor(
    private readonly cluster: ClusterState,
    private readonly permissions: PermissionsService,
  ) {}

  /** Every live node's ClusterInfo (system admins only). */
  @Get('status')
  status(@CurrentSession() s: Session) {
    this.permissions.requireSystem(s, 'manage_system');
    return this.cluster.infos();
  }
}
