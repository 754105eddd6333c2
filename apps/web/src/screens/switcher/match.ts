import type { SidebarItem } from '../../state/channels';

/**
 * The quick switcher's list for what is typed: the user's channels whose name starts with it
 * (any word of it), then those containing it; in sidebar order within each group. An empty term
 * lists them all.
 */
export function switcherMatches(items: SidebarItem[], term: string, limit = 20): SidebarItem[] {
  const t = term
    .trim()
    .toLowerCase()
    .replace(/^[~@#]/, '');
  if (!t) return items.slice(0, limit);
  const starts: SidebarItem[] = [];
  const contains: SidebarItem[] = [];
  for (const item of items) {
    const label = item.label.toLowerCase();
    if (label.split(/[\s,_-]+/).some((w) => w.startsWith(t)) || label.startsWith(t)) starts.push(item);
    else if (label.includes(t)) contains.push(item);
  }
  return [...starts, ...contains].slice(0, limit);
}
