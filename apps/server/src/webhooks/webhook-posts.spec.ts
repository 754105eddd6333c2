import { describe, expect, it } from 'vitest';
import { decodeAttachments, processAttachments, type SlackAttachment } from './slack.js';
import { POST_PROPS_MAX_USER_RUNES, splitWebhookPost } from './webhook-posts.js';

const attachment = (text: string): SlackAttachment => processAttachments(decodeAttachments([{ text }])!, new Map())[0];

describe('splitWebhookPost', () => {
  it('keeps a short post whole, attachments in its props', () => {
    const a = attachment('x');
    expect(splitWebhookPost('hello', { p: 1 }, [a], 10)).toEqual([{ message: 'hello', props: { p: 1, attachments: [a] } }]);
  });

  it('cuts a long text by characters, every part with the props, attachments on the last', () => {
    const a = attachment('x');
    const splits = splitWebhookPost('ééééé' + '😀😀', { p: 1 }, [a], 3);
    expect(splits.map((s) => s.message)).toEqual(['ééé', 'éé😀', '😀']);
    expect(splits.map((s) => s.props)).toEqual([{ p: 1 }, { p: 1 }, { p: 1, attachments: [a] }]);
  });

  it('moves attachments that do not fit to further posts without text, and cuts one too big alone', () => {
    const big = attachment('b'.repeat(POST_PROPS_MAX_USER_RUNES / 2));
    const splits = splitWebhookPost('text', {}, [big, big, big], 100);
    expect(splits.map((s) => [s.message, (s.props.attachments as unknown[]).length])).toEqual([
      ['text', 1],
      ['', 1],
      ['', 1],
    ]);
    const huge = attachment('h'.repeat(POST_PROPS_MAX_USER_RUNES + 10));
    const [cut] = splitWebhookPost('', {}, [huge], 100);
    expect(JSON.stringify(cut.props).length).toBe(POST_PROPS_MAX_USER_RUNES);
  });

  it('refuses props too big to split', () => {
    expect(() => splitWebhookPost('x', { p: 'p'.repeat(POST_PROPS_MAX_USER_RUNES) }, [], 10)).toThrow(
      expect.objectContaining({ statusCode: 400, id: 'web.incoming_webhook.split_props_length.app_error' }),
    );
  });
});
