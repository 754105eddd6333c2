import { createInterface } from 'node:readline';
import { PassThrough, Readable } from 'node:stream';
import yauzl from 'yauzl';
import type { FileStore } from '#storage';

/**
 * An import archive read in place with yauzl: from the file store by byte ranges (a local folder or
 * an S3 bucket alike) or from a local file (the CLI's). Only the central directory's entry list is
 * held (names, sizes, offsets); every entry's bytes are streamed when asked for, so neither the
 * archive nor its import.jsonl is ever in memory.
 */
export class ZipSource {
  private constructor(
    private readonly zip: yauzl.ZipFile,
    private readonly entries: Map<string, yauzl.Entry>,
  ) {}

  static async fromStore(store: FileStore, path: string, size: number): Promise<ZipSource> {
    return ZipSource.read(await yauzl.fromRandomAccessReaderPromise(new StoreRangeReader(store, path), size, { autoClose: false, lazyEntries: true }));
  }

  static async fromLocalFile(path: string): Promise<ZipSource> {
    return ZipSource.read(await yauzl.openPromise(path, { autoClose: false, lazyEntries: true }));
  }

  private static async read(zip: yauzl.ZipFile): Promise<ZipSource> {
    const entries = new Map<string, yauzl.Entry>();
    try {
      for await (const entry of zip.eachEntry()) {
        if (!entry.fileName.endsWith('/')) entries.set(entry.fileName, entry);
      }
    } catch (err) {
      zip.close();
      throw err;
    }
    return new ZipSource(zip, entries);
  }

  /** Mattermost's IsRootJsonlFile: the first entry at the archive's root whose name ends in ".jsonl". */
  rootJsonl(): string | undefined {
    for (const name of this.entries.keys()) if (!name.includes('/') && name.endsWith('.jsonl')) return name;
    return undefined;
  }

  has(name: string): boolean {
    return this.entries.has(name);
  }

  size(name: string): number {
    return this.entries.get(name)?.uncompressedSize ?? 0;
  }

  /** One entry's bytes as a stream (inflated; its size and CRC checked by yauzl as it ends). */
  async open(name: string): Promise<Readable> {
    const entry = this.entries.get(name);
    if (!entry) throw new Error(`no entry ${name} in the archive`);
    return this.zip.openReadStreamPromise(entry);
  }

  /** An entry's lines, one at a time, numbered from 1 (a last line without "\n" counts; "\r\n" ends a line too). */
  async *lines(name: string): AsyncGenerator<{ text: string; number: number }> {
    const stream = await this.open(name);
    const reader = createInterface({ input: stream, crlfDelay: Infinity });
    let number = 0;
    try {
      for await (const text of reader) yield { text, number: ++number };
    } finally {
      reader.close();
      stream.destroy();
    }
  }

  close(): void {
    this.zip.close();
  }
}

/**
 * yauzl's random access over the file store: each range it wants is one ranged read of the store
 * (yauzl's `end` is exclusive, the store's inclusive).
 */
class StoreRangeReader extends yauzl.RandomAccessReader {
  constructor(
    private readonly store: FileStore,
    private readonly path: string,
  ) {
    super();
  }

  _readStreamForRange(start: number, end: number): Readable {
    const out = new PassThrough();
    if (end <= start) {
      out.end();
      return out;
    }
    this.store.openReader(this.path, { start, end: end - 1 }).then(
      (source) => {
        source.on('error', (err) => out.destroy(err));
        source.pipe(out);
      },
      (err: Error) => out.destroy(err),
    );
    return out;
  }
}
