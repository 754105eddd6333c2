import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigService, defaultConfig } from '#config';
import { LocalFileStore } from '#storage';
import type { FileInfoRow } from '../file-info.model.js';
import { newFileInfo } from '../file-intake.service.js';
import type { FileInfosRepository } from '../file-infos.repository.js';
import { ContentExtractor, PdfReader } from './content-extractor.service.js';
import { pdfText } from './pdf-text.js';
import { MAX_CONTENT_BYTES } from './text-content.js';

let root: string;
let store: LocalFileStore;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'extract-'));
  store = new LocalFileStore(root);
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

function setup(opts: { readPdf?: PdfReader; failFor?: string } = {}) {
  const config = structuredClone(defaultConfig);
  const contents = new Map<string, string>();
  const repo = {
    async setContent(id: string, content: string) {
      if (id === opts.failFor) throw new Error('database is down');
      contents.set(id, content);
    },
  } as unknown as FileInfosRepository;
  const readPdf = opts.readPdf ?? ((data: Uint8Array) => pdfText(data, { maxPages: 10, maxChars: MAX_CONTENT_BYTES }));
  const extractor = new ContentExtractor(store, repo, { get: () => config } as unknown as ConfigService, readPdf);
  return { config, contents, extractor };
}

async function stored(name: string, data: string | Uint8Array): Promise<FileInfoRow> {
  const row = newFileInfo('useruseruseruseruseruserus', 'chanchanchanchanchanchanch', name);
  await store.writeFile(row.path, typeof data === 'string' ? data : Buffer.from(data));
  return row;
}

async function pdf(text: string): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  doc.addPage().drawText(text, { x: 50, y: 700, font, size: 12 });
  return doc.save();
}

describe('ContentExtractor', () => {
  it('stores the text of text files and PDFs, not of images or binary files', async () => {
    const { contents, extractor } = setup();
    const rows = [
      await stored('notes.txt', '  meeting notes \n'),
      await stored('main.rs', 'fn main() {}'),
      await stored('report.pdf', await pdf('Quarterly revenue')),
      await stored('photo.png', 'text in a file that claims to be an image'),
      await stored('data.bin', Buffer.from([0, 159, 146, 150]) as unknown as string),
      await stored('empty.txt', ''),
    ];
    extractor.enqueue(rows);
    await extractor.idle();
    expect(Object.fromEntries([...contents].map(([id, text]) => [rows.find((r) => r.id === id)!.name, text]))).toEqual({
      'notes.txt': 'meeting notes',
      'main.rs': 'fn main() {}',
      'report.pdf': 'Quarterly revenue',
    });
  });

  it('does nothing while FileSettings.ExtractContent is false', async () => {
    const { config, contents, extractor } = setup();
    config.FileSettings.ExtractContent = false;
    extractor.enqueue([await stored('notes.txt', 'words')]);
    await extractor.idle();
    expect(contents.size).toBe(0);
  });

  it('keeps at most 1 MB of a large text file', async () => {
    const { contents, extractor } = setup();
    const row = await stored('big.txt', 'é'.repeat(MAX_CONTENT_BYTES)); // 2 MB
    extractor.enqueue([row]);
    await extractor.idle();
    expect(contents.get(row.id)).toBe('é'.repeat(MAX_CONTENT_BYTES / 2));
  });

  it('a failing file is logged and the files after it are still extracted', async () => {
    const failing = await stored('failing.txt', 'stored nowhere');
    const { contents, extractor } = setup({ failFor: failing.id });
    const broken = await stored('broken.pdf', '%PDF-1.7 not really');
    const gone = newFileInfo('useruseruseruseruseruserus', 'chanchanchanchanchanchanch', 'deleted-from-the-store.txt');
    const after = await stored('after.txt', 'still read');
    extractor.enqueue([broken, failing, gone, after]);
    await extractor.idle();
    expect([...contents.keys()]).toEqual([after.id]);
  });

  it('reads one file at a time, in upload order, also across uploads', async () => {
    let running = 0;
    let most = 0;
    const order: string[] = [];
    const readPdf: PdfReader = async (data) => {
      running++;
      most = Math.max(most, running);
      await new Promise((r) => setTimeout(r, 20));
      running--;
      const text = await pdfText(data, { maxPages: 1, maxChars: 100 });
      order.push(text.trim());
      return text;
    };
    const { extractor } = setup({ readPdf });
    extractor.enqueue([await stored('1.pdf', await pdf('one')), await stored('2.pdf', await pdf('two'))]);
    extractor.enqueue([await stored('3.pdf', await pdf('three'))]);
    await extractor.idle();
    expect(order).toEqual(['one', 'two', 'three']);
    expect(most).toBe(1);
  });

  it('shutdown waits for the queue, then refuses new work', async () => {
    const { contents, extractor } = setup();
    const row = await stored('notes.txt', 'words');
    extractor.enqueue([row]);
    await extractor.onApplicationShutdown();
    expect(contents.has(row.id)).toBe(true);
    extractor.enqueue([await stored('late.txt', 'too late')]);
    await extractor.idle();
    expect(contents.size).toBe(1);
  });
});
