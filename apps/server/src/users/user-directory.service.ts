import { Injectable } from '@nestjs/common';
import { forbidden, notFound } from '#common';
import { ConfigService } from '#config';
import { isSystemAdmin, Session } from '../common/session.js';
import { PermissionsService } from '../auth/permissions.service.js';
import { PublicUser, UserRow } from './user.model.js';
import { UserListFilter, UsersRepository } from './users.repository.js';
import { UsersService } from './users.service.js';

/**
 * Finding users: lists, search, autocomplete and lookups, each answered as the caller may see the
 * users. Filtering by a team or channel needs the right to see that team or channel (api4/user.go).
 */
@Injectable()
export class UserDirectoryService {
  constructor(
    private readonly repo: UsersRepository,
    private readonly users: UsersService,
    private readonly permissions: PermissionsService,
    private readonly config: ConfigService,
  ) {}

  /** GET /users: without_team, inactive and role filters are for system admins only. */
  async list(actor: Session, filter: UserListFilter, page: number, perPage: number): Promise<PublicUser[]> {
    if (filter.inTeam) await this.permissions.requireTeam(actor, filter.inTeam, 'view_team');
    if (filter.notInTeam) await this.permissions.requireTeam(actor, filter.notInTeam, 'view_team');
    if (filter.inChannel) await this.permissions.requireChannel(actor, filter.inChannel, 'read_channel');
    if (filter.notInChannel) await this.permissions.requireChannel(actor, filter.notInChannel, 'read_channel');
    if (filter.withoutTeam || filter.inactive || filter.role) this.permissions.requireSystem(actor, 'manage_system');
    return this.views(await this.repo.list(filter, page, perPage), actor);
  }

  /** POST /users/search. */
  async search(actor: Session, filter: UserListFilter, limit: number): Promise<PublicUser[]> {
    if (filter.inTeam) await this.permissions.requireTeam(actor, filter.inTeam, 'view_team');
    if (filter.inChannel) await this.permissions.requireChannel(actor, filter.inChannel, 'read_channel');
    return this.views(await this.repo.list(filter, 0, limit), actor);
  }

  /**
   * GET /users/autocomplete: in a channel, its members and (`out_of_channel`) the others, of the
   * team when one is given; otherwise active users, of the team when one is given.
   */
  async autocomplete(
    actor: Session,
    term: string,
    scope: { inChannel?: string; inTeam?: string },
    limit: number,
  ): Promise<{ users: PublicUser[]; out_of_channel?: PublicUser[] }> {
    if (scope.inChannel) {
      await this.permissions.requireChannel(actor, scope.inChannel, 'read_channel');
      const users = await this.repo.list({ term, inChannel: scope.inChannel, active: true }, 0, limit);
      const out = await this.repo.list({ term, notInChannel: scope.inChannel, active: true, inTeam: scope.inTeam }, 0, limit);
      return { users: this.views(users, actor), out_of_channel: this.views(out, actor) };
    }
    if (scope.inTeam) await this.permissions.requireTeam(actor, scope.inTeam, 'view_team');
    return { users: this.views(await this.repo.list({ term, active: true, inTeam: scope.inTeam }, 0, limit), actor) };
  }

  /** POST /users/ids; `since` > 0 keeps only users updated after it. */
  async byIds(actor: Session, ids: string[], since: number): Promise<PublicUser[]> {
    return this.views(await this.repo.byIds(ids, since > 0 ? since : -1), actor);
  }

  /** POST /users/usernames. */
  async byUsernames(actor: Session, usernames: string[]): Promise<PublicUser[]> {
    return this.views(await this.repo.byUsernames(usernames), actor);
  }

  /** GET /users/{id}. */
  async byId(actor: Session, id: string): Promise<PublicUser> {
    return this.users.view(await this.users.get(id), actor);
  }

  /** GET /users/username/{username}. */
  async byUsername(actor: Session, username: string): Promise<PublicUser> {
    const user = await this.repo.byUsername(username);
    if (!user) throw notFound('app.user.get_by_username.app_error', 'Unable to find an existing account matching your username for this team.');
    return this.users.view(user, actor);
  }

  /** GET /users/email/{email}: system admins, or anyone when ShowEmailAddress is on. */
  async byEmail(actor: Session, email: string): Promise<PublicUser> {
    if (!isSystemAdmin(actor) && !this.config.get().PrivacySettings.ShowEmailAddress) {
      throw forbidden('api.user.get_user_by_email.permissions.app_error', 'Unable to get user by email.');
    }
    const user = await this.repo.byEmail(email);
    if (!user) throw notFound('app.user.missing_account.const', 'Unable to find the user.');
    return this.users.view(user, actor);
  }

  private views(rows: UserRow[], actor: Session): PublicUser[] {
    return rows.map((u) => this.users.view(u, actor));
  }
}
