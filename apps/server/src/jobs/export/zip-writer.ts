import { crc32, createDeflateRaw, DeflateRaw } from 'node:zlib';

/** Where the archive's bytes go, in order. */
export interface ByteSink {
  write(chunk: Buffer): Promise<void>;
}

const LIMIT = 0xffffffff; // no ZIP64: one entry and the archive stay under 4 GiB
const FLAGS = 0x0808; // bit 3: sizes in a data descriptor after the data; bit 11: UTF-8 names

interface Written {
  name: Buffer;
  crc: number;
  compressed: number;
  size: number;
  offset: number;
  time: number;
  date: number;
}

/**
 * A streaming ZIP writer (deflate, one entry at a time, sizes in data descriptors), enough for
 * Mattermost's export archive: `import.jsonl` written batch by batch without holding it in memory.
 */
export class ZipWriter {
  private offset = 0;
  private readonly entries: Written[] = [];
  private open: EntryWriter | null = null;

  constructor(private readonly sink: ByteSink) {}

  async entry(name: string, modified = new Date()): Promise<EntryWriter> {
    if (this.open) throw new Error('the previous entry is still open');
    const nameBytes = Buffer.from(name, 'utf8');
    const { time, date } = dosTime(modified);
    const header = Buffer.alloc(30);
    header.writeUInt32LE(0x04034b50, 0);
    header.writeUInt16LE(20, 4); // version needed: 2.0 (deflate)
    header.writeUInt16LE(FLAGS, 6);
    header.writeUInt16LE(8, 8); // deflate
    header.writeUInt16LE(time, 10);
    header.writeUInt16LE(date, 12);
    // crc and sizes (14–25) stay 0: they follow the data.
    header.writeUInt16LE(nameBytes.length, 26);
    header.writeUInt16LE(0, 28);
    const entryOffset = this.offset;
    await this.put(Buffer.concat([header, nameBytes]));
    this.open = new EntryWriter(
      (chunk) => this.put(chunk),
      async (crc, compressed, size) => {
        const descriptor = Buffer.alloc(16);
        descriptor.writeUInt32LE(0x08074b50, 0);
        descriptor.writeUInt32LE(crc, 4);
        descriptor.writeUInt32LE(compressed, 8);
        descriptor.writeUInt32LE(size, 12);
        await this.put(descriptor);
        this.entries.push({ name: nameBytes, crc, compressed, size, offset: entryOffset, time, date });
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
      record.writeUInt16LE(8, 10);
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
  /** One deflate stream for the whole entry, so later lines compress against earlier ones. */
  private readonly deflate: DeflateRaw = createDeflateRaw({ level: 6 });
  private pending: Buffer[] = [];

  constructor(
    private readonly put: (chunk: Buffer) => Promise<void>,
    private readonly done: (crc: number, compressed: number, size: number) => Promise<void>,
  ) {
    this.deflate.on('data', (chunk: Buffer) => this.pending.push(chunk));
  }

  async write(data: Buffer | string): Promise<void> {
    if (this.closed) throw new Error('entry already ended');
    const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    if (buf.length === 0) return;
    this.crc = crc32(buf, this.crc);
    this.size += buf.length;
    if (this.size > LIMIT) throw new Error('export file larger than 4 GiB (ZIP64 is not supported)');
    // The callback runs once zlib has taken the chunk; what it produced so far goes out now, so
    // memory stays bounded by one batch.
    await new Promise<void>((ok, fail) => this.deflate.write(buf, (err) => (err ? fail(err) : ok())));
    await this.drain();
  }

  async end(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await new Promise<void>((ok, fail) => {
      this.deflate.once('end', ok).once('error', fail);
      this.deflate.end();
    });
    await this.drain();
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
