/**
 * Messages in Mattermost's Markdown dialect, parsed by @mattermost/commonmark (CommonMark plus
 * tables, autolinked URLs and emails, @mentions, ~channel links, :emoji: and emoticons, #hashtags)
 * into a plain tree of the parts the app draws (MdNode). Markdown.tsx turns the tree into React
 * elements, so no HTML string is ever put into the page: raw HTML in a message stays text, as
 * in Mattermost, and link targets pass safeHref first.
 */
import { Parser, type Node } from '@mattermost/commonmark';

export type Align = '' | 'left' | 'center' | 'right';

export type MdNode =
  | { type: 'text'; text: string }
  | { type: 'softbreak' | 'linebreak' | 'thematic_break' }
  | { type: 'paragraph' | 'emph' | 'strong' | 'block_quote' | 'item' | 'table'; children: MdNode[] }
  | { type: 'heading'; level: number; children: MdNode[] }
  | { type: 'list'; ordered: boolean; start: number; children: MdNode[] }
  /** `href` is '' when the target is not safe to follow: the text is shown without a link. */
  | { type: 'link'; href: string; title: string; children: MdNode[] }
  | { type: 'image'; src: string; alt: string; title: string }
  | { type: 'code'; text: string }
  | { type: 'code_block'; language: string; text: string }
  /** `name` as typed after the @, which may end in punctuation (`@bob.`): the renderer finds the user. */
  | { type: 'mention'; name: string }
  | { type: 'channel_link'; name: string }
  | { type: 'emoji'; name: string; literal: string }
  | { type: 'hashtag'; tag: string }
  | { type: 'table_row'; heading: boolean; children: MdNode[] }
  | { type: 'table_cell'; heading: boolean; align: Align; children: MdNode[] };

/** Schemes a link may have (Mattermost's allowed schemes without custom ones); relative paths are this site's. */
const SAFE_SCHEMES = new Set(['http', 'https', 'ftp', 'mailto', 'tel']);

/** A link target the app may follow, or '' (javascript:, data:, vbscript:, file: and unknown schemes). */
export function safeHref(url: string | null | undefined): string {
  const href = (url ?? '').trim();
  if (!href) return '';
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(href);
  if (scheme) return SAFE_SCHEMES.has(scheme[1]!.toLowerCase()) ? href : '';
  // A relative URL: a path, a query or a fragment (no colon before the first slash, as above).
  return href;
}

/** Whether a URL points at this site (a path), so that it may be shown as an image under the page's CSP. */
export const isSameSite = (url: string): boolean => url.startsWith('/') && !url.startsWith('//') && !url.startsWith('/\\');

// Mattermost's web app autolinks only URLs with these schemes (and www. addresses, read as http).
const parser = new Parser({ urlFilter: (url) => /^(?:https?:\/\/|ftp:\/\/|mailto:|tel:|www\.)/i.test(url), minimumHashtagLength: 3 });

/** The message's blocks. */
export function parseMarkdown(text: string): MdNode[] {
  return children(parser.parse(text));
}

/** What Node's typings leave out (@mattermost/commonmark's getters). */
type ExtraNode = Node & { emojiName?: string; hashtag?: string };

function children(node: Node): MdNode[] {
  const out: MdNode[] = [];
  for (let child = node.firstChild; child; child = child.next) {
    const converted = convert(child as ExtraNode);
    if (!converted) continue;
    // Adjacent text (the parser splits runs at special characters) is joined, for fewer elements.
    const last = out.at(-1);
    if (converted.type === 'text' && last?.type === 'text') out[out.length - 1] = { type: 'text', text: last.text + converted.text };
    else out.push(converted);
  }
  return out;
}

function convert(node: ExtraNode): MdNode | undefined {
  switch (node.type) {
    case 'text':
      return { type: 'text', text: node.literal ?? '' };
    // Raw HTML is not rendered: Mattermost shows it as typed.
    case 'html_inline':
    case 'html_block':
      return { type: 'text', text: node.literal ?? '' };
    case 'softbreak':
    case 'linebreak':
    case 'thematic_break':
      return { type: node.type };
    case 'paragraph':
    case 'emph':
    case 'strong':
    case 'block_quote':
    case 'item':
    case 'table':
      return { type: node.type, children: children(node) };
    case 'heading':
      return { type: 'heading', level: Math.min(Math.max(node.level, 1), 6), children: children(node) };
    case 'list':
      return { type: 'list', ordered: node.listType === 'ordered', start: node.listStart ?? 1, children: children(node) };
    case 'link':
      return { type: 'link', href: safeHref(node.destination), title: node.title ?? '', children: children(node) };
    case 'image':
      return { type: 'image', src: safeHref(node.destination), alt: plainText(children(node)), title: node.title ?? '' };
    case 'code':
      return { type: 'code', text: node.literal ?? '' };
    case 'code_block':
      return { type: 'code_block', language: (node.info ?? '').trim().split(/\s+/)[0] ?? '', text: (node.literal ?? '').replace(/\n$/, '') };
    case 'at_mention':
      return { type: 'mention', name: node.mentionName ?? '' };
    case 'channel_link':
      return { type: 'channel_link', name: node.channelName ?? '' };
    case 'emoji':
      return { type: 'emoji', name: node.emojiName ?? '', literal: node.literal ?? '' };
    case 'hashtag':
      return { type: 'hashtag', tag: node.hashtag ?? '' };
    case 'table_row':
      return { type: 'table_row', heading: node.isHeading, children: children(node) };
    case 'table_cell':
      return { type: 'table_cell', heading: node.isHeading, align: node.align ?? '', children: children(node) };
    // Inline LaTeX is not rendered (Mattermost's EnableInlineLatex is off by default): its text shows.
    case 'latex_inline':
    default: {
      const inner = children(node);
      if (inner.length === 0) return node.literal ? { type: 'text', text: node.literal } : undefined;
      return inner.length === 1 ? inner[0] : { type: 'paragraph', children: inner };
    }
  }
}

/** The text of a tree, without formatting (an image's alt text, a preview's excerpt). */
export function plainText(nodes: MdNode[]): string {
  return nodes
    .map((n) => {
      switch (n.type) {
        case 'text':
        case 'code':
        case 'code_block':
          return n.text;
        case 'softbreak':
        case 'linebreak':
          return ' ';
        case 'mention':
          return `@${n.name}`;
        case 'channel_link':
          return `~${n.name}`;
        case 'emoji':
          return n.literal;
        case 'hashtag':
          return `#${n.tag}`;
        case 'image':
          return n.alt;
        case 'thematic_break':
          return '';
        default:
          return plainText(n.children);
      }
    })
    .join('');
}

/** The @names a message mentions (as typed, trailing punctuation included), once each, in order. */
export function mentionedNames(nodes: MdNode[], into: string[] = []): string[] {
  for (const n of nodes) {
    if (n.type === 'mention' && !into.includes(n.name)) into.push(n.name);
    else if ('children' in n) mentionedNames(n.children, into);
  }
  return into;
}

/**
 * The user an @name stands for, as Mattermost resolves it: the name as typed, else without its
 * trailing dots, dashes and underscores one at a time (`@bob.` at the end of a sentence is bob).
 * Returns the matched username and the punctuation left over, or undefined.
 */
export function resolveMention(name: string, exists: (username: string) => boolean): { username: string; rest: string } | undefined {
  let candidate = name.toLowerCase();
  while (candidate) {
    if (exists(candidate)) return { username: candidate, rest: name.slice(candidate.length) };
    if (!/[._-]$/.test(candidate)) return undefined;
    candidate = candidate.slice(0, -1);
  }
  return undefined;
}

/**
 * The usernames an @name in a message may stand for: as typed, and without trailing dots, dashes
 * and underscores (Markdown.tsx resolves them the same way).
 */
export function mentionCandidates(message: string): string[] {
  const names = new Set<string>();
  for (const m of message.matchAll(/(?:^|[^\w@])@([a-z][a-z0-9._-]*)/gi)) {
    let name = m[1]!.toLowerCase();
    names.add(name);
    while (/[._-]$/.test(name)) {
      name = name.slice(0, -1);
      names.add(name);
    }
  }
  for (const special of ['all', 'channel', 'here']) names.delete(special);
  return [...names];
}

/** Mentions of everyone in the channel (Mattermost's special mentions). */
export const SPECIAL_MENTIONS: ReadonlySet<string> = new Set(['all', 'channel', 'here']);
