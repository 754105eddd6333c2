import { Injectable, OnModuleInit } from '@nestjs/common';
import { accessSync, constants, mkdirSync } from 'node:fs';
import { newId } from '#common';
import { ConfigService } from '#config';
import { Database } from '#db';
import { EventPublisher, newEvent, WsEvents } from '#realtime';
import { clientConfig } from './client-config.js';

/** Server identity, health and config-change broadcasting. */
@Injectable()
export class SystemService implements OnModuleInit {
  private diagnosticId = '';

  constructor(
    private readonly db: Database,
    private readonly config: ConfigService,
    private readonly publisher: EventPublisher,
  ) {}

  async onModuleInit() {
    // One id per installation, kept in the Systems table like Mattermost's DiagnosticId.
    await this.db.query(`INSERT INTO systems (name, value) VALUES ('DiagnosticId', $1) ON CONFLICT (name) DO NOTHING`, [newId()]);
    this.diagnosticId = (await this.db.query<{ value: string }>(`SELECT value FROM systems WHERE name = 'DiagnosticId'`))[0].value;
    // Every change, from this API or a reload, tells clients to refetch the client config; a
    // change saved on another node was announced (cluster-wide) by that node.
    this.config.onChange((_old, _next, fromPeer) => {
      if (fromPeer) return;
      this.publisher.publish(newEvent(WsEvents.ConfigChanged, {}, { config: this.clientConfig(true, false) }));
    });
  }

  clientConfig(loggedIn: boolean, noAccounts: boolean): Record<string, string> {
    return clientConfig(this.config.get(), { loggedIn, diagnosticId: this.diagnosticId, noAccounts });
  }

  async noAccounts(): Promise<boolean> {
    const rows = await this.db.query<{ any: boolean }>('SELECT EXISTS (SELECT 1 FROM users) AS any');
    return !rows[0].any;
  }

  databaseHealthy(): Promise<boolean> {
    return this.db.ping();
  }

  /** The local file store is healthy when its directory exists (or can be made) and is writable. */
  fileStoreHealthy(): boolean {
    const dir = this.config.get().FileSettings.Directory;
    try {
      mkdirSync(dir, { recursive: true });
      accessSync(dir, constants.W_OK);
      return true;
    } catch {
      return false;
    }
  }
}
