import { DynamicModule, Global, Module } from '@nestjs/common';
import { Caches } from '#common';
import { ConfigService } from '#config';
import { Database } from '#db';
import { ConnectionCounter, EventOutbox, EventPublisher, Hub, InvalidationBus } from '#realtime';
import { FileStore, fileStoreFromConfig } from '#storage';
import { ClusterState, CrossNodeResume } from '../cluster/cluster-state.js';

/** The process-wide parts that main.ts builds before Nest starts, shared with every module. */
export interface CoreParts {
  config: ConfigService;
  db: Database;
  hub: Hub;
  publisher: EventPublisher;
  invalidation: InvalidationBus;
  connections: ConnectionCounter;
  cluster: ClusterState;
  crossNodeResume: CrossNodeResume;
  outbox: EventOutbox;
}

@Global()
@Module({})
export class CoreModule {
  static register(parts: CoreParts): DynamicModule {
    const providers = [
      { provide: ConfigService, useValue: parts.config },
      { provide: Database, useValue: parts.db },
      { provide: Hub, useValue: parts.hub },
      { provide: EventPublisher, useValue: parts.publisher },
      { provide: InvalidationBus, useValue: parts.invalidation },
      { provide: ConnectionCounter, useValue: parts.connections },
      { provide: ClusterState, useValue: parts.cluster },
      { provide: CrossNodeResume, useValue: parts.crossNodeResume },
      { provide: EventOutbox, useValue: parts.outbox },
      // The node's in-memory caches, listed for the metrics (each area owns its own).
      { provide: Caches, useValue: new Caches() },
      // The node's one file store (FileSettings.DriverName: local or amazons3): attachments,
      // pictures, emoji and exports all go through it.
      { provide: FileStore, useFactory: () => fileStoreFromConfig(parts.config.get()) },
    ];
    return { module: CoreModule, providers, exports: providers.map((p) => p.provide) };
  }
}
