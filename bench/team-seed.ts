/** The team every single-server benchmark starts from, seeded through the REST API. */
import type { UserProfile } from '@mattermost/types/users';
import type { TestServer } from '#testing';
import { mapLimit } from './load.js';

/** Members per batch request: under the server's 256. */
export const TEAM_BATCH = 200;

/**
 * `users` accounts (bench0, bench1, …) signed up `concurrency` at a time, all members of one open
 * team made by `benchadmin` (the server's first user, so its system admin), and the team's Town Square.
 */
export async function seedTeam(server: TestServer, users: number, password: string, concurrency: number) {
  const admin = await server.newUser({ username: 'benchadmin', password });
  const team = await admin.client.createTeam({ name: 'bench', display_name: 'Bench', type: 'O' } as any);
  const anonymous = server.client();
  const profiles = await mapLimit(
    Array.from({ length: users }, (_, i) => i),
    concurrency,
    (i) => anonymous.createUser({ username: `bench${i}`, email: `bench${i}@example.com`, password } as UserProfile, '', ''),
  );
  for (let i = 0; i < profiles.length; i += TEAM_BATCH) {
    await admin.client.addUsersToTeam(
      team.id,
      profiles.slice(i, i + TEAM_BATCH).map((p) => p.id),
    );
  }
  const townSquare = await admin.client.getChannelByName(team.id, 'town-square');
  return { admin, team, townSquare, profiles };
}
