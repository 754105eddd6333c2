/**
 * What the person is completing in a message box, and how a pick changes the text. Pure functions
 * (specs beside them); the composer reads the caret, asks `completionAt`, and applies a pick with
 * `applyCompletion`.
 *
 * As in Mattermost's web app: `@name` and `~channel` complete from their first character, `:emoji`
 * from the second (so that "a: b" and times like 10:30 do not open a list), and a message that
 * starts with `/` is a slash command completed as a whole line.
 */
export type CompletionKind = 'user' | 'channel' | 'emoji' | 'command';

export interface Completion {
  kind: CompletionKind;
  /** What is typed after the trigger character (for commands: the line so far, slash included). */
  term: string;
  /** Where the replaced text starts (the trigger character) and ends (the caret). */
  start: number;
  end: number;
}

const TRIGGERS: Record<string, { kind: CompletionKind; chars: RegExp; min: number }> = {
  '@': { kind: 'user', chars: /^[\p{L}\p{N}._-]*$/u, min: 0 },
  '~': { kind: 'channel', chars: /^[\p{L}\p{N}._-]*$/u, min: 0 },
  ':': { kind: 'emoji', chars: /^[a-z0-9_+-]*$/i, min: 2 },
};

/** The completion at the caret, or undefined when the caret is not in something completable. */
export function completionAt(text: string, caret: number): Completion | undefined {
  const before = text.slice(0, caret);
  if (before.startsWith('/') && !before.includes('\n')) return { kind: 'command', term: before, start: 0, end: caret };
  // The word the caret ends: back to the last whitespace.
  const wordStart = Math.max(before.lastIndexOf(' '), before.lastIndexOf('\n'), before.lastIndexOf('\t')) + 1;
  const word = before.slice(wordStart);
  const trigger = TRIGGERS[word.charAt(0)];
  if (!trigger) return undefined;
  const term = word.slice(1);
  if (term.length < trigger.min || !trigger.chars.test(term)) return undefined;
  // "::" or ":)" and the like are not emoji names being typed.
  if (trigger.kind === 'emoji' && term.endsWith(':')) return undefined;
  return { kind: trigger.kind, term, start: wordStart, end: caret };
}

/**
 * The text with the completion replaced by `replacement` (which carries its trigger and trailing
 * space, e.g. "@alice "), and the caret after it. What followed the caret stays.
 */
export function applyCompletion(text: string, completion: Completion, replacement: string): { text: string; caret: number } {
  const after = text.slice(completion.end);
  // One space between the pick and what follows, not two.
  const glue = replacement.endsWith(' ') && after.startsWith(' ') ? replacement.slice(0, -1) : replacement;
  return { text: text.slice(0, completion.start) + glue + after, caret: completion.start + glue.length };
}

/** Moves the highlighted row of a list by `delta`, wrapping around (-1 when the list is empty). */
export function moveActive(active: number, delta: number, count: number): number {
  if (count === 0) return -1;
  if (active < 0) return delta > 0 ? 0 : count - 1;
  return (((active + delta) % count) + count) % count;
}

/**
 * What a search box completes at the caret: `from:` a person and `in:` a channel (Mattermost's
 * search hints), completed as kind user / channel; the term is what follows the colon.
 */
export function searchCompletionAt(text: string, caret: number): Completion | undefined {
  const before = text.slice(0, caret);
  const wordStart = Math.max(before.lastIndexOf(' '), before.lastIndexOf('\t')) + 1;
  const match = /^(-?)(from|in):([\p{L}\p{N}._@~-]*)$/iu.exec(before.slice(wordStart));
  if (!match) return undefined;
  const kind = match[2]!.toLowerCase() === 'from' ? 'user' : 'channel';
  return { kind, term: match[3]!.replace(/^[@~]/, ''), start: wordStart, end: caret };
}
