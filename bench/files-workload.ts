/**
 * bench:files's load: uploads through POST /api/v4/files as a client sends them (raw body or
 * multipart, the file streamed from disk or sent from memory), the plain disk writes they are
 * compared with, a photo-like JPEG, and the server's memory sampled from /proc while uploads run.
 */
import { execFile, spawn } from 'node:child_process';
import { createReadStream, createWriteStream } from 'node:fs';
import { Agent, createServer, request, type Server } from 'node:http';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pipeline } from 'node:stream/promises';
import sharp from 'sharp';
import { rssKiB } from './machine.js';

/** Where an upload's bytes come from: a buffer (1 MB files) or a file read as a stream (50 MB files). */
export type Source = { buffer: Buffer } | { path: string; size: number };

export type UploadForm = 'raw' | 'multipart';

export interface Uploaded {
  id: string;
  size: number;
  has_preview_image: boolean;
  width: number;
  height: number;
}

const sourceSize = (s: Source) => ('buffer' in s ? s.buffer.length : s.size);

/**
 * An HTTP client for one server: keep-alive connections (as the apps keep them), at most
 * `maxSockets` at a time, so that the concurrency of a phase is the number of requests in flight.
 */
export class Uploader {
  private readonly agent: Agent;

  constructor(
    private readonly baseUrl: string,
    private readonly token: string,
    private readonly channelId: string,
    maxSockets = 16,
  ) {
    this.agent = new Agent({ keepAlive: true, maxSockets });
  }

  close(): void {
    this.agent.destroy();
  }

  /**
   * POST /api/v4/files with one file. The raw form sends the bytes as the body with
   * ?channel_id=&filename=; the multipart form sends channel_id, the file and a client id, as
   * the web app's FormData does. Resolves to the FileInfo the server answered with.
   */
  upload(form: UploadForm, filename: string, source: Source): Promise<Uploaded> {
    const size = sourceSize(source);
    let head = Buffer.alloc(0);
    let tail = Buffer.alloc(0);
    let path = '/api/v4/files';
    const headers: Record<string, string | number> = { Authorization: `Bearer ${this.token}`, 'X-Requested-With': 'XMLHttpRequest' };
    if (form === 'raw') {
      path += `?channel_id=${this.channelId}&filename=${encodeURIComponent(filename)}`;
      headers['Content-Type'] = 'application/octet-stream';
    } else {
      const boundary = `----mmchatbench${Math.random().toString(16).slice(2)}`;
      head = Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="channel_id"\r\n\r\n${this.channelId}\r\n` +
          `--${boundary}\r\nContent-Disposition: form-data; name="files"; filename="${filename}"\r\nContent-Type: application/octet-stream\r\n\r\n`,
      );
      tail = Buffer.from(`\r\n--${boundary}\r\nContent-Disposition: form-data; name="client_ids"\r\n\r\nbench\r\n--${boundary}--\r\n`);
      headers['Content-Type'] = `multipart/form-data; boundary=${boundary}`;
    }
    headers['Content-Length'] = head.length + size + tail.length;
    return new Promise<Uploaded>((resolve, reject) => {
      const req = request(`${this.baseUrl}${path}`, { method: 'POST', headers, agent: this.agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const body = Buffer.concat(chunks).toString();
          if (res.statusCode !== 201) return reject(new Error(`POST /files answered ${res.statusCode}: ${body.slice(0, 300)}`));
          const info = (JSON.parse(body) as { file_infos: Uploaded[] }).file_infos[0];
          if (info.size !== size) return reject(new Error(`the server stored ${info.size} bytes of ${size}`));
          resolve(info);
        });
      });
      req.on('error', reject);
      if (head.length) req.write(head);
      if ('buffer' in source) {
        req.write(source.buffer);
        req.end(tail);
        return;
      }
      const file = createReadStream(source.path, { highWaterMark: 256 * 1024 });
      file.on('error', (err) => req.destroy(err));
      file.pipe(req, { end: false });
      file.on('end', () => req.end(tail));
    });
  }
}

/** The reference disk write: the same bytes written with a Node write stream, as a program that only stores them would. */
export async function nodeWrite(source: Source, target: string): Promise<void> {
  const out = createWriteStream(target);
  if ('buffer' in source) {
    await new Promise<void>((ok, fail) => {
      out.on('error', fail);
      out.end(source.buffer, ok);
    });
    return;
  }
  await pipeline(createReadStream(source.path, { highWaterMark: 256 * 1024 }), out);
}

/**
 * coreutils `cp` of the source file (one process per file). cp 9 copies with copy_file_range:
 * the kernel moves the pages itself, no byte passes through a process.
 */
export function cp(from: string, to: string): Promise<void> {
  return new Promise((ok, fail) => execFile('cp', [from, to], (err) => (err ? fail(err) : ok())));
}

/** `cat from > to`: the classic read/write loop of a program that stores what it reads (128 KiB at a time). */
export function cat(from: string, to: string): Promise<void> {
  return new Promise((ok, fail) => {
    const out = createWriteStream(to);
    out.once('open', (fd) => {
      const child = spawn('cat', [from], { stdio: ['ignore', fd, 'inherit'] });
      child.once('error', fail);
      child.once('exit', (code) => out.close(() => (code === 0 ? ok() : fail(new Error(`cat exited with ${code}`)))));
    });
    out.once('error', fail);
  });
}

/**
 * What Node itself reaches on this machine: a bare node:http server (in its own process, as the
 * chat server is) that pipes each request body into a file in `dir` and answers its size (no
 * parsing, no database), or with `dir` undefined reads each body and drops it (the loopback
 * transfer alone). The client is the same as for the uploads, so the uploads read as a share of it.
 */
export function bareServer(dir: string | undefined): Promise<Server> {
  let n = 0;
  const server = createServer((req, res) => {
    const answer = (size: number) =>
      res.writeHead(201, { 'Content-Type': 'application/json' }).end(JSON.stringify({ file_infos: [{ id: String(++n), size }] }));
    if (!dir) {
      let size = 0;
      req.on('data', (c: Buffer) => (size += c.length));
      req.on('end', () => answer(size));
      return;
    }
    const out = createWriteStream(join(dir, `${n}.bin`));
    pipeline(req, out).then(
      () => answer(out.bytesWritten),
      () => res.writeHead(400).end(),
    );
  });
  return new Promise((ok) => server.listen(0, '127.0.0.1', () => ok(server)));
}

/** Flushes dirty pages so that one batch's writeback does not slow the next one down. */
export function sync(): Promise<void> {
  return new Promise((ok, fail) => execFile('sync', (err) => (err ? fail(err) : ok())));
}

/**
 * A 4000×3000 JPEG that compresses like a photo rather than a flat test card: smooth colour
 * areas (random 40×30 colours blown up with a cubic kernel) plus fine grain (per-pixel noise,
 * slightly blurred), saved at quality 90 with 4:2:0 chroma as cameras do.
 */
export async function photoLikeJpeg(width = 4000, height = 3000, seed = 1): Promise<Buffer> {
  let state = seed >>> 0 || 1;
  const random = () => {
    // xorshift32: the same picture every run, so that runs compare.
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 2 ** 32;
  };
  const coarse = Buffer.alloc(40 * 30 * 3);
  for (let i = 0; i < coarse.length; i++) coarse[i] = Math.floor(random() * 256);
  const base = await sharp(coarse, { raw: { width: 40, height: 30, channels: 3 } })
    .resize(width, height, { kernel: 'cubic' })
    .raw()
    .toBuffer();
  const grain = Buffer.alloc(width * height);
  for (let i = 0; i < grain.length; i++) grain[i] = Math.floor(random() * 256);
  const soft = await sharp(grain, { raw: { width, height, channels: 1 } })
    .blur(0.7)
    .raw()
    .toBuffer();
  for (let p = 0, i = 0; p < soft.length; p++) {
    const d = (soft[p] - 128) * 0.35;
    for (let c = 0; c < 3; c++, i++) base[i] = Math.max(0, Math.min(255, base[i] + d));
  }
  return sharp(base, { raw: { width, height, channels: 3 } })
    .jpeg({ quality: 90 })
    .toBuffer();
}

export interface RssTrace {
  /** Milliseconds since the trace started, and VmRSS in KiB. */
  samples: [number, number][];
  /** The longest gap between two samples (the event loop was busy), ms. */
  maxGapMs: number;
}

/**
 * Samples a process's VmRSS every `everyMs` until stopped. The sampler runs on this process's
 * event loop, which is busy sending uploads: the largest gap is kept so that a missed peak shows.
 */
export function sampleRss(pid: number, everyMs = 50): { peek(): [number, number][]; stop(): RssTrace } {
  const t0 = performance.now();
  const samples: [number, number][] = [];
  let last = t0;
  let maxGapMs = 0;
  const take = () => {
    const now = performance.now();
    maxGapMs = Math.max(maxGapMs, now - last);
    last = now;
    samples.push([Math.round(now - t0), rssKiB(pid)]);
  };
  take();
  const timer = setInterval(take, everyMs);
  return {
    peek: () => [...samples],
    stop() {
      clearInterval(timer);
      take();
      return { samples, maxGapMs: Math.round(maxGapMs) };
    },
  };
}
