/**
 * What @mattermost/commonmark needs of the `entities` package — decodeHTMLStrict, always called
 * with one whole entity such as `&amp;`, `&#x1F600;` or `&hearts;` — without its 2,000-entry
 * table (some 30 KB gzipped; vite.config.ts puts this module in its place). Numeric references
 * are decoded here as the HTML standard says; named ones by the browser's own HTML parser, given
 * only the entity (it matched commonmark's entity pattern, so it holds no markup), with the
 * common names known here first.
 */
const NAMED: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: '\u00a0',
  copy: '©',
  reg: '®',
  hellip: '…',
  mdash: '—',
  ndash: '–',
};

/** Code points the HTML standard maps to others in numeric references (the Windows-1252 range). */
const C1: Record<number, number> = {
  0x80: 0x20ac,
  0x82: 0x201a,
  0x83: 0x0192,
  0x84: 0x201e,
  0x85: 0x2026,
  0x86: 0x2020,
  0x87: 0x2021,
  0x88: 0x02c6,
  0x89: 0x2030,
  0x8a: 0x0160,
  0x8b: 0x2039,
  0x8c: 0x0152,
  0x8e: 0x017d,
  0x91: 0x2018,
  0x92: 0x2019,
  0x93: 0x201c,
  0x94: 0x201d,
  0x95: 0x2022,
  0x96: 0x2013,
  0x97: 0x2014,
  0x98: 0x02dc,
  0x99: 0x2122,
  0x9a: 0x0161,
  0x9b: 0x203a,
  0x9c: 0x0153,
  0x9e: 0x017e,
  0x9f: 0x0178,
};

/** A numeric character reference's character: U+FFFD for zero, surrogates and beyond Unicode. */
export function decodeCodePoint(cp: number): string {
  if (cp === 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff) || !Number.isFinite(cp)) return '\ufffd';
  return String.fromCodePoint(C1[cp] ?? cp);
}

let parser: DOMParser | undefined;

function decodeNamed(entity: string): string {
  const name = entity.slice(1, -1);
  if (Object.hasOwn(NAMED, name)) return NAMED[name]!;
  if (typeof DOMParser === 'undefined' || !/^&[a-z][a-z0-9]*;$/i.test(entity)) return entity;
  parser ??= new DOMParser();
  // An unknown name stays as typed, as in decodeHTMLStrict.
  return parser.parseFromString(entity, 'text/html').documentElement.textContent ?? entity;
}

/** `&…;` → its character; anything else is returned as it is. */
export function decodeHTMLStrict(entity: string): string {
  const numeric = /^&#(x[0-9a-f]+|[0-9]+);$/i.exec(entity);
  if (numeric) {
    const digits = numeric[1]!;
    return decodeCodePoint(digits[0] === 'x' || digits[0] === 'X' ? parseInt(digits.slice(1), 16) : parseInt(digits, 10));
  }
  return decodeNamed(entity);
}
