import type { ConfigService } from '#config';
import { LocalInvalidationBus, type Hub, type InvalidationBus } from '#realtime';
import { defaultRoles } from '../roles/in-memory-roles.js';
import { MemorySessions } from './in-memory-sessions.js';
import { PermissionsService } from './permissions.service.js';
import type { SessionsRepository } from './sessions.repository.js';
import { SessionsService } from './sessions.service.js';

/**
 * SessionsService for the specs of services that open or revoke sessions: the rows in memory
 * (MemorySessions), a hub with no socket to close or refresh, and permissions from the default
 * roles (system-level checks read the session's roles only: no database).
 */
export function testSessions(configService: ConfigService, invalidation: InvalidationBus = new LocalInvalidationBus()) {
  const sessionRows = new MemorySessions();
  const hub = { closeSessions: () => undefined, refreshSessions: async () => undefined } as unknown as Hub;
  const permissions = new PermissionsService(undefined as never, undefined as never, defaultRoles());
  const sessions = new SessionsService(sessionRows as unknown as SessionsRepository, configService, invalidation, hub, permissions);
  return { sessions, sessionRows, permissions };
}
