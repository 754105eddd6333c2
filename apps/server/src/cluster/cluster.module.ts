import { Module } from '@nestjs/common';
import { ClusterController } from './cluster.controller.js';

/** The cluster's HTTP face; the cluster itself is built in main.ts (see cluster-runtime.ts). */
@Module({ controllers: [ClusterController] })
export class ClusterModule {}
