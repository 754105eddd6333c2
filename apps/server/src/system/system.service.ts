import { Injectable, OnModuleInit } from '@nestjs/common';
import { ConfigService } from '#config';
import { Database } from '#db';
import { EventPublisher, newEvent, WsEvents } from '#realtime';
import { FileStore } from '#storage';
import { PermissionsService } from '../auth/permissions.service.js';
import type { Session } from '../common/session.js';
import { UsersRepository } from '../users/users.repository.js';
import { clientConfig } from './client-config.js';
import { ServerIdentity } from './server-identity.js';

/** Mattermost's model.ServerLimits. */
export interface ServerLimits {
  maxUsersLimit: number;
  maxUsersHardLimit: number;
  activeUserCount: number;
  lastAccessiblePostTime: number;
  postHistoryLimit: number;
}

/** Server identity, health, limits and config-change broadcasting. */
@Injectable()
export class SystemService implements OnModuleInit {
  constructor(
    private readonly db: Database,
    private readonly identity: ServerIdentity,
    private readonly users: UsersRepository,
    private readonly config: ConfigService,
    private readonly publisher: EventPublisher,
    private readonly permissions: PermissionsService,
    private readonly files: FileStore,
  ) {}

  onModuleInit() {
    // Every change, from this API or a reload, tells clients to refetch the client config; a
    // change saved on another node was announced (cluster-wide) by that node.
    this.config.onChange((_old, _next, fromPeer) => {
      if (fromPeer) return;
      this.publisher.publish(newEvent(WsEvents.ConfigChanged, {}, { config: this.clientConfig(true, false) }));
    });
  }

  clientConfig(loggedIn: boolean, noAccounts: boolean): Record<string, string> {
    return clientConfig(this.config.get(), {
      loggedIn,
      diagnosticId: this.identity.diagnosticId,
      signingPublicKey: this.identity.signingPublicKey,
      noAccounts,
    });
  }

  async noAccounts(): Promise<boolean> {
    return !(await this.users.any());
  }

  /**
   * What the apps ask at every start-up (GET /limits/server). No licence limits users or history
   * here, so every limit is 0 (none). As Mattermost's getServerLimits, only a system admin who may
   * read the user management pages is told how many active users there are; everyone else gets 0,
   * which also keeps the count query off every other user's start-up.
   */
  async serverLimits(session: Session): Promise<ServerLimits> {
    const admin = this.permissions.hasSystem(session, 'manage_system') && this.permissions.hasSystem(session, 'sysconsole_read_user_management_users');
    return {
      maxUsersLimit: 0,
      maxUsersHardLimit: 0,
      activeUserCount: admin ? await this.users.countActivePeople() : 0,
      lastAccessiblePostTime: 0,
      postHistoryLimit: 0,
    };
  }

  databaseHealthy(): Promise<boolean> {
    return this.db.ping();
  }

  /**
   * Mattermost's ping asks the file backend's TestConnection: the local folder is writable, or the
   * S3 bucket answers to these credentials.
   */
  async fileStoreHealthy(): Promise<boolean> {
    try {
      await this.files.testConnection();
      return true;
    } catch {
      return false;
    }
  }
}
