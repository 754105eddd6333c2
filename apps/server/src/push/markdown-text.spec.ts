import { describe, expect, it } from 'vitest';
import { markdownToPlainText } from './markdown-text.js';

describe('markdownToPlainText (utils.StripMarkdown)', () => {
  it.each([
    ['emphasis, strong and strikethrough lose their markers', '*a* **b** _c_ ~~d~~', 'a b c d'],
    ['a heading is its text', '# Title', 'Title'],
    ['links keep their text, not their target', 'see [the docs](https://example.com/docs)', 'see the docs'],
    ['images keep their alt text', '![a cat](https://example.com/cat.png)', 'a cat'],
    ['inline code keeps its text', 'run `npm test`', 'run npm test'],
    ['code blocks keep their lines', '```\nline 1\nline 2\n```', 'line 1\nline 2'],
    ['paragraphs run on with a space', 'one\n\ntwo', 'one two'],
    ['list items run on with a space', '- a\n- b\n- c', 'a b c'],
    ['line breaks stay', 'one\ntwo', 'one\ntwo'],
    ['mentions, channel links, emoji and hashtags stay as typed', '@bob look at ~town-square :smile: #release', '@bob look at ~town-square :smile: #release'],
    ['raw HTML goes', 'a <b>bold</b> word', 'a bold word'],
    ['entities are decoded', 'fish &amp; chips', 'fish & chips'],
    ['a blockquote is its text', '> quoted', 'quoted'],
    ['plain text is unchanged', 'just words', 'just words'],
    ['empty stays empty', '', ''],
  ])('%s', (_name, markdown, text) => {
    expect(markdownToPlainText(markdown)).toBe(text);
  });
});
