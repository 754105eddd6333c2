/**
 * A post's permalink (/{team}/pl/{post_id}, the link of notification mails and of "Copy link"):
 * the post's channel opens, scrolled to the post and highlighting it, and the URL becomes the
 * channel's (as Mattermost's web app replaces it once the post is focused). With collapsed
 * threads a reply is not in its channel's list: its thread opens beside the channel instead.
 */
import type { Team } from '@mattermost/types/teams';
import { client } from '../api/client';
import { UserFacingError } from '../api/errors';
import { store } from '../state/store';
import { channelOf, focusPost } from './search';
import { openThread, settleCollapsedThreads } from './threads';

export async function openPermalink(team: Team, postId: string): Promise<void> {
  await settleCollapsedThreads();
  const post = await client.getPost(postId);
  const channel = await channelOf(post.channel_id);
  if (!channel) throw new UserFacingError('You cannot open the channel of this message.');
  // A channel of another team opens in that team (a direct message's has none: the URL's team).
  const teamName = channel.team_id && channel.team_id !== team.id ? store.get().teams.byId[channel.team_id]?.name : team.name;
  if (!teamName) throw new UserFacingError('This message is in a team you are not on.');
  const reply = store.get().threads.collapsed && post.root_id !== '';
  if (reply) openThread(post.root_id);
  await focusPost(teamName, channel, post, { replace: true });
}
