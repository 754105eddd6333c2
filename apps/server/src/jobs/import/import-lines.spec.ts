import { describe, expect, it } from 'vitest';
import { attachmentEntryName, ImportLineError, parseImportLine } from './import-lines.js';

const idOf = (text: string, line = 2): string => {
  try {
    parseImportLine(text, line);
  } catch (err) {
    if (err instanceof ImportLineError) return err.id;
    throw err;
  }
  throw new Error('the line passed');
};

describe('parseImportLine', () => {
  it('line 1 is the version line, version 1 only', () => {
    expect(parseImportLine('{"type":"version","version":1}', 1)).toEqual({ type: 'version', version: 1 });
    expect(idOf('{"type":"team","team":{}}', 1)).toBe('app.import.process_import_data_file_version_line.invalid_version.error');
    expect(idOf('{"type":"version","version":2}', 1)).toBe('app.import.bulk_import.unsupported_version.error');
    expect(idOf('{"type":"version","version":1}')).toBe('app.import.import_line.unknown_line_type.error');
  });

  it("refuses what is not JSON, unknown kinds and kinds without their data, with Mattermost's ids", () => {
    expect(idOf('{not json')).toBe('app.import.bulk_import.json_decode.error');
    expect(idOf('[]')).toBe('app.import.bulk_import.json_decode.error');
    expect(idOf('{"type":"nope"}')).toBe('app.import.import_line.unknown_line_type.error');
    expect(idOf('{"type":"team"}')).toBe('app.import.import_line.null_team.error');
    expect(parseImportLine('{"type":"emoji","emoji":{"name":"x"}}', 3)).toEqual({ type: 'skipped', kind: 'emoji' });
  });

  it('checks teams, channels and users as Mattermost validates them', () => {
    expect(parseImportLine('{"type":"team","team":{"name":"Ops","display_name":"Ops","type":"O"}}', 2)).toMatchObject({ team: { name: 'ops', type: 'O' } });
    expect(idOf('{"type":"team","team":{"display_name":"x","type":"O"}}')).toBe('app.import.validate_team_import_data.name_missing.error');
    expect(idOf('{"type":"team","team":{"name":"api-team","display_name":"x","type":"O"}}')).toBe('app.import.validate_team_import_data.name_reserved.error');
    expect(idOf('{"type":"team","team":{"name":"ops","display_name":"x","type":"X"}}')).toBe('app.import.validate_team_import_data.type_invalid.error');
    expect(idOf('{"type":"channel","channel":{"team":"ops","name":"a b","type":"O"}}')).toBe('app.import.validate_channel_import_data.name_characters.error');
    expect(parseImportLine('{"type":"channel","channel":{"team":"ops","name":"news","type":"P"}}', 2)).toMatchObject({ channel: { display_name: 'news' } });
    expect(idOf('{"type":"user","user":{"username":"a","email":"a@x"}}')).toBe('app.import.validate_user_import_data.username_invalid.error');
    expect(idOf('{"type":"user","user":{"username":"abc","email":"a@x","password":"p","auth_data":"d","auth_service":"ldap"}}')).toBe(
      'app.import.validate_user_import_data.auth_data_and_password.error',
    );
    expect(idOf('{"type":"user","user":{"username":"abc","email":"a@x","notify_props":{"desktop":"loud"}}}')).toBe(
      'app.import.validate_user_import_data.notify_props_desktop_invalid.error',
    );
    expect(
      idOf('{"type":"user","user":{"username":"abc","email":"a@x","teams":[{"name":"ops","channels":[{"name":"x","notify_props":{"mark_unread":"x"}}]}]}}'),
    ).toBe('app.import.validate_user_channels_import_data.invalid_notify_props_mark_unread.error');
  });

  it('checks posts, their replies and reactions, and direct channels and posts', () => {
    const post = (extra: string) => `{"type":"post","post":{"team":"ops","channel":"news","user":"abc","message":"hi","create_at":5${extra}}}`;
    expect(parseImportLine(post(''), 2)).toMatchObject({ post: { message: 'hi', replies: [], reactions: [], edit_at: 0 } });
    expect(idOf('{"type":"post","post":{"channel":"news","user":"abc","message":"hi","create_at":5}}')).toBe(
      'app.import.validate_post_import_data.team_missing.error',
    );
    expect(idOf('{"type":"post","post":{"team":"ops","channel":"news","user":"abc","message":"hi","create_at":0}}')).toBe(
      'app.import.validate_post_import_data.create_at_zero.error',
    );
    expect(idOf(post(',"reactions":[{"user":"abc","emoji_name":"smile","create_at":4}]'))).toBe(
      'app.import.validate_reaction_import_data.create_at_before_parent.error',
    );
    expect(idOf(post(',"replies":[{"user":"abc","create_at":6}]'))).toBe('app.import.validate_reply_import_data.message_missing.error');
    expect(idOf(post(',"attachments":[{"path":"../../etc/passwd"}]'))).toBe('app.import.validate_post_import_data.attachment.error');
    expect(idOf('{"type":"direct_channel","direct_channel":{"members":["abc"]}}')).toBe('app.import.validate_direct_channel_import_data.members_too_few.error');
    expect(idOf('{"type":"direct_channel","direct_channel":{"members":["abc","def"],"favorited_by":["ghi"]}}')).toBe(
      'app.import.validate_direct_channel_import_data.unknown_favoriter.error',
    );
    expect(idOf('{"type":"direct_post","direct_post":{"channel_members":["abc","def"],"user":"abc","message":"m","create_at":1,"flagged_by":["xyz"]}}')).toBe(
      'app.import.validate_direct_post_import_data.unknown_flagger.error',
    );
  });
});

describe('attachmentEntryName', () => {
  it('is the entry under data/, and nothing for a path that leaves it', () => {
    expect(attachmentEntryName('20260101/teams/noteam/a.png')).toBe('data/20260101/teams/noteam/a.png');
    expect(attachmentEntryName('a/../b.png')).toBe('data/b.png');
    expect(attachmentEntryName('../x')).toBeNull();
    expect(attachmentEntryName('/etc/passwd')).toBeNull();
  });
});
