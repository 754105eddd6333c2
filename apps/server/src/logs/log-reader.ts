import { open } from 'node:fs/promises';

const CHUNK = 64 * 1024;

/**
 * Page `page` of `perPage` lines counted from the end of the file (page 0: the newest lines), in
 * file order, as Mattermost's GetLogsSkipSend reads mattermost.log backwards. Only the chunks
 * the page needs are read, so a large file costs what the page costs.
 */
export async function readLogPage(path: string, page: number, perPage: number): Promise<string[]> {
  const file = await open(path, 'r');
  try {
    const size = (await file.stat()).size;
    const wanted = (page + 1) * perPage;
    const newest: string[] = []; // newest first
    let end = size;
    let tail = Buffer.alloc(0); // bytes after the last newline seen, not yet a whole line
    let skippedFinalNewline = false;
    while (end > 0 && newest.length < wanted) {
      const start = Math.max(0, end - CHUNK);
      const buf = Buffer.alloc(end - start);
      await file.read(buf, 0, buf.length, start);
      let data = Buffer.concat([buf, tail]);
      if (!skippedFinalNewline) {
        skippedFinalNewline = true;
        // A file ending with a newline has no empty last line.
        if (data.length && data[data.length - 1] === 0x0a) data = data.subarray(0, data.length - 1);
      }
      let cut = data.length;
      for (let i = data.length - 1; i >= 0 && newest.length < wanted; i--) {
        if (data[i] === 0x0a) {
          newest.push(data.subarray(i + 1, cut).toString('utf8'));
          cut = i;
        }
      }
      tail = data.subarray(0, cut);
      end = start;
    }
    if (end === 0 && newest.length < wanted && (tail.length || size > 0)) newest.push(tail.toString('utf8'));
    return newest.slice(page * perPage, wanted).reverse();
  } finally {
    await file.close();
  }
}
