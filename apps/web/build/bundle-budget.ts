/**
 * The bundle budget (issue 13): the JavaScript a browser must load before the first screen — the
 * entry chunk and every chunk it imports statically, gzipped — stays under a limit, or the build
 * fails. Lazily loaded chunks (import()) are not counted: that is where big screens go.
 */
import { gzipSync } from 'node:zlib';
import type { Plugin } from 'vite';

/** The limit of the initial JavaScript, gzipped. */
export const INITIAL_JS_BUDGET_BYTES = 300 * 1024;

/** The parts of Rollup's/Rolldown's output bundle this reads. */
export type BundleFile = { type: 'chunk'; fileName: string; isEntry: boolean; imports: string[]; code: string } | { type: 'asset'; fileName: string };

export interface ChunkSize {
  fileName: string;
  gzipBytes: number;
}

/** The chunks loaded before the app starts: the entries and, transitively, their static imports. */
export function initialChunks(bundle: Record<string, BundleFile>): string[] {
  const seen = new Set<string>();
  const visit = (fileName: string) => {
    const file = bundle[fileName];
    if (!file || file.type !== 'chunk' || seen.has(fileName)) return;
    seen.add(fileName);
    file.imports.forEach(visit);
  };
  Object.values(bundle)
    .filter((f) => f.type === 'chunk' && f.isEntry)
    .forEach((f) => visit(f.fileName));
  return [...seen].sort();
}

/** The gzipped size of each initial chunk (level 9, about what a server would send). */
export function initialJsSizes(bundle: Record<string, BundleFile>): ChunkSize[] {
  return initialChunks(bundle).map((fileName) => {
    const file = bundle[fileName] as Extract<BundleFile, { type: 'chunk' }>;
    return { fileName, gzipBytes: gzipSync(file.code, { level: 9 }).length };
  });
}

/** What the build says about the budget: undefined when within it, else the failure message. */
export function checkBudget(sizes: ChunkSize[], budget = INITIAL_JS_BUDGET_BYTES): string | undefined {
  const total = sizes.reduce((sum, s) => sum + s.gzipBytes, 0);
  if (total <= budget) return undefined;
  const list = sizes.map((s) => `${s.fileName} ${kb(s.gzipBytes)}`).join(', ');
  return `initial JavaScript is ${kb(total)} gzipped, over the budget of ${kb(budget)} (${list}); load big screens with import()`;
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

/** The Vite plugin: reports the initial JavaScript's size and fails the build over the budget. */
export function bundleBudget(budget = INITIAL_JS_BUDGET_BYTES): Plugin {
  return {
    name: 'mmchat-bundle-budget',
    apply: 'build',
    generateBundle(_options, bundle) {
      const sizes = initialJsSizes(bundle as unknown as Record<string, BundleFile>);
      const failure = checkBudget(sizes, budget);
      if (failure) this.error(failure);
      const total = sizes.reduce((sum, s) => sum + s.gzipBytes, 0);
      this.info(`initial JavaScript ${kb(total)} gzipped (budget ${kb(budget)})`);
    },
  };
}
