/**
 * Message text as load-test-ng generates it: a uniform word count around 35 words for posts and 24
 * for replies, some posts with a mention, a link or a permalink. Words come from a fixed list of
 * common English words, so post search terms (picked from the same list) find something.
 */
import type { Rand } from '#testing';

export const WORDS = (
  'able about above across act add after again against age ago agree air all almost alone along already also always among amount ' +
  'animal answer any appear apply area argue arm around art ask attack away back bad bag ball bank base beat become bed before begin ' +
  'behind believe best better between big bill bit black blood blue board body book born both box boy break bring brother budget build ' +
  'business buy call camera campaign card care carry case catch cause cell center chair chance change charge check child choice city ' +
  'class clear close coach cold collection color come common community company compare computer concern condition consider contain ' +
  'control cost could country couple course court cover create crime cultural cup current customer cut dark data daughter day dead deal ' +
  'debate decade decide deep defense degree describe design detail develop die difference dinner direction discover discuss disease ' +
  'doctor dog door down draw dream drive drop during early east easy economy edge effect effort eight either election else employee end ' +
  'energy enjoy enough enter entire environment evening event every evidence exactly example executive exist expect experience expert ' +
  'explain eye face fact factor fail fall family far fast father fear federal feel few field fight figure fill film final find fine ' +
  'finger finish fire firm first fish five floor fly focus follow food foot force foreign forget form forward four free friend front ' +
  'full fund future game garden gas general generation girl give glass goal good great green ground group grow growth guess gun guy ' +
  'hair half hand hang happen happy hard have head health hear heart heat heavy help here high history hold home hope hospital hot hotel ' +
  'hour house huge human hundred husband idea identify image imagine impact important improve include increase indeed indicate ' +
  'industry information inside instead interest interview investment issue item itself join just keep key kid kill kind kitchen know ' +
  'land language large last late later laugh lawyer lay lead leader learn least leave left leg legal less letter level light like likely ' +
  'line list listen little live local long look lose loss love low machine magazine main maintain major manage manager market marriage ' +
  'material matter maybe measure media medical meet meeting member memory mention message method middle might military million mind ' +
  'minute miss mission model modern moment money month morning most mother mouth move movie music myself name nation nature near ' +
  'need network never news newspaper next nice night none north note nothing notice number occur offer office officer official often ' +
  'oil once only open operation option order organization other outside owner page pain painting paper parent part partner party pass ' +
  'past patient pattern pay peace people perform perhaps period person phone physical pick picture piece place plan plant play player ' +
  'point police policy political poor popular population position positive possible power practice prepare present president ' +
  'pressure pretty prevent price private probably problem process produce product production professional program project property ' +
  'protect prove provide public pull purpose push quality question quickly quite race radio raise range rate rather reach read ready ' +
  'real reality realize reason receive recent recognize record reduce reflect region relate release remain remember remove report ' +
  'represent require research resource respond response rest result return reveal rich right rise risk road rock role room rule run ' +
  'safe same save scene school science score sea season seat second section security seek sell send senior sense series serious serve ' +
  'service set seven several shake share shoot short shot should shoulder show side sign significant similar simple since sing single ' +
  'sister site situation six size skill skin small smile social society soldier some song soon sort sound source south space speak ' +
  'special specific speech spend sport spring staff stage stand standard star start state statement station stay step still stock stop ' +
  'store story strategy street strong structure student study stuff style subject success suddenly suffer suggest summer support sure ' +
  'surface system table take talk task teach teacher team technology television tell tend term test thank theory thing think third ' +
  'thought thousand threat three through throw today together tonight total tough toward town trade traditional training travel treat ' +
  'treatment tree trial trip trouble true truth try turn type under understand unit until upon usually value various very victim view ' +
  'visit voice vote wait walk wall want watch water weapon wear week weight well west western whatever where whether while white whole ' +
  'wide wife will win wind window wish within without woman wonder word work worker world worry write writer wrong yard yeah year young'
).split(' ');

/** A uniform word count in [1, 2·avg − 1), as load-test-ng's genMessage (mean ≈ avg). */
export function pickWordCount(avgWords: number, rand: Rand = Math.random): number {
  const min = 1;
  return min + Math.floor(rand() * (avgWords * 2 - min * 2));
}

export function randomWord(rand: Rand = Math.random): string {
  return WORDS[Math.floor(rand() * WORDS.length)];
}

/** `count` words as sentences of 4–12 words, each capitalised and ended with a full stop. */
export function randomSentences(count: number, rand: Rand = Math.random): string {
  const out: string[] = [];
  let left = count;
  while (left > 0) {
    const n = Math.min(left, 4 + Math.floor(rand() * 9));
    const words = Array.from({ length: n }, () => randomWord(rand));
    words[0] = words[0][0].toUpperCase() + words[0].slice(1);
    out.push(`${words.join(' ')}.`);
    left -= n;
  }
  return out.join(' ');
}

export interface MessageParts {
  isReply: boolean;
  /** Username to mention, when this message mentions someone. */
  mention?: string;
  /** A link (10 % of messages in load-test-ng). */
  link?: boolean;
  /** A permalink URL to another post (1 %). */
  permalink?: string;
}

export function composeMessage(parts: MessageParts, avgWords: { post: number; reply: number }, rand: Rand = Math.random): string {
  let message = '';
  if (parts.mention) message += `@${parts.mention} `;
  if (parts.link) message += `https://example.com/${randomWord(rand)}/${randomWord(rand)} `;
  if (parts.permalink) message += ` ${parts.permalink} `;
  return message + randomSentences(pickWordCount(parts.isReply ? avgWords.reply : avgWords.post, rand), rand);
}

export function permalinkUrl(siteUrl: string, teamName: string, postId: string): string {
  return `${siteUrl.replace(/\/$/, '')}/${teamName}/pl/${postId}`;
}

/** The post id of the first permalink in a message (load-test-ng's getPermalinkPostIDFromMessage). */
export function permalinkPostId(message: string): string | undefined {
  const i = message.indexOf('/pl/');
  if (i === -1) return undefined;
  const id = message.slice(i + 4, i + 30);
  return /^[a-z0-9]{26}$/.test(id) ? id : undefined;
}

/** The first @mention's username (load-test-ng's extractMentionFromMessage). */
export function mentionedUsername(message: string): string | undefined {
  const m = /@([a-z0-9_.-]+)/.exec(message);
  return m?.[1];
}

/**
 * A posts search as a user types it (load-test-ng's searchPosts): 1–4 words, and with 20 %
 * chance each a from:, an in:, a date filter, an excluded word, or a quoted phrase.
 */
export function postSearchTerms(opts: { from?: string; in?: string }, rand: Rand = Math.random): string {
  const words = Array.from({ length: 1 + Math.floor(rand() * 4) }, () => randomWord(rand));
  const parts: string[] = [];
  if (rand() < 0.2) parts.push(`"${words.join(' ')}"`);
  else parts.push(...words);
  if (opts.from) parts.push(`from:${opts.from}`);
  if (opts.in) parts.push(`in:${opts.in}`);
  if (rand() < 0.2) {
    const day = new Date(Date.now() - Math.floor(rand() * 7) * 86_400_000).toISOString().slice(0, 10);
    parts.push(`${['on', 'before', 'after'][Math.floor(rand() * 3)]}:${day}`);
  }
  if (rand() < 0.2) parts.push(`-${randomWord(rand)}`);
  return parts.join(' ');
}
