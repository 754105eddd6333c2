import { PDFDocument, StandardFonts } from 'pdf-lib';
import { describe, expect, it } from 'vitest';
import { pdfText } from './pdf-text.js';

async function pdf(pages: string[][]): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  for (const lines of pages) {
    const page = doc.addPage();
    lines.forEach((line, i) => page.drawText(line, { x: 50, y: 700 - 20 * i, font, size: 12 }));
  }
  return doc.save();
}

const LIMITS = { maxPages: 100, maxChars: 1 << 20 };

describe('pdfText', () => {
  it('reads the text of every page, runs apart, lines apart', async () => {
    const text = await pdfText(await pdf([['Quarterly revenue', 'second line'], ['Page two']]), LIMITS);
    expect(text.split(/\s+/).filter(Boolean)).toEqual(['Quarterly', 'revenue', 'second', 'line', 'Page', 'two']);
    expect(text).toMatch(/revenue\s*\n\s*second/);
  });

  it('stops after maxPages pages and maxChars characters', async () => {
    const doc = await pdf([['first page'], ['second page'], ['third page']]);
    expect(await pdfText(doc.slice(), { maxPages: 2, maxChars: 1000 })).not.toContain('third');
    expect((await pdfText(doc.slice(), { maxPages: 100, maxChars: 8 })).length).toBe(8);
  });

  it('rejects what is not a PDF, or a broken one', async () => {
    await expect(pdfText(new Uint8Array(Buffer.from('%PDF-1.7\n garbage')), LIMITS)).rejects.toThrow(/Invalid PDF/);
    await expect(pdfText(new Uint8Array(Buffer.from('just text')), LIMITS)).rejects.toThrow();
    const whole = await pdf([['cut short']]);
    await expect(pdfText(whole.slice(0, 200), LIMITS)).rejects.toThrow();
  });
});
