import { Controller, Get } from '@nestjs/common';
import { RequireSystemPermission } from '../auth/system-permission.guard.js';
import { ClusterState } from './cluster-state.js';

@Controller('cluster')
export class ClusterController {
  constructor(private readonly cluster: ClusterState) {}

  /** Every live node's ClusterInfo (system admins only). */
  @RequireSystemPermission('manage_system')
  @Get('status')
  status() {
    return this.cluster.infos();
  }
}
