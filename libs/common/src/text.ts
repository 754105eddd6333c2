// With the `u` flag a surrogate pair is one code point outside this range; only a lone half matches.
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

/** True when `text` holds a NUL or an unpaired surrogate (what PostgreSQL cannot store). */
export function isUnstorableText(text: string): boolean {
  return text.includes('\u0000') || LONE_SURROGATE.test(text);
}

/** Length in Unicode code points, as Mattermost's limits count runes (an emoji is one, not two). */
export function runeCount(text: string): number {
  let count = 0;
  for (const _ of text) count++;
  return count;
}
