/**
 * What @mattermost/commonmark needs of XRegExp, on the browser's own RegExp: `XRegExp.cache`
 * with Unicode letter classes (`\pL`, `\p{L}`, `\p{Nd}`), which native regular expressions have
 * with the `u` flag. The bundle takes this module for `xregexp` (vite.config.ts): the full
 * library and the core-js polyfills it brings weigh some 100 KB gzipped, a third of the budget.
 * xregexp-lite.spec.ts checks it matches as XRegExp does.
 */
const compiled = new Map<string, RegExp>();

/** Characters that keep their backslash under the `u` flag (the others are plain characters escaped for nothing). */
const SYNTAX = new Set([...'^$\\.*+?()[]{}|/']);
const CLASS_ESCAPE = /[dDwWsSpP]/;

/**
 * A pattern in XRegExp's (non-`u`) syntax rewritten for a native `u` regular expression with the
 * same meaning: `\pL` becomes `\p{L}`; escapes of characters that need none (`\"`, `\_`) lose the
 * backslash, which `u` refuses; a `-` next to a class escape inside brackets (`[\d-.]`, a dash
 * there without `u`) is escaped, since `u` reads it as a broken range.
 */
export function toNativeSource(source: string): string {
  let out = '';
  let inClass = false;
  let afterClassEscape = false;
  for (let i = 0; i < source.length; i++) {
    const c = source[i]!;
    if (c === '\\') {
      const n = source[i + 1] ?? '';
      i++;
      if ((n === 'p' || n === 'P') && /[A-Za-z]/.test(source[i + 1] ?? '')) {
        out += `\\${n}{${source[i + 1]}}`;
        i++;
        afterClassEscape = true;
      } else if ((n === 'p' || n === 'P') && source[i + 1] === '{') {
        const end = source.indexOf('}', i);
        out += `\\${source.slice(i, end + 1)}`;
        i = end;
        afterClassEscape = true;
      } else if (/[A-Za-z0-9]/.test(n) || SYNTAX.has(n) || (inClass && n === '-')) {
        out += `\\${n}`;
        afterClassEscape = CLASS_ESCAPE.test(n);
      } else {
        out += n;
        afterClassEscape = false;
      }
      continue;
    }
    if (inClass && c === '-' && (afterClassEscape || (source[i + 1] === '\\' && CLASS_ESCAPE.test(source[i + 2] ?? '')))) {
      out += '\\-';
    } else if (c === '[' && !inClass) {
      inClass = true;
      out += c;
      if (source[i + 1] === '^') out += source[++i];
    } else {
      if (c === ']' && inClass) inClass = false;
      out += c;
    }
    afterClassEscape = false;
  }
  return out;
}

function cache(source: string, flags = ''): RegExp {
  const key = `${flags}/${source}`;
  let re = compiled.get(key);
  if (!re) {
    re = new RegExp(toNativeSource(source), flags.includes('u') ? flags : `${flags}u`);
    compiled.set(key, re);
  }
  // XRegExp.cache hands out one object per pattern too; commonmark only calls exec on it (no /g state).
  return re;
}

const XRegExp = { cache };
export default XRegExp;
