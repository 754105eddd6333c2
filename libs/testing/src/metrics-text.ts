/** Reading Prometheus' text format in tests: the value of a family's samples. */

/**
 * The value of the sample lines `name{labels} value` whose labels include `labels`, summed over the
 * lines that match; NaN when none does (the family has no such sample).
 */
export function metricSample(text: string, name: string, labels: Record<string, string> = {}): number {
  let total = 0;
  let found = false;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name) || line.startsWith('#')) continue;
    const rest = line.slice(name.length);
    if (rest[0] !== '{' && rest[0] !== ' ') continue;
    if (!Object.entries(labels).every(([k, v]) => rest.includes(`${k}="${v}"`))) continue;
    total += Number(rest.slice(rest.lastIndexOf(' ') + 1));
    found = true;
  }
  return found ? total : NaN;
}
