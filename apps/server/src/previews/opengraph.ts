import { Parser } from 'htmlparser2';

/** go-opengraph's Image and Video as Mattermost serialises them. */
export interface OpenGraphImage {
  url: string;
  secure_url: string;
  type: string;
  width: number;
  height: number;
}
export type OpenGraphVideo = OpenGraphImage;
export interface OpenGraphAudio {
  url: string;
  secure_url: string;
  type: string;
}

/**
 * go-opengraph's OpenGraph as POST /opengraph and `metadata.embeds[].data` carry it. Empty lists
 * are null, as Go encodes a nil slice.
 */
export interface OpenGraph {
  type: string;
  url: string;
  title: string;
  description: string;
  determiner: string;
  site_name: string;
  locale: string;
  locales_alternate: string[] | null;
  images: OpenGraphImage[] | null;
  audios: OpenGraphAudio[] | null;
  videos: OpenGraphVideo[] | null;
  /** Only when the page is of that og:type and has other meta tags after it (omitempty). */
  article?: OpenGraphArticle;
  book?: OpenGraphBook;
  profile?: OpenGraphProfile;
}

export interface OpenGraphProfile {
  first_name: string;
  last_name: string;
  username: string;
  gender: string;
}
export interface OpenGraphArticle {
  published_time: string | null;
  modified_time: string | null;
  expiration_time: string | null;
  section: string;
  tags: string[] | null;
  authors: OpenGraphProfile[] | null;
}
export interface OpenGraphBook {
  isbn: string;
  release_date: string | null;
  tags: string[] | null;
  authors: OpenGraphProfile[] | null;
}

export function emptyOpenGraph(): OpenGraph {
  return {
    type: '',
    url: '',
    title: '',
    description: '',
    determiner: '',
    site_name: '',
    locale: '',
    locales_alternate: null,
    images: null,
    audios: null,
    videos: null,
  };
}

/** ParseUint(…, 10, 64): digits only, else the field keeps 0. */
function dimension(value: string): number | undefined {
  return /^\d+$/.test(value) ? Number(value) : undefined;
}

const SIMPLE: Record<string, 'type' | 'url' | 'title' | 'description' | 'determiner' | 'site_name' | 'locale'> = {
  'og:type': 'type',
  'og:url': 'url',
  'og:title': 'title',
  'og:description': 'description',
  'og:determiner': 'determiner',
  'og:site_name': 'site_name',
  'og:locale': 'locale',
};

/** The og:type values seen so far (go-opengraph's isArticle, isBook, isProfile: set, never cleared). */
export type SeenKinds = Set<'article' | 'book' | 'profile'>;

/**
 * One meta tag into the graph, as go-opengraph's ProcessMeta reads it: `property` is the tag's
 * property attribute ('' when it has none). Tags it does not know go to the article, book or
 * profile part once og:type named one of those.
 */
export function applyMeta(og: OpenGraph, property: string, content: string, kinds: SeenKinds = new Set()): void {
  const simple = SIMPLE[property];
  if (simple) {
    og[simple] = content;
    if (simple === 'type' && (content === 'article' || content === 'book' || content === 'profile')) kinds.add(content);
    return;
  }
  if (property === 'og:locale:alternate') {
    (og.locales_alternate ??= []).push(content);
    return;
  }
  const [, kind, field] = /^og:(image|video|audio)(?::(url|secure_url|type|width|height))?$/.exec(property) ?? [];
  if (!kind) {
    applyTypedMeta(og, property, content, kinds);
    return;
  }
  const list = (kind === 'image' ? (og.images ??= []) : kind === 'video' ? (og.videos ??= []) : (og.audios ??= [])) as Array<Partial<OpenGraphImage>>;
  if (!field) {
    list.push(kind === 'audio' ? { url: content, secure_url: '', type: '' } : { url: content, secure_url: '', type: '', width: 0, height: 0 });
    return;
  }
  // A structured property describes the last image/video/audio; with none yet it is dropped.
  const last = list[list.length - 1];
  if (!last) return;
  if (field === 'width' || field === 'height') {
    if (kind === 'audio') return;
    const n = dimension(content);
    if (n !== undefined) last[field] = n;
  } else {
    last[field as 'url' | 'secure_url' | 'type'] = content;
  }
}

/** RFC 3339 times as Go's time.Parse takes them; others leave the field null. */
function rfc3339(value: string): string | undefined {
  return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(value) && !Number.isNaN(Date.parse(value)) ? value : undefined;
}

const emptyProfile = (): OpenGraphProfile => ({ first_name: '', last_name: '', username: '', gender: '' });
const PROFILE_FIELDS: Record<string, keyof OpenGraphProfile> = { first_name: 'first_name', last_name: 'last_name', username: 'username', gender: 'gender' };

/** An author field: the first author is made on demand and every author field goes to the last one. */
function setAuthor(holder: { authors: OpenGraphProfile[] | null }, field: string, content: string) {
  const key = PROFILE_FIELDS[field];
  if (!key) return;
  const authors = (holder.authors ??= []);
  if (authors.length === 0) authors.push(emptyProfile());
  authors[authors.length - 1][key] = content;
}

/** processArticleMeta, processBookMeta, processProfileMeta (the first kind seen wins, as there). */
function applyTypedMeta(og: OpenGraph, property: string, content: string, kinds: SeenKinds) {
  if (kinds.has('article')) {
    const a = (og.article ??= { published_time: null, modified_time: null, expiration_time: null, section: '', tags: null, authors: null });
    const time = /^article:(published_time|modified_time|expiration_time)$/.exec(property)?.[1] as
      'published_time' | 'modified_time' | 'expiration_time' | undefined;
    if (time) a[time] = rfc3339(content) ?? a[time];
    // go-opengraph spells the section property "article:secttion"; "article:section" is never read.
    else if (property === 'article:secttion') a.section = content;
    else if (property === 'article:tag') (a.tags ??= []).push(content);
    else if (property.startsWith('article:author:')) setAuthor(a, property.slice('article:author:'.length), content);
  } else if (kinds.has('book')) {
    const b = (og.book ??= { isbn: '', release_date: null, tags: null, authors: null });
    if (property === 'book:release_date') b.release_date = rfc3339(content) ?? b.release_date;
    else if (property === 'book:isbn') b.isbn = content;
    else if (property === 'book:tag') (b.tags ??= []).push(content);
    else if (property.startsWith('book:author:')) setAuthor(b, property.slice('book:author:'.length), content);
  } else if (kinds.has('profile')) {
    const p = (og.profile ??= emptyProfile());
    const key = property.startsWith('profile:') ? PROFILE_FIELDS[property.slice('profile:'.length)] : undefined;
    if (key) p[key] = content;
  }
}

/**
 * Reads OpenGraph tags from HTML as it arrives, as go-opengraph's ProcessHTML: meta tags only, up
 * to the first `<body>` (the tags live in the head), so a large page is never held in memory.
 */
export class OpenGraphReader {
  readonly og = emptyOpenGraph();
  private readonly kinds: SeenKinds = new Set();
  private finished = false;
  private readonly parser = new Parser(
    {
      onopentag: (name, attrs) => this.tag(name, attrs),
      onclosetag: (name) => {
        if (name === 'body') this.finished = true;
      },
    },
    { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true },
  );

  private tag(name: string, attrs: Record<string, string>) {
    if (this.finished) return;
    if (name === 'body') {
      this.finished = true;
      return;
    }
    if (name === 'meta' && Object.keys(attrs).length > 0) applyMeta(this.og, attrs.property ?? '', attrs.content ?? '', this.kinds);
  }

  /** Feeds more text; true once the head is over and nothing more is needed. */
  write(text: string): boolean {
    if (!this.finished) this.parser.write(text);
    return this.finished;
  }

  end(): OpenGraph {
    if (!this.finished) this.parser.end();
    this.finished = true;
    return this.og;
  }
}

export function parseOpenGraph(html: string): OpenGraph {
  const reader = new OpenGraphReader();
  reader.write(html);
  return reader.end();
}

/** parseLinkMetadata keeps a page's graph only if it names at least a title, a type or a URL. */
export function hasOpenGraph(og: OpenGraph): boolean {
  return og.title !== '' || og.type !== '' || og.url !== '';
}

/**
 * makeOpenGraphURLsAbsolute, then og:url becomes the link as posted (not where a redirect led).
 * The parser decodes entities in attribute values once; Mattermost's openGraphDecodeHTMLEntities
 * decodes title and description a second time, which this server does not (a page that writes
 * `&amp;amp;` shows `&amp;` here, `&` there).
 */
export function finishOpenGraph(og: OpenGraph, requestUrl: string): OpenGraph {
  const absolute = (value: string) => {
    if (value === '') return value;
    try {
      return new URL(value, requestUrl).toString();
    } catch {
      return value;
    }
  };
  og.url = og.url === '' ? '' : requestUrl;
  for (const media of [...(og.images ?? []), ...(og.videos ?? []), ...(og.audios ?? [])]) {
    media.url = absolute(media.url);
    media.secure_url = absolute(media.secure_url);
  }
  return og;
}

/** model.TruncateOpenGraph: at most 300 runes of text, five images, no locales, audio or video. */
export const LINK_METADATA_MAX_IMAGES = 5;

export function truncateOpenGraph(og: OpenGraph): OpenGraph {
  return {
    ...og,
    title: truncateText(og.title),
    description: truncateText(og.description),
    site_name: truncateText(og.site_name),
    determiner: '',
    locale: '',
    locales_alternate: null,
    images: og.images ? og.images.slice(0, LINK_METADATA_MAX_IMAGES) : null,
    audios: null,
    videos: null,
    article: undefined,
    book: undefined,
    profile: undefined,
  };
}

function truncateText(text: string): string {
  const runes = Array.from(text);
  return runes.length > 300 ? `${runes.slice(0, 300).join('')}[...]` : text;
}

/**
 * openGraphDataWithProxyAddedToImageURLs: with the image proxy on, each image is served through
 * it; its secure_url (or url) becomes the proxied address and url is emptied.
 */
export function withProxiedImages(og: OpenGraph, toProxy: (url: string) => string): OpenGraph {
  if (!og.images) return og;
  return { ...og, images: og.images.map((img) => ({ ...img, url: '', secure_url: toProxy(img.secure_url || img.url) })) };
}

/** The images a post's metadata should measure: secure_url before url, as getImagesForPost picks. */
export function openGraphImageUrls(og: OpenGraph): string[] {
  return (og.images ?? []).map((img) => img.secure_url || img.url).filter((u) => u !== '');
}
