import { DynamicModule, Global, Module } from '@nestjs/common';
import { ConfigService } from '#config';
import { Database } from '#db';
import { EventPublisher, Hub, InvalidationBus } from '#realtime';

/** The process-wide parts that main.ts builds before Nest starts, shared with every module. */
export interface CoreParts {
  config: ConfigService;
  db: Database;
  hub: Hub;
  publisher: EventPublisher;
  invalidation: InvalidationBus;
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
    ];
    return { module: CoreModule, providers, exports: providers.map((p) => p.provide) };
  }
}
