import { describe, expect, it } from 'vitest';
import { replaceSection } from './report.js';
import { initialFiles, loadTimes, renderWebMarkdown, renderWebTable, sizeOf, WEB_SECTION, type WebResults } from './web-report.js';

const results = (renderedPosts = 60): WebResults => ({
  date: '2026-12-05 00:00 UTC',
  command: 'npm run bench:web',
  machine: { nproc: 2, cpuModel: 'Test CPU', totalRamGiB: 4, node: 'v20', postgres: '15', loadAverage1m: 0 },
  chromium: '140.0',
  loadAveragesBefore: [1, 2, 3],
  loadAverageAfter1m: 1.5,
  firstChannelPosts: 80,
  firstChannelPath: '/bench/channels/town-square',
  bundle: {
    initialJs: [{ file: 'index-a.js', rawBytes: 350 * 1024, gzipBytes: 98 * 1024 }],
    initialCss: [{ file: 'index-b.css', rawBytes: 8 * 1024, gzipBytes: 2 * 1024 }],
    lazyJs: [{ file: 'ConsoleLayout-c.js', rawBytes: 19 * 1024, gzipBytes: 5 * 1024 }],
  },
  cold: loadTimes([300, 250, 400, 280, 260, 310, 290, 270, 500, 265]),
  warm: loadTimes([120, 110, 130, 100, 115, 125, 105, 140, 118, 112]),
  memory: {
    seededPosts: 2000,
    postsOnOpen: 60,
    renderedPosts,
    scrollSec: 5.2,
    before: { jsHeapUsedBytes: 4 * 2 ** 20, jsHeapTotalBytes: 6 * 2 ** 20, domNodes: 900 },
    after: { jsHeapUsedBytes: 5 * 2 ** 20, jsHeapTotalBytes: 7 * 2 ** 20, domNodes: 1000 },
  },
});

describe('bench:web report', () => {
  it('finds the initial files in index.html and follows static imports, not import()', () => {
    const html =
      '<script type="module" crossorigin src="/static/assets/index-a.js"></script>\n' +
      '<link rel="modulepreload" crossorigin href="/static/assets/vendor-v.js">\n' +
      '<link rel="stylesheet" crossorigin href="/static/assets/index-b.css">';
    const chunks: Record<string, string> = {
      'index-a.js': 'import{a as b}from"./shared-s.js";import"./side-effect.js";const L=()=>import("./ConsoleLayout-c.js");',
      'vendor-v.js': 'export const v=1;',
      'shared-s.js': 'import{x}from"./deep-d.js";export const a=x;',
      'side-effect.js': '',
      'deep-d.js': 'export const x=1;',
    };
    expect(initialFiles(html, (f) => chunks[f] ?? '')).toEqual({
      js: ['deep-d.js', 'index-a.js', 'shared-s.js', 'side-effect.js', 'vendor-v.js'],
      css: ['index-b.css'],
    });
  });

  it('sizes a file raw and gzipped', () => {
    const f = sizeOf('a.js', 'x'.repeat(10_000));
    expect(f.rawBytes).toBe(10_000);
    expect(f.gzipBytes).toBeGreaterThan(0);
    expect(f.gzipBytes).toBeLessThan(200);
  });

  it('writes the section: budget, p50s, bundle rows, memory, and says when the page held fewer messages than seeded', () => {
    const md = renderWebMarkdown(results());
    expect(md.startsWith(WEB_SECTION)).toBe(true);
    expect(md).toContain('**Within the budget** — initial JavaScript 98 KB gzipped (budget 300 KB)');
    expect(md).toContain('| Cold: a fresh browser context each time (empty cache) | **280 ms** | 250 ms – 500 ms |');
    expect(md).toContain('| Warm: reload in the same context (assets from the cache; index.html revalidated) | **115 ms** | 100 ms – 140 ms |');
    expect(md).toContain('| Lazy chunk ConsoleLayout-c.js | 19 KB | 5 KB |');
    expect(md).toContain('| Channel opened | 60 | 4 MiB | 6 MiB | 900 |');
    expect(md).toContain('| Scrolled to the top | 60 of 2000 | 5 MiB | 7 MiB | 1000 |');
    expect(md).toContain('Only 60 of the 2000 messages reached the page');
    expect(md).toContain('the machine was shared with other work');
    expect(renderWebMarkdown(results(2000))).not.toContain('Only ');
    // It replaces its own section of docs/benchmarks.md only.
    const doc = replaceSection('# Benchmarks\n\n## bench:files\n\nfiles\n', WEB_SECTION, md);
    expect(doc).toContain('## bench:files\n\nfiles');
    expect(doc).toContain(WEB_SECTION);
    expect(renderWebTable(results())).toContain('cold p50 280 ms');
  });
});
