import type { Config, ConfigService } from '#config';
import { LocalInvalidationBus } from '#realtime';
import { RecordingPublisher } from '#testing';
import { testSessions } from '../auth/sessions.fixtures.js';
import type { SessionsService } from '../auth/sessions.service.js';
import type { TeamsService } from '../teams/teams.service.js';
import { MemoryUsers } from '../users/in-memory-users.js';
import type { LoginService } from '../users/login.service.js';
import { testUserRow } from '../users/user.fixtures.js';
import type { UsersRepository } from '../users/users.repository.js';
import { UsersService } from '../users/users.service.js';
import { ExternalAccountsService } from './external-accounts.service.js';
import { MemorySsoFlows } from './in-memory-sso-flows.js';
import type { SsoFlowsRepository } from './sso-flows.repository.js';

/** What the password logins of a spec are built from (they come before UsersService, which checks passwords with them). */
export interface LoginDeps {
  users: MemoryUsers;
  sessions: SessionsService;
  configService: ConfigService;
}

/**
 * ExternalAccountsService over in-memory repositories, for the specs of the sign-in areas. The
 * users table has an account already ('founder', a system admin), so that no sign-in in a spec is
 * the first user's (who would become system admin). Accounts are written through a UsersService
 * that joins no team and records what it publishes; the users invalidated are listed. `logins`:
 * the password logins UsersService uses (none by default: provider accounts have no password).
 */
export function externalAccountsFixture(config: Config, opts: { logins?: (deps: LoginDeps) => LoginService } = {}) {
  const configService = { get: () => config } as unknown as ConfigService;
  const users = new MemoryUsers();
  users.add(testUserRow('founder', { roles: 'system_admin system_user' }));
  const invalidation = new LocalInvalidationBus();
  const invalidated: string[] = [];
  invalidation.on('user', (id) => invalidated.push(id));
  const { sessions, sessionRows, permissions } = testSessions(configService, invalidation);
  const logins = opts.logins?.({ users, sessions, configService });
  const publisher = new RecordingPublisher();
  const usersService = new UsersService(
    users as unknown as UsersRepository,
    configService,
    sessions,
    permissions,
    undefined as unknown as TeamsService,
    publisher,
    invalidation,
    logins as LoginService,
    undefined as never, // team invitations: no sign-up with an invitation here
    undefined as never, // verification links: no RequireEmailVerification here
  );
  const flows = new MemorySsoFlows();
  const accounts = new ExternalAccountsService(
    users as unknown as UsersRepository,
    usersService,
    sessions,
    configService,
    invalidation,
    flows as unknown as SsoFlowsRepository,
  );
  return { config, configService, users, invalidation, invalidated, sessions, sessionRows, permissions, logins, publisher, usersService, flows, accounts };
}
