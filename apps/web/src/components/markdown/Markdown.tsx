/**
 * A message drawn from its Markdown (parse.ts) as React elements: nothing is set as HTML, so a
 * message cannot add markup or scripts to the page. Links to other sites open in a new tab
 * without giving it this page (rel=noopener noreferrer); links to this site stay in the app.
 * Mentions of the reader stand out; ~channel links lead to the channel; :emoji: shows the system
 * character or the custom emoji's image.
 *
 * What mentions and channel links resolve against (the people, the team's channels) comes from a
 * MarkdownScope around a list of messages, read once for the whole list.
 */
import type { Channel } from '@mattermost/types/channels';
import { createContext, Fragment, memo, useContext, useEffect, useMemo, type ReactNode } from 'react';
import { requestCustomEmoji } from '../../actions/custom-emoji';
import { myChannelByName } from '../../state/channels';
import { customEmojiImageUrl } from '../../state/custom-emoji';
import { currentTeam, currentUser } from '../../state/selectors';
import { useAppState } from '../../state/store';
import { Link } from '../Link';
import { systemEmoji } from './emoji';
import { isSameSite, parseMarkdown, resolveMention, SPECIAL_MENTIONS, type MdNode } from './parse';

interface Scope {
  /** The reader's username (lower case): their mentions stand out. */
  me: string;
  usernames: ReadonlySet<string>;
  teamName: string;
  channelByName: (name: string) => Channel | undefined;
}

const ScopeContext = createContext<Scope>({ me: '', usernames: new Set(), teamName: '', channelByName: () => undefined });

/** Usernames of the known profiles, computed once per profiles object. */
const usernameSets = new WeakMap<object, ReadonlySet<string>>();
function usernamesOf(profiles: Record<string, { username: string }>): ReadonlySet<string> {
  let set = usernameSets.get(profiles);
  if (!set) {
    set = new Set(Object.values(profiles).map((p) => p.username.toLowerCase()));
    usernameSets.set(profiles, set);
  }
  return set;
}

/** Provides what the messages inside resolve mentions and channel links against. */
export function MarkdownScope({ children }: { children: ReactNode }) {
  const me = useAppState(currentUser)?.username.toLowerCase() ?? '';
  const profiles = useAppState((s) => s.users.profiles);
  const team = useAppState(currentTeam);
  const channels = useAppState((s) => s.channels);
  const scope = useMemo<Scope>(
    () => ({
      me,
      usernames: usernamesOf(profiles),
      teamName: team?.name ?? '',
      channelByName: (name) => (team ? myChannelByName(channels, team.id, name.toLowerCase()) : undefined),
    }),
    [me, profiles, team, channels],
  );
  return <ScopeContext.Provider value={scope}>{children}</ScopeContext.Provider>;
}

/** A message's text, formatted. */
export const Markdown = memo(function Markdown({ text }: { text: string }) {
  const nodes = useMemo(() => parseMarkdown(text), [text]);
  const scope = useContext(ScopeContext);
  return <div className="markdown">{renderAll(nodes, scope)}</div>;
});

function renderAll(nodes: MdNode[], scope: Scope): ReactNode[] {
  return nodes.map((node, i) => <Fragment key={i}>{render(node, scope)}</Fragment>);
}

function render(node: MdNode, scope: Scope): ReactNode {
  switch (node.type) {
    case 'text':
      return node.text;
    case 'softbreak':
    case 'linebreak':
      return <br />;
    case 'thematic_break':
      return <hr />;
    case 'paragraph':
      return <p>{renderAll(node.children, scope)}</p>;
    case 'emph':
      return <em>{renderAll(node.children, scope)}</em>;
    case 'strong':
      return <strong>{renderAll(node.children, scope)}</strong>;
    case 'block_quote':
      return <blockquote>{renderAll(node.children, scope)}</blockquote>;
    case 'item':
      return <li>{renderAll(node.children, scope)}</li>;
    case 'heading': {
      const Heading = `h${node.level}` as 'h1';
      return <Heading className="md-heading">{renderAll(node.children, scope)}</Heading>;
    }
    case 'list':
      return node.ordered ? <ol start={node.start}>{renderAll(node.children, scope)}</ol> : <ul>{renderAll(node.children, scope)}</ul>;
    case 'code':
      return <code className="md-code">{node.text}</code>;
    case 'code_block':
      return (
        <pre className="md-code-block" data-language={node.language || undefined}>
          <code className={node.language ? `language-${node.language}` : undefined}>{node.text}</code>
        </pre>
      );
    case 'link':
      return (
        <MessageLink href={node.href} title={node.title}>
          {renderAll(node.children, scope)}
        </MessageLink>
      );
    case 'image':
      // Only this site's images: the page's CSP (img-src 'self') refuses others, which show as links.
      if (node.src && isSameSite(node.src)) return <img className="md-image" src={node.src} alt={node.alt} title={node.title || undefined} loading="lazy" />;
      return (
        <MessageLink href={node.src} title={node.title}>
          {node.alt || node.src}
        </MessageLink>
      );
    case 'mention':
      return <Mention name={node.name} scope={scope} />;
    case 'channel_link': {
      const channel = scope.channelByName(node.name);
      if (!channel || !scope.teamName) return `~${node.name}`;
      return (
        <Link className="channel-link" to={{ screen: 'channel', team: scope.teamName, channel: channel.name }}>
          ~{channel.display_name || channel.name}
        </Link>
      );
    }
    case 'emoji':
      return <Emoji name={node.name} literal={node.literal} />;
    case 'hashtag':
      return <span className="hashtag">#{node.tag}</span>;
    case 'table':
      return <Table rows={node.children} scope={scope} />;
    case 'table_row':
    case 'table_cell':
      // Only inside a table (Table draws them).
      return renderAll(node.children, scope);
  }
}

function MessageLink({ href, title, children }: { href: string; title: string; children: ReactNode }) {
  if (!href) return <span>{children}</span>;
  if (isSameSite(href)) {
    return (
      <Link to={href} title={title || undefined}>
        {children}
      </Link>
    );
  }
  return (
    <a href={href} title={title || undefined} target="_blank" rel="noopener noreferrer">
      {children}
    </a>
  );
}

function Mention({ name, scope }: { name: string; scope: Scope }) {
  const lower = name.toLowerCase();
  const special = [...SPECIAL_MENTIONS].find((m) => lower === m || (lower.startsWith(m) && /^[._-]+$/.test(lower.slice(m.length))));
  const found = special ? { username: special, rest: name.slice(special.length) } : resolveMention(name, (u) => scope.usernames.has(u));
  if (!found) return `@${name}`;
  const mine = !!special || found.username === scope.me;
  return (
    <>
      <span className={mine ? 'mention mention-me' : 'mention'} data-mention={found.username}>
        @{found.username}
      </span>
      {found.rest}
    </>
  );
}

/** A system emoji's character, a custom emoji's image (looked up once by name), or the text as typed. */
export function Emoji({ name, literal }: { name: string; literal?: string }) {
  const system = systemEmoji(name);
  const custom = useAppState((s) => (system ? undefined : s.customEmoji.byName[name]));
  useEffect(() => {
    if (!system && custom === undefined) requestCustomEmoji(name);
  }, [name, system, custom]);
  const label = `:${name}:`;
  if (system) {
    return (
      <span className="emoji" role="img" aria-label={label} title={label}>
        {system}
      </span>
    );
  }
  if (custom) return <img className="emoji emoji-custom" src={customEmojiImageUrl(custom.id)} alt={label} title={label} />;
  return <>{literal ?? label}</>;
}

function Table({ rows, scope }: { rows: MdNode[]; scope: Scope }) {
  const head = rows.filter((r) => r.type === 'table_row' && r.heading);
  const body = rows.filter((r) => r.type === 'table_row' && !r.heading);
  const row = (r: MdNode, i: number) =>
    r.type === 'table_row' ? (
      <tr key={i}>
        {r.children.map((cell, j) => {
          if (cell.type !== 'table_cell') return null;
          const Cell = cell.heading ? 'th' : 'td';
          return (
            <Cell key={j} className={cell.align ? `align-${cell.align}` : undefined}>
              {renderAll(cell.children, scope)}
            </Cell>
          );
        })}
      </tr>
    ) : null;
  return (
    <div className="md-table">
      <table>
        {head.length > 0 && <thead>{head.map(row)}</thead>}
        <tbody>{body.map(row)}</tbody>
      </table>
    </div>
  );
}
