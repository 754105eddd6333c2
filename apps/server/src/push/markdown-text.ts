import { Parser, type Node } from '@mattermost/commonmark';

/** What Node's typings leave out (@mattermost/commonmark's getters for its own inline kinds). */
type MattermostNode = Node & { mentionName?: string; channelName?: string; hashtag?: string };

const parser = new Parser();

/** Blocks whose text is followed by a space when another block comes after them (Mattermost's renderItem). */
const SPACED_BLOCKS = new Set(['paragraph', 'heading', 'item', 'table_row', 'table_cell']);

/**
 * A message's Markdown as the plain text a notification shows (Mattermost's utils.StripMarkdown):
 * the words without the syntax; link and image texts stay, their targets go; paragraphs, headings
 * and list items run on with a space, line breaks stay, code keeps its text, raw HTML goes.
 */
export function markdownToPlainText(markdown: string): string {
  let out = '';
  const walker = parser.parse(markdown).walker();
  for (let step = walker.next(); step; step = walker.next()) {
    const node = step.node as MattermostNode;
    if (!step.entering) {
      if (SPACED_BLOCKS.has(node.type) && node.next) out += ' ';
      continue;
    }
    out += leafText(node);
  }
  return out.trim();
}

function leafText(node: MattermostNode): string {
  switch (node.type) {
    case 'text':
    case 'code':
    case 'code_block':
    case 'emoji':
      return node.literal ?? '';
    case 'softbreak':
    case 'linebreak':
      return '\n';
    case 'at_mention':
      return `@${node.mentionName ?? ''}`;
    case 'channel_link':
      return `~${node.channelName ?? ''}`;
    case 'hashtag':
      return `#${node.hashtag ?? ''}`;
    default:
      return '';
  }
}
