/**
 * Shared setup for the e2e suites about what happens inside channels (posts, reactions, search):
 * the same people in the same parts, so every suite reads the same way.
 */
import type { Client4 } from '@mattermost/client';
import type { Channel } from '@mattermost/types/channels';
import type { FileInfo } from '@mattermost/types/files';
import type { Post } from '@mattermost/types/posts';
import type { Team } from '@mattermost/types/teams';
import { startServer, type NewUser, type TestServer, type TestSocket } from '#testing';

/** The error id of a missing permission (403). */
export const PERMISSION = 'api.context.permissions.app_error';

export interface Cast {
  /** Signed up first, so the system admin. */
  admin: NewUser;
  /** Creates the team and its channels (so their admin). */
  alice: NewUser;
  /** On the team and in every channel of teamWithChannels. */
  bob: NewUser;
  /** On the team, in none of its channels. */
  dave: NewUser;
  /** Not on the team. */
  carol: NewUser;
}

/** Signs the cast up one after the other, admin first (the first user of a server is its system admin). */
export async function signUpCast(server: TestServer): Promise<Cast> {
  const admin = await server.newUser();
  const alice = await server.newUser();
  const bob = await server.newUser();
  const dave = await server.newUser();
  const carol = await server.newUser();
  return { admin, alice, bob, dave, carol };
}

export interface Names {
  name: string;
  display_name: string;
}

export interface TeamWithChannels {
  /** Open; alice (admin), bob and dave. */
  team: Team;
  /** Public: alice and bob. */
  pub: Channel;
  /** Private: alice and bob. */
  priv: Channel;
  /** alice <-> bob. */
  dm: Channel;
}

/** alice's open team with bob and dave on it, a public and a private channel with alice and bob, and their DM. */
export async function teamWithChannels(cast: Cast, names: { team: Names; pub: Names; priv: Names }): Promise<TeamWithChannels> {
  const { alice, bob, dave } = cast;
  const team = await alice.client.createTeam({ ...names.team, type: 'O' } as Team);
  await alice.client.addToTeam(team.id, bob.user.id);
  await alice.client.addToTeam(team.id, dave.user.id);
  const pub = await alice.client.createChannel({ team_id: team.id, ...names.pub, type: 'O' } as Channel);
  const priv = await alice.client.createChannel({ team_id: team.id, ...names.priv, type: 'P' } as Channel);
  await alice.client.addToChannel(bob.user.id, pub.id);
  await alice.client.addToChannel(bob.user.id, priv.id);
  const dm = await alice.client.createDirectChannel([alice.user.id, bob.user.id]);
  return { team, pub, priv, dm };
}

/** Connected sockets for the users, opened one after the other, in the order given. */
export async function openSockets(server: TestServer, users: NewUser[]): Promise<TestSocket[]> {
  const sockets: TestSocket[] = [];
  for (const u of users) sockets.push(await server.socket(u.client));
  return sockets;
}

export interface ChannelSuite extends Cast, TeamWithChannels {
  server: TestServer;
  /** bob's (in every channel), dave's (in no channel) and carol's (not on the team), in that order. */
  sockets: TestSocket[];
}

/** A fresh server with the cast, alice's team with its channels, and sockets for bob, dave and carol. */
export async function startChannelSuite(names: { team: Names; pub: Names; priv: Names }): Promise<ChannelSuite> {
  const server = await startServer();
  try {
    const cast = await signUpCast(server);
    const parts = await teamWithChannels(cast, names);
    const sockets = await openSockets(server, [cast.bob, cast.dave, cast.carol]);
    return { server, ...cast, ...parts, sockets };
  } catch (err) {
    await server.stop();
    throw err;
  }
}

export async function stopChannelSuite(suite: ChannelSuite | undefined): Promise<void> {
  for (const s of suite?.sockets ?? []) s.close();
  await suite?.server.stop();
}

export const post = (c: Client4, channelId: string, message: string, extra: Partial<Post> = {}) =>
  c.createPost({ channel_id: channelId, message, ...extra } as Post);

/** Uploads one file to a channel through POST /files (Client4.uploadFile) and answers its FileInfo. */
export async function uploadFile(c: Client4, channelId: string, name: string, data: Buffer | string): Promise<FileInfo> {
  const form = new FormData();
  form.append('channel_id', channelId);
  form.append('files', new Blob([typeof data === 'string' ? data : new Uint8Array(data)]), name);
  return (await c.uploadFile(form)).file_infos[0];
}
