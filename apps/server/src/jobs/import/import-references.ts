import type { Database } from '#db';
import { ChannelsRepository } from '../../channels/channels.repository.js';
import { TeamsRepository } from '../../teams/teams.repository.js';
import { UsersRepository } from '../../users/users.repository.js';
import type { ImportLine } from './import-lines.js';

interface Reference {
  line: number;
  id: string;
}

/** Names are looked up in the database this many at a time. */
const CHUNK = 1000;

/**
 * The checking pass's view of names: the teams, channels and users the file declares, in order, and
 * the ones a line names before (or without) a line declaring them — those must be in the database
 * already. Only names are kept (a set each), never the lines.
 */
export class ImportReferences {
  private readonly teams = new Set<string>();
  private readonly channels = new Set<string>();
  private readonly users = new Set<string>();
  private readonly wantedTeams = new Map<string, Reference>();
  private readonly wantedChannels = new Map<string, Reference>();
  private readonly wantedUsers = new Map<string, Reference>();

  constructor(private readonly db: Database) {}

  see(line: ImportLine, number: number): void {
    const team = (name: string, id: string) => {
      if (!this.teams.has(name) && !this.wantedTeams.has(name)) this.wantedTeams.set(name, { line: number, id });
    };
    const channel = (teamName: string, name: string, id: string) => {
      const key = `${teamName}/${name}`;
      if (this.channels.has(key)) return;
      team(teamName, id);
      if (!this.wantedChannels.has(key)) this.wantedChannels.set(key, { line: number, id });
    };
    const user = (name: string, id: string) => {
      if (!this.users.has(name) && !this.wantedUsers.has(name)) this.wantedUsers.set(name, { line: number, id });
    };
    switch (line.type) {
      case 'team':
        this.teams.add(line.team.name);
        break;
      case 'channel':
        team(line.channel.team, 'app.import.import_channel.team_not_found.error');
        this.channels.add(`${line.channel.team}/${line.channel.name}`);
        break;
      case 'user':
        this.users.add(line.user.username);
        for (const t of line.user.teams) {
          team(t.name, 'app.import.import_user_teams.team_not_found.error');
          for (const c of t.channels) channel(t.name, c.name, 'app.import.import_user_channels.channel_not_found.error');
        }
        break;
      case 'post': {
        const p = line.post;
        channel(p.team, p.channel, 'app.import.import_post.channel_not_found.error');
        for (const m of [p, ...p.replies])
          for (const u of [m.user, ...m.flagged_by, ...m.reactions.map((r) => r.user)]) user(u, 'app.import.import_post.user_not_found.error');
        break;
      }
      case 'direct_channel':
        for (const u of line.direct_channel.members) user(u, 'app.import.import_direct_channel.member_not_found.error');
        break;
      case 'direct_post': {
        const p = line.direct_post;
        for (const u of p.channel_members) user(u, 'app.import.import_direct_post.user_not_found.error');
        for (const m of [p, ...p.replies])
          for (const u of [m.user, ...m.reactions.map((r) => r.user)]) user(u, 'app.import.import_direct_post.user_not_found.error');
        break;
      }
    }
  }

  /** The first line naming a team, channel or user that neither the file (before it) nor the database has. */
  async missing(): Promise<(Reference & { message: string }) | null> {
    const found: Array<Reference & { message: string }> = [];
    const teams = new TeamsRepository(this.db);
    // Teams a line names before the file declares them, and the teams of channels not declared.
    const teamNames = new Set([...this.wantedTeams.keys(), ...[...this.wantedChannels.keys()].map((k) => k.split('/')[0])]);
    const teamIds = new Map<string, string>();
    for (const names of chunks([...teamNames])) for (const t of await teams.byNames(names)) teamIds.set(t.name, t.id);
    for (const [name, ref] of this.wantedTeams)
      if (!teamIds.has(name)) found.push({ ...ref, message: `team ${name} is neither in the file before this line nor on this server` });
    const channels = new ChannelsRepository(this.db);
    const namesById = new Map([...teamIds].map(([n, id]) => [id, n]));
    const existing = new Set<string>();
    const inDatabase = [...this.wantedChannels.keys()].map((k) => k.split('/') as [string, string]).filter(([t]) => teamIds.has(t));
    for (const part of chunks(inDatabase)) {
      for (const c of await channels.byTeamNames(part.map(([t, name]) => ({ team_id: teamIds.get(t)!, name }))))
        existing.add(`${namesById.get(c.team_id)}/${c.name}`);
    }
    for (const [key, ref] of this.wantedChannels) {
      // A team the file creates gets its default channels with its line.
      const [teamName, name] = key.split('/');
      if (existing.has(key) || (this.teams.has(teamName) && (name === 'town-square' || name === 'off-topic'))) continue;
      found.push({ ...ref, message: `channel ${key} is neither in the file before this line nor on this server` });
    }
    const users = new UsersRepository(this.db);
    const known = new Set<string>();
    for (const names of chunks([...this.wantedUsers.keys()])) for (const u of await users.byUsernames(names)) known.add(u.username);
    for (const [name, ref] of this.wantedUsers)
      if (!known.has(name)) found.push({ ...ref, message: `user ${name} is neither in the file before this line nor on this server` });
    found.sort((a, b) => a.line - b.line);
    return found[0] ?? null;
  }
}

function* chunks<T>(items: T[]): Generator<T[]> {
  for (let i = 0; i < items.length; i += CHUNK) yield items.slice(i, i + CHUNK);
}
