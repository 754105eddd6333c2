/**
 * Checks on JSON that comes from outside (request bodies, stored props), made once before any
 * code walks or stores it:
 *
 * - depth: JSON.parse itself is iterative, but JSON.stringify, structuredClone, PostgreSQL's
 *   jsonb parser and any recursive walker are not; 40,000 nested arrays overflowed them (500).
 *   Mattermost's JSON decoder stops at 10,000 levels; nothing a Mattermost client sends is more
 *   than a dozen deep, so the cap here is far lower and leaves every consumer a safe margin.
 * - keys: `__proto__`, `constructor` and `prototype` are refused anywhere, so that no merge
 *   (Object.assign, a settings patch, a props update) can reach an object's prototype.
 * - text: PostgreSQL refuses U+0000 in text and jsonb, and an unpaired UTF-16 surrogate in jsonb
 *   (a JSON `\ud800` escape is valid JSON but not valid Unicode); either reached the database as
 *   a 500. They are refused in every string, keys included.
 */

import { isUnstorableText } from './text.js';

export const MAX_JSON_DEPTH = 64;

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

export type JsonInputProblem = { kind: 'depth'; path: string; limit: number } | { kind: 'key'; path: string; key: string } | { kind: 'text'; path: string };

/** A node still to visit: its value, depth, and how to name it if it is at fault. */
interface Pending {
  value: unknown;
  depth: number;
  parent: Pending | undefined;
  key: string | number | undefined;
}

/** `props.attachments[0].text`-style path of a node, for the error message. */
function pathOf(node: Pending | undefined, leaf?: string): string {
  const parts: string[] = leaf === undefined ? [] : [leaf];
  for (let n = node; n && n.key !== undefined; n = n.parent) parts.unshift(typeof n.key === 'number' ? `[${n.key}]` : n.key);
  return parts.join('.').replace(/\.\[/g, '[');
}

/**
 * The first problem found in a parsed JSON value, or undefined when it is fine. Iterative (an
 * explicit stack), so it is safe on input of any depth; it stops at the first problem.
 * `maxDepth` counts containers: `{}` is depth 1, `{"a":[]}` depth 2.
 */
export function findJsonInputProblem(root: unknown, maxDepth = MAX_JSON_DEPTH): JsonInputProblem | undefined {
  const stack: Pending[] = [{ value: root, depth: 0, parent: undefined, key: undefined }];
  while (stack.length > 0) {
    const node = stack.pop()!;
    const { value } = node;
    if (typeof value === 'string') {
      if (isUnstorableText(value)) return { kind: 'text', path: pathOf(node) };
      continue;
    }
    if (value === null || typeof value !== 'object') continue;
    const depth = node.depth + 1;
    if (depth > maxDepth) return { kind: 'depth', path: pathOf(node), limit: maxDepth };
    if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) stack.push({ value: value[i], depth, parent: node, key: i });
      continue;
    }
    for (const key of Object.keys(value)) {
      if (FORBIDDEN_KEYS.has(key)) return { kind: 'key', path: pathOf(node, key), key };
      if (isUnstorableText(key)) return { kind: 'text', path: pathOf(node) };
      stack.push({ value: (value as Record<string, unknown>)[key], depth, parent: node, key });
    }
  }
  return undefined;
}
