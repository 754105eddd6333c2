import { Inject, Injectable } from '@nestjs/common';
import { AppError, badRequest, newId, notFound, permissionDenied } from '#common';
import { sessionFor, type Session } from '../common/session.js';
import { BUILT_INS } from './builtins/index.js';
import { AppCommandEnv } from './command-env.js';
import type { CommandEnv } from './command-env.js';
import { validateCommand, type CommandInput } from './command-input.js';
import type { CommandView } from './command.model.js';
import { CommandsRepository } from './commands.repository.js';

export const commandsDisabled = () => new AppError('', 'api.command.disabled.app_error', 'Commands have been disabled by the system admin.', 501);

/** SetCommandNotFoundError: what every command route answers for a command the caller may not see (or when commands are off). */
const commandNotFound = () => notFound('store.sql_command.save.get.app_error', 'Unable to get the command.');

const OWN = 'manage_own_slash_commands';
const OTHERS = 'manage_others_slash_commands';

export type CommandsStore = Pick<CommandsRepository, 'byTeam' | 'byId' | 'insert' | 'update' | 'softDelete'>;

/**
 * Custom slash commands' management (api4/command.go and app/command.go): create, read, update,
 * move, delete and regenerate the token. Managing one's own commands takes
 * manage_own_slash_commands on the command's team, someone else's also
 * manage_others_slash_commands; with Mattermost's default roles (EnableOnlyAdminIntegrations, as
 * its permissions migration applies it) team and system admins hold both and team users neither.
 * A command the caller may not manage is "not found", so ids do not leak across teams; the token
 * is only ever sent to those who manage the command.
 */
@Injectable()
export class CustomCommandsService {
  constructor(
    @Inject(AppCommandEnv) private readonly env: CommandEnv,
    @Inject(CommandsRepository) private readonly repo: CommandsStore,
  ) {}

  private enabled(): boolean {
    return this.env.config.get().ServiceSettings.EnableCommands;
  }

  /** POST /commands (createCommand, CreateCommand). */
  async create(session: Session, input: CommandInput): Promise<CommandView> {
    if (!(await this.env.permissions.hasTeam(session, input.team_id, OWN))) throw permissionDenied(OWN);
    let creatorId = session.user_id;
    if (input.creator_id !== '' && input.creator_id !== session.user_id) {
      if (!(await this.env.permissions.hasTeam(session, input.team_id, OTHERS))) throw permissionDenied(OTHERS);
      const creator = await this.env.users.byId(input.creator_id);
      if (!creator) throw notFound('app.user.missing_account.const', 'Unable to find the user.');
      creatorId = creator.id;
    }
    if (!this.enabled()) throw commandsDisabled();
    const now = Date.now();
    const command: CommandView = {
      ...input,
      id: newId(),
      token: newId(),
      create_at: now,
      update_at: now,
      delete_at: 0,
      creator_id: creatorId,
      trigger: input.trigger.toLowerCase(),
      plugin_id: '',
    };
    await this.requireUniqueTrigger(command.team_id, command.trigger, '');
    validateCommand(command);
    await this.repo.insert(command);
    return command;
  }

  /** GET /commands/{id} (getCommand): view_team and the manage rights, or not found. */
  async get(session: Session, id: string): Promise<CommandView> {
    const command = await this.find(id);
    if (!(await this.env.permissions.hasTeam(session, command.team_id, 'view_team'))) throw commandNotFound();
    if (!(await this.env.permissions.hasTeam(session, command.team_id, OWN))) throw commandNotFound();
    if (session.user_id !== command.creator_id && !(await this.env.permissions.hasTeam(session, command.team_id, OTHERS))) throw commandNotFound();
    return command;
  }

  /** PUT /commands/{id} (updateCommand, UpdateCommand): the team cannot change here (move does that). */
  async update(session: Session, id: string, input: CommandInput): Promise<CommandView> {
    const old = await this.find(id);
    if (input.team_id !== old.team_id) {
      throw badRequest('api.command.team_mismatch.app_error', 'Unable to update commands across teams.', `user_id=${session.user_id}`);
    }
    await this.requireManage(session, old);
    if (!this.enabled()) throw commandsDisabled();
    const updated: CommandView = {
      ...input,
      id: old.id,
      token: old.token,
      create_at: old.create_at,
      update_at: Date.now(),
      delete_at: old.delete_at,
      creator_id: old.creator_id,
      plugin_id: old.plugin_id,
      team_id: old.team_id,
      trigger: input.trigger.toLowerCase(),
    };
    await this.requireUniqueTrigger(updated.team_id, updated.trigger, updated.id);
    validateCommand(updated);
    if (!(await this.repo.update(updated))) throw commandNotFound();
    return updated;
  }

  /**
   * PUT /commands/{id}/move (moveCommand, MoveCommand): manage_own_slash_commands on the new team,
   * the manage rights on the command, and its creator must be able to manage commands there too.
   */
  async move(session: Session, id: string, teamId: string): Promise<void> {
    const team = await this.env.teams.get(teamId);
    if (!(await this.env.permissions.hasTeam(session, team.id, OWN))) throw permissionDenied(OWN);
    const command = await this.find(id);
    await this.requireManage(session, command);
    const creator = await this.env.users.byId(command.creator_id);
    if (!creator || !(await this.env.permissions.hasTeam(sessionFor(creator), team.id, OWN))) {
      throw badRequest(
        'api.command.move_command.creator_no_permission.app_error',
        'The command creator does not have permission to manage slash commands in the destination team.',
        `creator_id=${command.creator_id} team_id=${team.id}`,
      );
    }
    await this.requireUniqueTrigger(team.id, command.trigger, command.id);
    if (!(await this.repo.update({ ...command, team_id: team.id, update_at: Date.now() }))) throw commandNotFound();
  }

  /** DELETE /commands/{id} (deleteCommand). */
  async delete(session: Session, id: string): Promise<void> {
    const command = await this.find(id);
    await this.requireManage(session, command);
    if (!this.enabled()) throw commandsDisabled();
    await this.repo.softDelete(command.id, Date.now());
  }

  /** PUT /commands/{id}/regen_token (regenCommandToken): the new token. */
  async regenToken(session: Session, id: string): Promise<{ token: string }> {
    const command = await this.find(id);
    await this.requireManage(session, command);
    if (!this.enabled()) throw commandsDisabled();
    const token = newId();
    if (!(await this.repo.update({ ...command, token, update_at: Date.now() }))) throw commandNotFound();
    return { token };
  }

  /** App.GetCommand as the handlers use it: disabled or missing are both "not found". */
  private async find(id: string): Promise<CommandView> {
    const command = this.enabled() ? await this.repo.byId(id) : undefined;
    if (!command) throw commandNotFound();
    return command;
  }

  /** manage_own on the command's team (else not found), and manage_others for someone else's (else 403). */
  private async requireManage(session: Session, command: CommandView): Promise<void> {
    if (!(await this.env.permissions.hasTeam(session, command.team_id, OWN))) throw commandNotFound();
    if (session.user_id !== command.creator_id && !(await this.env.permissions.hasTeam(session, command.team_id, OTHERS))) {
      throw permissionDenied(OTHERS);
    }
  }

  /** validateCommandTriggerUniqueness: no built-in's trigger, and no other command of the team's. */
  private async requireUniqueTrigger(teamId: string, trigger: string, exceptId: string): Promise<void> {
    const taken = BUILT_INS.has(trigger) || (await this.repo.byTeam(teamId)).some((c) => c.id !== exceptId && c.trigger.toLowerCase() === trigger);
    if (taken) throw badRequest('api.command.duplicate_trigger.app_error', 'This trigger word is already in use. Please choose another word.');
  }
}
