import { isHashtag } from '../hashtags.js';

/**
 * Parses a post search box the way Mattermost does (model/search_params.go): plain words,
 * "quoted phrases", `-excluded` words, trailing `*` for prefix matches, `#hashtags`, and the flags
 * `from:`, `in:` / `channel:`, `before:`, `after:`, `on:`, `ext:` (each may be negated with a leading
 * `-`, and a flag whose value is empty takes the next word). `ext:` only applies to file search;
 * post search ignores it. Pure: names are resolved to ids by the caller.
 */

export interface SearchTerm {
  /** The word or phrase without quotes or the trailing `*`. */
  text: string;
  phrase: boolean;
  prefix: boolean;
}

export interface ParsedSearch {
  terms: SearchTerm[];
  excludedTerms: SearchTerm[];
  /** Hashtags including the `#`, as written (compare case-insensitively). */
  hashtags: string[];
  excludedHashtags: string[];
  fromUsers: string[];
  excludedUsers: string[];
  inChannels: string[];
  excludedChannels: string[];
  afterDate: string;
  beforeDate: string;
  onDate: string;
  excludedAfterDate: string;
  excludedBeforeDate: string;
  excludedOnDate: string;
  /** `ext:` values, lower case without a leading dot (file search only). */
  extensions: string[];
  excludedExtensions: string[];
}

const FLAGS = ['from', 'channel', 'in', 'before', 'after', 'on', 'ext'] as const;
type FlagName = (typeof FLAGS)[number];

// Leading punctuation goes except # and quotes; trailing except * and quotes.
const PUNCTUATION_START = /^[^\p{L}\p{N}\s#"]+/u;
const PUNCTUATION_END = /[^\p{L}\p{N}\s*"]+$/u;
const REPEATED_HASH = /^#{2,}/u;

/** Splits on whitespace, keeping "quoted sections" (and a `-` right before them) as one word. */
export function splitSearchWords(text: string): string[] {
  const words: string[] = [];
  let inQuote = false;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    if (text[i] !== '"') continue;
    if (inQuote) {
      words.push(text.slice(start, i + 1));
      inQuote = false;
      start = i + 1;
    } else {
      const quoteStart = i > 0 && text[i - 1] === '-' ? i - 1 : i;
      words.push(...fields(text.slice(start, quoteStart)));
      inQuote = true;
      start = quoteStart;
    }
  }
  words.push(...fields(text.slice(start)));
  return words;
}

function fields(text: string): string[] {
  return text.split(/\s+/u).filter(Boolean);
}

function flagOf(word: string): { name: FlagName; value: string; exclude: boolean } | undefined {
  const colon = word.indexOf(':');
  if (colon === -1) return undefined;
  const exclude = word.startsWith('-');
  const name = word.slice(exclude ? 1 : 0, colon).toLowerCase();
  const flag = FLAGS.find((f) => f === name);
  return flag ? { name: flag, value: word.slice(colon + 1), exclude } : undefined;
}

function toTerm(word: string): SearchTerm | undefined {
  if (word.length >= 2 && word.startsWith('"') && word.endsWith('"')) {
    const text = word.slice(1, -1).trim();
    return text ? { text, phrase: true, prefix: false } : undefined;
  }
  const cleaned = word.replace(/"/g, '');
  const prefix = cleaned.endsWith('*');
  const text = cleaned.replace(/\*+$/u, '');
  // A lone "*" (or only punctuation) searches for nothing.
  if (!/[\p{L}\p{N}]/u.test(text)) return undefined;
  return { text, phrase: false, prefix };
}

export function emptySearch(): ParsedSearch {
  return {
    terms: [],
    excludedTerms: [],
    hashtags: [],
    excludedHashtags: [],
    fromUsers: [],
    excludedUsers: [],
    inChannels: [],
    excludedChannels: [],
    afterDate: '',
    beforeDate: '',
    onDate: '',
    excludedAfterDate: '',
    excludedBeforeDate: '',
    excludedOnDate: '',
    extensions: [],
    excludedExtensions: [],
  };
}

/**
 * The most words a search may hold. Every word becomes a tsquery or a condition of the one
 * PostgreSQL query; 30,000 words nested too deep for PostgreSQL's stack (a 500), and a single
 * quoted phrase of many words does the same. Mattermost sets no number (its body limit only);
 * a search box never needs more than a sentence or two.
 */
export const MAX_SEARCH_WORDS = 100;

/** Words in the sense of the query built from them: runs of letters and digits, phrases included. */
export function countSearchWords(text: string, stopAfter = Number.MAX_SAFE_INTEGER): number {
  const word = /[\p{L}\p{N}]+/gu;
  let count = 0;
  while (count <= stopAfter && word.exec(text)) count++;
  return count;
}

export function parseSearchTerms(text: string): ParsedSearch {
  const parsed = emptySearch();
  const words = splitSearchWords(text);
  for (let i = 0; i < words.length; i++) {
    const word = words[i];
    const flag = flagOf(word);
    if (flag) {
      let value = flag.value;
      if (!value && i < words.length - 1) value = words[++i];
      if (value) {
        applyFlag(parsed, flag.name, value, flag.exclude);
        continue;
      }
    }
    const exclude = word.startsWith('-');
    const cleaned = word.replace(PUNCTUATION_START, '').replace(PUNCTUATION_END, '').replace(REPEATED_HASH, '#');
    if (!cleaned) continue;
    if (isHashtag(cleaned)) {
      (exclude ? parsed.excludedHashtags : parsed.hashtags).push(cleaned);
      continue;
    }
    const term = toTerm(cleaned);
    if (term) (exclude ? parsed.excludedTerms : parsed.terms).push(term);
  }
  return parsed;
}

function applyFlag(parsed: ParsedSearch, name: FlagName, value: string, exclude: boolean) {
  switch (name) {
    case 'from':
      (exclude ? parsed.excludedUsers : parsed.fromUsers).push(value.replace(/^@/, '').toLowerCase());
      break;
    case 'in':
    case 'channel':
      (exclude ? parsed.excludedChannels : parsed.inChannels).push(value.replace(/^~/, '').toLowerCase());
      break;
    case 'after':
      if (exclude) parsed.excludedAfterDate = value;
      else parsed.afterDate = value;
      break;
    case 'before':
      if (exclude) parsed.excludedBeforeDate = value;
      else parsed.beforeDate = value;
      break;
    case 'on':
      if (exclude) parsed.excludedOnDate = value;
      else parsed.onDate = value;
      break;
    case 'ext': {
      // The stored extension is lower case without its dot (fileExtension); "ext:.PDF" means the same.
      const extension = value.replace(/^\.+/, '').toLowerCase();
      if (extension) (exclude ? parsed.excludedExtensions : parsed.extensions).push(extension);
      break;
    }
  }
}

/** True when the search has nothing to look for and no filter to apply. */
export function isEmptySearch(p: ParsedSearch): boolean {
  return (
    p.terms.length + p.excludedTerms.length + p.hashtags.length + p.excludedHashtags.length === 0 &&
    p.fromUsers.length + p.excludedUsers.length + p.inChannels.length + p.excludedChannels.length === 0 &&
    !p.afterDate &&
    !p.beforeDate &&
    !p.onDate &&
    !p.excludedAfterDate &&
    !p.excludedBeforeDate &&
    !p.excludedOnDate
  );
}

// ---- dates ------------------------------------------------------------------------------------

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Midnight at the start of a `YYYY-MM-DD` day (1-digit month/day allowed, as Mattermost pads them)
 * in the searcher's zone, `timeZoneOffset` seconds east of UTC; undefined for a malformed date.
 */
export function startOfDay(date: string, timeZoneOffset: number): number | undefined {
  const match = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(date.trim());
  if (!match) return undefined;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const utc = Date.UTC(year, month - 1, day);
  const check = new Date(utc);
  if (check.getUTCFullYear() !== year || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day) return undefined;
  return utc - timeZoneOffset * 1000;
}

export interface TimeRange {
  /** Inclusive bounds on create_at; either may be absent. */
  from?: number;
  to?: number;
}

/**
 * The create_at windows a search keeps and excludes. As in Mattermost, `after:D` starts the day
 * after D, `before:D` ends the day before D, and `on:D` is the whole of D.
 */
export function searchTimeRanges(p: ParsedSearch, timeZoneOffset: number): { include: TimeRange; exclude: TimeRange[] } {
  const include: TimeRange = {};
  const exclude: TimeRange[] = [];
  const after = startOfDay(p.afterDate, timeZoneOffset);
  if (after !== undefined) include.from = after + DAY_MS;
  const before = startOfDay(p.beforeDate, timeZoneOffset);
  if (before !== undefined) include.to = before - 1;
  const on = startOfDay(p.onDate, timeZoneOffset);
  if (on !== undefined) {
    include.from = Math.max(include.from ?? on, on);
    include.to = Math.min(include.to ?? on + DAY_MS - 1, on + DAY_MS - 1);
  }
  const exAfter = startOfDay(p.excludedAfterDate, timeZoneOffset);
  if (exAfter !== undefined) exclude.push({ from: exAfter + DAY_MS });
  const exBefore = startOfDay(p.excludedBeforeDate, timeZoneOffset);
  if (exBefore !== undefined) exclude.push({ to: exBefore - 1 });
  const exOn = startOfDay(p.excludedOnDate, timeZoneOffset);
  if (exOn !== undefined) exclude.push({ from: exOn, to: exOn + DAY_MS - 1 });
  return { include, exclude };
}
