import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';

export interface PdfLimits {
  /** Pages read at most; the rest of a longer document is not searched. */
  maxPages: number;
  /** Characters of text after which reading stops (the stored content is capped anyway). */
  maxChars: number;
}

/**
 * The text of a PDF with Mozilla's PDF.js (Mattermost's pdfExtractor uses a Go PDF reader): the
 * text runs of each page, a space between runs and a line break where PDF.js sees one. No fonts
 * are loaded, nothing is evaluated (isEvalSupported off), and reading stops after `maxPages`
 * pages or `maxChars` characters. A broken document rejects (InvalidPDFException and the like).
 * Run it in a worker (pdf-worker.ts): a hostile document can still be slow or large.
 */
export async function pdfText(data: Uint8Array, limits: PdfLimits): Promise<string> {
  const task = getDocument({ data, isEvalSupported: false, disableFontFace: true, useSystemFonts: false, verbosity: 0 });
  try {
    const pdf = await task.promise;
    const pages = Math.min(pdf.numPages, limits.maxPages);
    const parts: string[] = [];
    let length = 0;
    for (let n = 1; n <= pages && length < limits.maxChars; n++) {
      const page = await pdf.getPage(n);
      const content = await page.getTextContent();
      const text = content.items.map((item) => ('str' in item ? item.str + (item.hasEOL ? '\n' : ' ') : '')).join('');
      page.cleanup();
      parts.push(text);
      length += text.length;
    }
    return parts.join('\n').slice(0, limits.maxChars);
  } finally {
    await task.destroy();
  }
}
