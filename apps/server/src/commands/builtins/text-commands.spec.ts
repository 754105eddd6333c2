import { describe, expect, it, vi } from 'vitest';
import { CommandsTestbed } from '../in-memory-commands.js';
import { away, customStatus, dnd, parseCustomStatus } from './status-commands.js';
import { code, collapse, echo, expand, help, me, parseEcho, SHRUG, shrug } from './text-commands.js';

function setup() {
  const bed = new CommandsTestbed();
  const teamId = bed.namedTeam('alpha');
  const user = bed.user();
  bed.joinTeam(teamId, user.user.id);
  const open = bed.channel(teamId, 'O', 'open');
  bed.joinChannel(open, user.user.id);
  return { bed, user, open, ctx: bed.context(user.session, open.id, teamId) };
}

describe('/echo', () => {
  it('reads a quoted message or a trailing delay', () => {
    expect(parseEcho('"hello world" 5')).toEqual({ text: 'hello world', delay: 5 });
    expect(parseEcho('hello world 7')).toEqual({ text: 'hello world', delay: 7 });
    expect(parseEcho('hello world')).toEqual({ text: 'hello world', delay: 0 });
    expect(parseEcho('"quoted"')).toEqual({ text: 'quoted', delay: 0 });
  });

  it('posts after the delay and answers nothing at once', async () => {
    vi.useFakeTimers();
    try {
      const { bed, ctx } = setup();
      expect(await echo.execute(ctx, 'later 3')).toMatchObject({ text: '', response_type: '' });
      await vi.advanceTimersByTimeAsync(2900);
      expect(bed.posted).toHaveLength(0);
      await vi.advanceTimersByTimeAsync(200);
      expect(bed.posted[0].input).toMatchObject({ message: 'later', channel_id: ctx.args.channel_id });
    } finally {
      vi.useRealTimers();
    }
  });

  it('refuses an empty message and too long a delay', async () => {
    const { bed, ctx } = setup();
    expect((await echo.execute(ctx, ''))!.text).toBe('A message must be provided with the /echo command.');
    expect((await echo.execute(ctx, 'x 10001'))!.text).toBe('Delays must be under 10000 seconds.');
    expect(bed.posted).toHaveLength(0);
  });
});

describe('/code, /me, /shrug, /help', () => {
  it('format as Mattermost does', async () => {
    const { bed, ctx } = setup();
    expect(await code.execute(ctx, 'a\nb')).toMatchObject({ response_type: 'in_channel', text: '    a\n    b', skip_slack_parsing: true });
    expect((await code.execute(ctx, ''))!.text).toBe('A message must be provided with the /code command.');
    expect(await me.execute(ctx, 'waves')).toMatchObject({ response_type: 'in_channel', type: 'me', text: '*waves*' });
    expect((await shrug.execute(ctx, ''))!.text).toBe(SHRUG);
    expect((await shrug.execute(ctx, 'well'))!.text).toBe(`well ${SHRUG}`);
    bed.config.SupportSettings.HelpLink = 'https://help.example';
    expect((await help.execute(ctx, ''))!.text).toContain('(https://help.example)');
  });
});

describe('/collapse and /expand', () => {
  it('save the collapse_previews preference', async () => {
    const { bed, user, ctx } = setup();
    await collapse.execute(ctx, '');
    await expand.execute(ctx, '');
    expect(bed.savedPreferences).toEqual([
      { user_id: user.user.id, category: 'display_settings', name: 'collapse_previews', value: 'true' },
      { user_id: user.user.id, category: 'display_settings', name: 'collapse_previews', value: 'false' },
    ]);
  });
});

describe('status commands', () => {
  it('set the status by hand', async () => {
    const { bed, user, ctx } = setup();
    await away.execute(ctx, '');
    await dnd.execute(ctx, '');
    expect(bed.statuses).toEqual([
      { userId: user.user.id, status: 'away' },
      { userId: user.user.id, status: 'dnd' },
    ]);
  });

  it('/status reads an emoji, sets and clears; a long text is cut to 100 characters', async () => {
    const { bed, user, ctx } = setup();
    expect(parseCustomStatus(':palm_tree: on holiday')).toMatchObject({ emoji: 'palm_tree', text: 'on holiday' });
    expect(parseCustomStatus('busy')).toMatchObject({ emoji: 'speech_balloon', text: 'busy' });
    expect((await customStatus.execute(ctx, ':palm_tree: on holiday'))!.text).toContain(':palm_tree: on holiday');
    expect(JSON.parse(bed.profileProps.get(user.user.id)!.customStatus)).toMatchObject({ emoji: 'palm_tree', text: 'on holiday' });
    expect((await customStatus.execute(ctx, 'clear'))!.text).toBe('Your status was cleared.');
    expect(bed.profileProps.get(user.user.id)!.customStatus).toBe('');
    await customStatus.execute(ctx, 'é'.repeat(101));
    expect(JSON.parse(bed.profileProps.get(user.user.id)!.customStatus).text).toBe('é'.repeat(100));
    bed.config.TeamSettings.EnableCustomUserStatuses = false;
    expect(await customStatus.execute(ctx, 'busy')).toBeNull();
  });
});
