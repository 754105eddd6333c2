import { describe, expect, it } from 'vitest';
import { channelLine, directChannelLine, directPostLine, postLine, teamLine, userLine, versionLine } from './export-lines.js';

const parse = (line: string) => {
  expect(line.endsWith('\n')).toBe(true);
  expect(line.slice(0, -1)).not.toContain('\n');
  return JSON.parse(line);
};

describe('bulk export lines (LineImportData)', () => {
  it('version', () => {
    expect(parse(versionLine('10.11.0', new Date('2026-01-02T03:04:05.000Z')))).toEqual({
      type: 'version',
      version: 1,
      info: { generator: 'mmchat', version: '10.11.0', created: '2026-01-02T03:04:05.000Z' },
    });
  });

  it('team and channel', () => {
    expect(parse(teamLine({ name: 't', display_name: 'T', type: 'O', description: 'd', allow_open_invite: true }))).toEqual({
      type: 'team',
      team: { name: 't', display_name: 'T', type: 'O', description: 'd', allow_open_invite: true },
    });
    expect(parse(channelLine({ team_name: 't', name: 'c', display_name: 'C', type: 'P', header: 'h', purpose: 'p' }))).toEqual({
      type: 'channel',
      channel: { team: 't', name: 'c', display_name: 'C', type: 'P', header: 'h', purpose: 'p' },
    });
  });

  it('user, with notify props renamed as the import expects and memberships nested', () => {
    const line = parse(
      userLine(
        {
          username: 'bob',
          email: 'bob@x.io',
          auth_service: '',
          auth_data: null,
          nickname: 'B',
          first_name: 'Bob',
          last_name: 'Jones',
          position: 'dev',
          roles: 'system_user',
          locale: 'en',
          delete_at: 0,
          notify_props: {
            push: 'mention',
            push_status: 'away',
            desktop: 'all',
            email: 'true',
            channel: 'true',
            comments: 'never',
            mention_keys: 'bob',
            first_name: 'false',
          },
        },
        [
          {
            name: 't',
            roles: 'team_user',
            channels: [
              {
                name: 'c',
                roles: 'channel_user',
                notify_props: { push: 'none', desktop: 'all', mark_unread: 'mention' },
                favorite: true,
                mention_count: 0,
                msg_count: 3,
                last_viewed_at: 9,
              },
            ],
          },
        ],
      ),
    );
    expect(line.type).toBe('user');
    expect(line.user).toEqual({
      username: 'bob',
      email: 'bob@x.io',
      auth_service: '',
      nickname: 'B',
      first_name: 'Bob',
      last_name: 'Jones',
      position: 'dev',
      roles: 'system_user',
      locale: 'en',
      teams: [
        {
          name: 't',
          roles: 'team_user',
          channels: [
            {
              name: 'c',
              roles: 'channel_user',
              notify_props: { desktop: 'all', mobile: 'none', mark_unread: 'mention' },
              favorite: true,
              msg_count: 3,
              last_viewed_at: 9,
            },
          ],
        },
      ],
      notify_props: { desktop: 'all', email: 'true', mobile: 'mention', mobile_push_status: 'away', channel: 'true', comments: 'never', mention_keys: 'bob' },
    });
  });

  it('a deactivated user carries delete_at; no password is ever written', () => {
    const line = parse(
      userLine(
        {
          username: 'x',
          email: 'x@x',
          auth_service: 'ldap',
          auth_data: 'cn=x',
          nickname: '',
          first_name: '',
          last_name: '',
          position: '',
          roles: 'system_user',
          locale: 'en',
          delete_at: 5,
          notify_props: {},
        },
        [],
      ),
    );
    expect(line.user).toMatchObject({ delete_at: 5, auth_service: 'ldap', auth_data: 'cn=x' });
    expect(line.user.teams).toBeUndefined();
    expect(JSON.stringify(line)).not.toContain('password');
  });

  it('post with replies, reactions, flags; direct channel and direct post', () => {
    const base = { type: '', props: {}, edit_at: 0, is_pinned: false, flagged_by: [] as string[], reactions: [] as any[], attachments: [] };
    const post = parse(
      postLine({
        ...base,
        username: 'a',
        message: 'root',
        create_at: 1,
        team_name: 't',
        channel_name: 'c',
        is_pinned: true,
        flagged_by: ['b'],
        reactions: [{ username: 'b', emoji_name: 'smile', create_at: 2 }],
        replies: [{ ...base, username: 'b', message: 'reply', create_at: 3 }],
      }),
    );
    expect(post).toEqual({
      type: 'post',
      post: {
        team: 't',
        channel: 'c',
        user: 'a',
        type: '',
        message: 'root',
        props: {},
        create_at: 1,
        edit_at: 0,
        flagged_by: ['b'],
        reactions: [{ user: 'b', create_at: 2, emoji_name: 'smile' }],
        replies: [{ user: 'b', type: '', message: 'reply', create_at: 3, edit_at: 0 }],
        is_pinned: true,
      },
    });
    expect(parse(directChannelLine(['a', 'b'], 'hdr', []))).toEqual({
      type: 'direct_channel',
      direct_channel: { members: ['a', 'b'], favorited_by: null, header: 'hdr' },
    });
    expect(parse(directPostLine({ ...base, username: 'a', message: 'hi', create_at: 4, members: ['a', 'b'], replies: [] })).direct_post).toEqual({
      channel_members: ['a', 'b'],
      user: 'a',
      type: '',
      message: 'hi',
      props: {},
      create_at: 4,
      edit_at: 0,
      flagged_by: null,
      reactions: null,
      replies: null,
      attachments: null,
    });
  });

  it('names attachments by their store path on posts, replies and direct posts (AttachmentImportData); none, none named', () => {
    const base = { type: '', props: {}, edit_at: 0, is_pinned: false, flagged_by: [] as string[], reactions: [] as any[], attachments: [] };
    const file = (n: number) => ({ id: String(n).repeat(26), path: `20260105/teams/noteam/channels/c/users/u/${String(n).repeat(26)}/f${n}.png` });
    const post = parse(
      postLine({
        ...base,
        username: 'a',
        message: 'root',
        create_at: 1,
        team_name: 't',
        channel_name: 'c',
        attachments: [file(1), file(2)],
        replies: [
          { ...base, username: 'b', message: 'reply', create_at: 3, attachments: [file(3)] },
          { ...base, username: 'b', message: 'bare', create_at: 4 },
        ],
      }),
    ).post;
    expect(post.attachments).toEqual([{ path: file(1).path }, { path: file(2).path }]);
    expect(post.replies[0].attachments).toEqual([{ path: file(3).path }]);
    expect(post.replies[1]).not.toHaveProperty('attachments');
    const direct = parse(
      directPostLine({ ...base, username: 'a', message: 'hi', create_at: 4, members: ['a', 'b'], replies: [], attachments: [file(4)] }),
    ).direct_post;
    expect(direct.attachments).toEqual([{ path: file(4).path }]);
  });

  it('keeps a message with newlines on one line', () => {
    const line = postLine({
      username: 'a',
      type: '',
      message: 'two\nlines',
      props: {},
      create_at: 1,
      edit_at: 0,
      is_pinned: false,
      flagged_by: [],
      reactions: [],
      attachments: [],
      team_name: 't',
      channel_name: 'c',
      replies: [],
    });
    expect(parse(line).post.message).toBe('two\nlines');
  });
});
