import { describe, expect, it } from 'vitest';
import { replaceSection } from './report.js';

describe('replaceSection', () => {
  const section = '## bench:core\n\nnew figures\n';

  it('appends the section to a document without it', () => {
    expect(replaceSection('# Benchmarks\n\nintro\n', '## bench:core', section)).toBe('# Benchmarks\n\nintro\n\n## bench:core\n\nnew figures\n');
  });

  it('creates the document when it is empty', () => {
    expect(replaceSection('', '## bench:core', section)).toBe(section);
  });

  it('replaces only its own section, up to the next level-2 heading', () => {
    const doc = '# Benchmarks\n\n## bench:core\n\nold figures\n### detail\nold\n\n## bench:cluster\n\nkeep me\n';
    expect(replaceSection(doc, '## bench:core', section)).toBe('# Benchmarks\n\n## bench:core\n\nnew figures\n\n## bench:cluster\n\nkeep me\n');
  });

  it('replaces a trailing section and ignores headings that only start the same way', () => {
    const doc = '# Benchmarks\n\n## bench:core-notes\n\nkeep\n\n## bench:core\n\nold\n';
    expect(replaceSection(doc, '## bench:core', section)).toBe('# Benchmarks\n\n## bench:core-notes\n\nkeep\n\n## bench:core\n\nnew figures\n');
  });
});
