import { describe, expect, it } from 'vitest';
import { mentionCandidates, mentionedNames, parseMarkdown, plainText, resolveMention, safeHref, type MdNode } from './parse';

const first = (text: string): MdNode => parseMarkdown(text)[0]!;
const inline = (text: string): MdNode[] => {
  const block = first(text);
  return 'children' in block ? block.children : [];
};

describe('parseMarkdown', () => {
  it('reads a table with its heading row and column alignment', () => {
    const table = first('| Name | Qty |\n|:-----|----:|\n| tea | 2 |');
    expect(table.type).toBe('table');
    if (table.type !== 'table') return;
    const [head, row] = table.children;
    expect(head).toMatchObject({ type: 'table_row', heading: true });
    expect(row).toMatchObject({
      type: 'table_row',
      heading: false,
      children: [
        { type: 'table_cell', align: 'left', children: [{ type: 'text', text: 'tea' }] },
        { type: 'table_cell', align: 'right', children: [{ type: 'text', text: '2' }] },
      ],
    });
  });

  it('reads fenced code with its language, and inline code, as text', () => {
    expect(first('```ts\nconst a = "<b>";\n```')).toEqual({ type: 'code_block', language: 'ts', text: 'const a = "<b>";' });
    expect(inline('run `npm test` now')).toEqual([
      { type: 'text', text: 'run ' },
      { type: 'code', text: 'npm test' },
      { type: 'text', text: ' now' },
    ]);
  });

  it('reads @mentions, ~channels, :emoji:, emoticons and #hashtags', () => {
    expect(inline('hi @bob. see ~town-square :tada: :) #release')).toEqual([
      { type: 'text', text: 'hi ' },
      { type: 'mention', name: 'bob.' },
      { type: 'text', text: ' see ' },
      { type: 'channel_link', name: 'town-square' },
      { type: 'text', text: ' ' },
      { type: 'emoji', name: 'tada', literal: ':tada:' },
      { type: 'text', text: ' ' },
      { type: 'emoji', name: 'slightly_smiling_face', literal: ':)' },
      { type: 'text', text: ' ' },
      { type: 'hashtag', tag: 'release' },
    ]);
  });

  it('autolinks URLs and www. addresses, and keeps unsafe link targets out', () => {
    expect(inline('see https://example.com/a?b=1 or www.example.org')).toEqual([
      { type: 'text', text: 'see ' },
      { type: 'link', href: 'https://example.com/a?b=1', title: '', children: [{ type: 'text', text: 'https://example.com/a?b=1' }] },
      { type: 'text', text: ' or ' },
      { type: 'link', href: 'http://www.example.org', title: '', children: [{ type: 'text', text: 'www.example.org' }] },
    ]);
    expect(inline('[click](javascript:alert(1))')).toEqual([{ type: 'link', href: '', title: '', children: [{ type: 'text', text: 'click' }] }]);
  });

  it('keeps raw HTML as text', () => {
    expect(plainText(parseMarkdown('<img src=x onerror=alert(1)> and <b>bold</b>'))).toBe('<img src=x onerror=alert(1)> and <b>bold</b>');
  });

  it('keeps line breaks (Mattermost shows every new line)', () => {
    expect(inline('one\ntwo')).toEqual([{ type: 'text', text: 'one' }, { type: 'softbreak' }, { type: 'text', text: 'two' }]);
  });

  it('lists the names a message mentions, once each', () => {
    expect(mentionedNames(parseMarkdown('@alice and @bob\n\n> @alice again `@not`'))).toEqual(['alice', 'bob']);
  });
});

describe('safeHref', () => {
  it('allows web, mail and phone links and this site’s paths; refuses script and data URLs', () => {
    expect(safeHref('https://a.example/x')).toBe('https://a.example/x');
    expect(safeHref('mailto:a@b.c')).toBe('mailto:a@b.c');
    expect(safeHref('/team/channels/x')).toBe('/team/channels/x');
    expect(safeHref('JavaScript:alert(1)')).toBe('');
    expect(safeHref('data:text/html,hi')).toBe('');
    expect(safeHref('vbscript:x')).toBe('');
    expect(safeHref('')).toBe('');
  });
});

describe('resolveMention', () => {
  const users = new Set(['bob', 'bob.smith', 'ann_']);
  const exists = (u: string) => users.has(u);
  it('finds the user as typed, else without trailing punctuation', () => {
    expect(resolveMention('bob.smith', exists)).toEqual({ username: 'bob.smith', rest: '' });
    expect(resolveMention('bob.', exists)).toEqual({ username: 'bob', rest: '.' });
    expect(resolveMention('Bob', exists)).toEqual({ username: 'bob', rest: '' });
    expect(resolveMention('ann_', exists)).toEqual({ username: 'ann_', rest: '' });
    expect(resolveMention('carol', exists)).toBeUndefined();
  });
});

describe('mentionCandidates', () => {
  it('gives the usernames an @name may stand for, without the channel-wide mentions or emails', () => {
    expect(mentionCandidates('@Bob. and @ann_-, cc @all; mail x@example.com')).toEqual(['bob.', 'bob', 'ann_-', 'ann_', 'ann']);
    expect(mentionCandidates('nothing here')).toEqual([]);
  });
});
