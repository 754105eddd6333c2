import { crc32, createDeflateRaw, DeflateRaw } from 'node:zlib';

/** Where the archive's bytes go, in order. */
export interface ByteSink {
  write(chunk: Buffer): Promise<void>;
}

const LIMIT = 0xffffffff; // no ZIP64: one entry and the archive stay under 4 GiB
const FLAGS = 0x0808; // bit 3: sizes in a data descriptor after the data; bit 11: UTF-8 names

/** How an entry's bytes are kept: deflated (text), or stored as they are (attachments, mostly compressed already). */
export type ZipMethod = 'deflate' | 'store';
const METHOD_CODE: Record<ZipMethod, number> = { store: 0, deflate: 8 };

interface Written {
  name: Buffer;
  method: number;
  crc: number;
  compressed: number;
  size: number;
  offset: number;
  time: number;
  date: number;
}

/**
 * A streaming ZIP writer (one entry at a time, sizes in data descriptors), enough for Mattermost's
 * export archive: `import.jsonl` deflated batch by batch, and attachments stored as they are, as
 * Mattermost's export stores them (zip.Store), piped from the file store chunk by chunk — neither
 * is ever held in memory whole.
 */
export class ZipWriter {
  private offset = 0;
  private readonly entries: Written[] = [];
  private open: EntryWriter | null = null;

  constructor(private readonly sink: ByteSink) {}

  async entry(name: string, modified = new Date(), method: ZipMethod = 'deflate'): Promise<EntryWriter> {
    if (this.open) throw new Error('the previous entry is still open');
    const nameBytes = Buffer.from(name, 'utf8');
    const { time, date } = dosTime(modified);
    const code = METHOD_CODE[method];
    const header = Buffer.alloc(30);
    header.writeUInt32LE(0x04034b50, 0);
    header.writeUInt16LE(20, 4); // version needed: 2.0 (deflate; data descriptors)
    header.writeUInt16LE(FLAGS, 6);
    header.writeUInt16LE(code, 8);
    header.writeUInt16LE(time, 10);
    header.writeUInt16LE(date, 12);
    // crc and sizes (14–25) stay 0: they follow the data.
    header.writeUInt16LE(nameBytes.length, 26);
    header.writeUInt16LE(0, 28);
    const entryOffset = this.offset;
    await this.put(Buffer.concat([header, nameBytes]));
    this.open = new EntryWriter(
      method,
      (chunk) => this.put(chunk),
      async (crc, compressed, size) => {
        const descriptor = Buffer.alloc(16);
        descriptor.writeUInt32LE(0x08074b50, 0);
        descriptor.writeUInt32LE(crc, 4);
        descriptor.writeUInt32LE(compressed, 8);
        descriptor.writeUInt32LE(size, 12);
        await this.put(descriptor);
        this.entries.push({ name: nameBytes, method: code, crc, compressed, size, offset: entryOffset, time, date });
        this.open = null;
      },
    );
    return this.open;
  }

  /** Writes the central directory. The archive is complete after this. */
  async finish(): Promise<number> {
    if (this.open) throw new Error('an entry is still open');
    const start = this.offset;
    for (const e of this.entries) {
      const record = Buffer.alloc(46);
      record.writeUInt32LE(0x02014b50, 0);
      record.writeUInt16LE(0x0314, 4); // made by: UNIX, 2.0
      record.writeUInt16LE(20, 6);
      record.writeUInt16LE(FLAGS, 8);
      record.writeUInt16LE(e.method, 10);
      record.writeUInt16LE(e.time, 12);
      record.writeUInt16LE(e.date, 14);
      record.writeUInt32LE(e.crc, 16);
      record.writeUInt32LE(e.compressed, 20);
      record.writeUInt32LE(e.size, 24);
      record.writeUInt16LE(e.name.length, 28);
      // extra, comment, disk start, internal attributes: 0
      record.writeUInt32LE((0o100644 << 16) >>> 0, 38); // external attributes: a regular file, rw-r--r--
      record.writeUInt32LE(e.offset, 42);
      await this.put(Buffer.concat([record, e.name]));
    }
    const size = this.offset - start;
    const end = Buffer.alloc(22);
    end.writeUInt32LE(0x06054b50, 0);
    end.writeUInt16LE(this.entries.length, 8);
    end.writeUInt16LE(this.entries.length, 10);
    end.writeUInt32LE(size, 12);
    end.writeUInt32LE(start, 16);
    await this.put(end);
    return this.offset;
  }

  private async put(chunk: Buffer): Promise<void> {
    if (this.offset + chunk.length > LIMIT) throw new Error('export archive larger than 4 GiB (ZIP64 is not supported)');
    this.offset += chunk.length;
    await this.sink.write(chunk);
  }
}

export class EntryWriter {
  private crc = 0;
  private size = 0;
  private compressed = 0;
  private closed = false;
  /** One deflate stream for the whole entry, so later lines compress against earlier ones; none when stored. */
  private readonly deflate: DeflateRaw | null;
  private pending: Buffer[] = [];

  constructor(
    method: ZipMethod,
    private readonly put: (chunk: Buffer) => Promise<void>,
    private readonly done: (crc: number, compressed: number, size: number) => Promise<void>,
  ) {
    this.deflate = method === 'deflate' ? createDeflateRaw({ level: 6 }) : null;
    this.deflate?.on('data', (chunk: Buffer) => this.pending.push(chunk));
  }

  async write(data: Buffer | string): Promise<void> {
    if (this.closed) throw new Error('entry already ended');
    const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    if (buf.length === 0) return;
    this.crc = crc32(buf, this.crc);
    this.size += buf.length;
    if (this.size > LIMIT) throw new Error('export file larger than 4 GiB (ZIP64 is not supported)');
    if (!this.deflate) {
      this.compressed += buf.length;
      return this.put(buf);
    }
    // The callback runs once zlib has taken the chunk; what it produced so far goes out now, so
    // memory stays bounded by one batch.
    const deflate = this.deflate;
    await new Promise<void>((ok, fail) => deflate.write(buf, (err) => (err ? fail(err) : ok())));
    await this.drain();
  }

  /**
   * Writes a whole stream (a file from the store) into the entry, one chunk at a time: the next
   * chunk is read only once the previous one is in the archive's sink, so memory holds one chunk.
   */
  async writeStream(source: AsyncIterable<Buffer | string>): Promise<void> {
    for await (const chunk of source) await this.write(chunk);
  }

  async end(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const deflate = this.deflate;
    if (deflate) {
      await new Promise<void>((ok, fail) => {
        deflate.once('end', ok).once('error', fail);
        deflate.end();
      });
      await this.drain();
    }
    await this.done(this.crc >>> 0, this.compressed, this.size);
  }

  private async drain(): Promise<void> {
    const chunks = this.pending;
    this.pending = [];
    for (const chunk of chunks) {
      this.compressed += chunk.length;
      await this.put(chunk);
    }
  }
}

function dosTime(d: Date): { time: number; date: number } {
  const year = Math.max(1980, d.getFullYear());
  return {
    time: (d.getHours() << 11) | (d.getMinutes() << 5) | Math.floor(d.getSeconds() / 2),
    date: ((year - 1980) << 9) | ((d.getMonth() + 1) << 5) | d.getDate(),
  };
}
