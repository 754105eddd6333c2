import { describe, expect, it } from 'vitest';
import {
  attachmentLinksToMarkdown,
  decodeAttachments,
  expandAnnouncements,
  goValueString,
  postLinksToMarkdown,
  processAttachments,
  processSlackText,
  SlackDecodeError,
  textsWithMentions,
} from './slack.js';

const users = new Map([['u1', 'alice']]);

describe('Slack markup', () => {
  it('expands <!channel>, <!here> and <!all> only, every occurrence', () => {
    expect(expandAnnouncements('<!channel> <!here> <!all> <!channel> <!everyone> <!subteam>')).toBe('@channel @here @all @channel <!everyone> <!subteam>');
  });

  it('turns <@id> into @username for known ids, after the announcements', () => {
    expect(processSlackText('hi <@u1>, <@u2> and <!here>', users)).toBe('hi @alice, <@u2> and @here');
  });

  it("links with labels become Markdown; a post's pattern stops at newlines, an attachment's does not", () => {
    expect(postLinksToMarkdown('see <http://a.test/x|the page> and <http://b.test>')).toBe('see [the page](http://a.test/x) and <http://b.test>');
    expect(postLinksToMarkdown('<http://a.test|two\nlines>')).toBe('<http://a.test|two\nlines>');
    expect(attachmentLinksToMarkdown('<http://a.test|two\nlines>')).toBe('[two\nlines](http://a.test)');
  });
});

describe('attachments', () => {
  it("decode with Go's types: strings, SlackCompatibleBool, integer ids, raw ts and actions", () => {
    const [a] = decodeAttachments([
      { Title: 'T', id: 3, ts: '123.4', fields: [{ title: 'f', value: 2, short: 'TRUE' }], actions: [{ id: 'b1', name: 'Go' }] },
    ])!;
    expect(a).toEqual({
      id: 3,
      fallback: '',
      color: '',
      pretext: '',
      author_name: '',
      author_link: '',
      author_icon: '',
      title: 'T',
      title_link: '',
      text: '',
      fields: [{ title: 'f', value: 2, short: true }],
      image_url: '',
      thumb_url: '',
      footer: '',
      footer_icon: '',
      ts: '123.4',
      actions: [{ id: 'b1', name: 'Go' }],
    });
    expect(decodeAttachments(null)).toBeNull();
    expect(decodeAttachments([null])).toEqual([null]);
  });

  it.each([
    ['attachments not a list', { a: 1 }],
    ['a text that is a number', [{ text: 1 }]],
    ['short that is not a boolean', [{ fields: [{ short: 'yes' }] }]],
    ['a null short (Go calls the decoder with null)', [{ fields: [{ short: null }] }]],
    ['a fractional id', [{ id: 1.5 }]],
    ['fields not a list', [{ fields: {} }]],
    ['actions not objects', [{ actions: [1] }]],
  ])('refuse %s', (_what, raw) => {
    expect(() => decodeAttachments(raw)).toThrow(SlackDecodeError);
  });

  it('process: null entries dropped, values as Go prints them, markup and links expanded where Mattermost does', () => {
    const decoded = decodeAttachments([
      null,
      {
        pretext: '<!here> <http://p.test|p>',
        text: '<@u1> <http://t.test|t>',
        title: '<@u1> <http://ti.test|ti>',
        fields: [
          null,
          { title: '<@u1>', value: '<http://v.test|v>' },
          { value: 1234567 },
          { value: true },
          { value: null },
          { value: { b: [1, 'x'], a: 0.00001 } },
        ],
      },
    ])!;
    const [a] = processAttachments(decoded, users);
    expect(a.pretext).toBe('@here [p](http://p.test)');
    expect(a.text).toBe('@alice [t](http://t.test)');
    expect(a.title).toBe('@alice <http://ti.test|ti>');
    expect(a.fields).toEqual([
      { title: '<@u1>', value: '[v](http://v.test)', short: false },
      { title: '', value: '1.234567e+06', short: false },
      { title: '', value: 'true', short: false },
      { title: '', value: null, short: false },
      { title: '', value: 'map[a:1e-05 b:[1 x]]', short: false },
    ]);
  });

  it('prints numbers as strconv.FormatFloat(g, -1)', () => {
    expect([0, 42, 123456, 1e6, 0.0001, 0.00001, -2.5, 1e21].map(goValueString)).toEqual(['0', '42', '123456', '1e+06', '0.0001', '1e-05', '-2.5', '1e+21']);
  });

  it('lists every text that may mention users', () => {
    const decoded = decodeAttachments([{ pretext: 'p', text: 't', title: 'ti', fields: [{ value: 'v' }, { value: null }] }]);
    expect(textsWithMentions('m', decoded)).toEqual(['m', 'p', 't', 'ti', 'v']);
  });
});
