import { once } from 'node:events';
import { createDeflate } from 'node:zlib';
import { PDFDocument, PDFName, PDFRawStream, StandardFonts } from 'pdf-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client4 } from '@mattermost/client';
import type { Channel } from '@mattermost/types/channels';
import type { FileInfo } from '@mattermost/types/files';
import type { Post } from '@mattermost/types/posts';
import type { Team } from '@mattermost/types/teams';
import { eventually, expectClientError, NewUser, sleep, startServer, TestServer } from '#testing';
import { PERMISSION, signUpCast, teamWithChannels } from './fixtures.js';

let server: TestServer;
// fixtures.ts: alice and bob are in pub and priv, dave is on the team in no channel, carol is not on the team.
let admin: NewUser, alice: NewUser, bob: NewUser, dave: NewUser, carol: NewUser;
let team: Team, otherTeam: Team;
let pub: Channel, priv: Channel, dm: Channel, elsewhere: Channel;

interface FileList {
  order: string[];
  file_infos: Record<string, FileInfo>;
  next_file_info_id: string;
  prev_file_info_id: string;
  first_inaccessible_file_time: number;
}

/** Extraction runs after the upload has answered: content shows up within this. */
const EXTRACTED_WITHIN_MS = 20_000;

beforeAll(async () => {
  server = await startServer();
  const cast = await signUpCast(server);
  ({ admin, alice, bob, dave, carol } = cast);
  ({ team, pub, priv, dm } = await teamWithChannels(cast, {
    team: { name: `team-fs${Date.now()}`, display_name: 'File search' },
    pub: { name: 'fs-pub', display_name: 'Files public' },
    priv: { name: 'fs-priv', display_name: 'Files private' },
  }));
  otherTeam = await alice.client.createTeam({ name: `team-fo${Date.now()}`, display_name: 'Other', type: 'O' } as Team);
  await alice.client.addToTeam(otherTeam.id, carol.user.id);
  elsewhere = await alice.client.createChannel({ team_id: otherTeam.id, name: 'fs-elsewhere', display_name: 'Elsewhere', type: 'O' } as Channel);
  await alice.client.addToChannel(carol.user.id, elsewhere.id);
});
afterAll(() => server?.stop());

async function upload(c: Client4, channelId: string, name: string, data: Buffer | Uint8Array | string): Promise<FileInfo> {
  const fd = new FormData();
  fd.append('channel_id', channelId);
  fd.append('files', new Blob([typeof data === 'string' ? data : new Uint8Array(data)]), name);
  const info = (await c.uploadFile(fd)).file_infos[0];
  await sleep(2); // distinct create_at, for a stable order
  return info;
}

/** Uploads the files and posts them in one post; answers the post and the files' infos. */
async function postFiles(c: Client4, channelId: string, files: Record<string, Buffer | Uint8Array | string>): Promise<{ post: Post; infos: FileInfo[] }> {
  const infos: FileInfo[] = [];
  for (const [name, data] of Object.entries(files)) infos.push(await upload(c, channelId, name, data));
  const post = await c.createPost({ channel_id: channelId, message: 'files', file_ids: infos.map((f) => f.id) } as Post);
  return { post, infos };
}

const search = (c: Client4, teamId: string, terms: string, extra: Record<string, unknown> = {}) =>
  c.searchFilesWithParams(teamId, { terms, is_or_search: false, ...extra } as any) as unknown as Promise<FileList>;

async function pdf(lines: string[], pages = 1): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  for (let p = 0; p < pages; p++) {
    const page = doc.addPage();
    lines.forEach((line, i) => page.drawText(line, { x: 50, y: 700 - 20 * i, font, size: 12 }));
  }
  return doc.save();
}

/** `megabytes` of spaces, deflated (about 1000:1) without holding them in memory. */
async function deflatedSpaces(megabytes: number): Promise<Buffer> {
  const deflate = createDeflate({ level: 9 });
  const out: Buffer[] = [];
  deflate.on('data', (c: Buffer) => out.push(c));
  const ended = once(deflate, 'end');
  const chunk = Buffer.alloc(1 << 20, 0x20);
  for (let i = 0; i < megabytes; i++) if (!deflate.write(chunk)) await once(deflate, 'drain');
  deflate.end();
  await ended;
  return Buffer.concat(out);
}

/** A "zip bomb" PDF: a small file whose page content inflates to `megabytes` MB when read. */
async function pdfBomb(megabytes: number): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  const page = doc.addPage();
  const raw = await deflatedSpaces(megabytes);
  page.node.set(PDFName.of('Contents'), doc.context.register(PDFRawStream.of(doc.context.obj({ Filter: 'FlateDecode', Length: raw.length }), raw)));
  return doc.save();
}

/** The names a search finds, in its order. */
async function found(c: Client4, teamId: string, terms: string, extra: Record<string, unknown> = {}): Promise<string[]> {
  const list = await search(c, teamId, terms, extra);
  return list.order.map((id) => list.file_infos[id].name);
}

describe('names', () => {
  let report: FileInfo;
  beforeAll(async () => {
    ({
      infos: [report],
    } = await postFiles(alice.client, pub.id, { 'quarterly-report.pdf': 'not really a pdf' }));
  });

  it('finds a file by each part of its name and by its whole name, answering a FileInfoList', async () => {
    for (const terms of ['quarterly', 'report', 'QUARTERLY-report', 'quarterly-report.pdf', '"quarterly-report.pdf"', 'quart']) {
      expect(await found(bob.client, team.id, terms), terms).toEqual(['quarterly-report.pdf']);
    }
    const list = await search(bob.client, team.id, 'quarterly');
    expect(list).toEqual({
      order: [report.id],
      file_infos: { [report.id]: expect.objectContaining({ id: report.id, channel_id: pub.id, user_id: alice.user.id, extension: 'pdf' }) },
      next_file_info_id: '',
      prev_file_info_id: '',
      first_inaccessible_file_time: 0,
    });
    expect(list.file_infos[report.id].post_id).toBeTruthy();
    expect(list.file_infos[report.id]).not.toHaveProperty('content');
    expect(list.file_infos[report.id]).not.toHaveProperty('path');
  });

  it('answers no-store and is also reached through POST /files/search (every team)', async () => {
    const res = await fetch(`${server.url}/api/v4/files/search`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${bob.client.getToken()}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ terms: 'quarterly' }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-cache, no-store, must-revalidate');
    expect((await res.json()).order).toEqual([report.id]);
  });

  it('a lone "*" finds nothing; missing terms and a wrong type are 400', async () => {
    expect(await found(bob.client, team.id, '*')).toEqual([]);
    expect(await expectClientError(() => bob.client.searchFilesWithParams(team.id, { terms: '' } as any))).toMatchObject({
      status_code: 400,
      server_error_id: 'api.context.invalid_body_param.app_error',
    });
    expect(await expectClientError(() => bob.client.searchFilesWithParams(team.id, { terms: 'x', is_or_search: 'yes' } as any))).toMatchObject({
      status_code: 400,
      server_error_id: 'api.post.search_files.invalid_body.app_error',
    });
    expect(await expectClientError(() => bob.client.searchFilesWithParams(team.id, { terms: 'x', modifier: 'everything' } as any))).toMatchObject({
      status_code: 400,
    });
  });
});

describe('content', () => {
  it('finds a text file by the words inside it, once extracted after the upload', async () => {
    await postFiles(bob.client, pub.id, { 'notes.txt': 'Minutes: the aardvark migration starts on Monday.' });
    await eventually(async () => expect(await found(alice.client, team.id, 'aardvark')).toEqual(['notes.txt']), EXTRACTED_WITHIN_MS);
    expect(await found(alice.client, team.id, 'migrations monday')).toEqual(['notes.txt']); // stemmed, AND
    expect(await found(alice.client, team.id, '"aardvark migration"')).toEqual(['notes.txt']);
    expect(await found(alice.client, team.id, 'aardvark -monday')).toEqual([]);
  });

  it('reads source code and CSV as text, whatever the extension', async () => {
    await postFiles(bob.client, pub.id, { 'main.go': 'package main\n// frobnicate the widgets\n', 'table.csv': 'city,count\nTimbuktu,3\n' });
    await eventually(async () => {
      expect(await found(alice.client, team.id, 'frobnicate')).toEqual(['main.go']);
      expect(await found(alice.client, team.id, 'timbuktu')).toEqual(['table.csv']);
    }, EXTRACTED_WITHIN_MS);
  });

  it('finds a PDF by the text on its pages', async () => {
    await postFiles(alice.client, priv.id, { 'scan.pdf': await pdf(['Zeppelin hangar inspection', 'second line'], 3) });
    await eventually(async () => expect(await found(bob.client, team.id, 'zeppelin hangar')).toEqual(['scan.pdf']), EXTRACTED_WITHIN_MS);
  });

  it('a binary file is not read as text', async () => {
    const binary = Buffer.concat([Buffer.from([0, 1, 2, 3]), Buffer.from(' xylophone words after a NUL')]);
    await postFiles(bob.client, pub.id, { 'blob.bin': binary, 'marker.txt': 'marker-one xylograph' });
    // Files are extracted one after the other: once the later one is found, the binary was handled.
    await eventually(async () => expect(await found(bob.client, team.id, 'xylograph')).toEqual(['marker.txt']), EXTRACTED_WITHIN_MS);
    expect(await found(bob.client, team.id, 'xylophone')).toEqual([]);
  });

  it('a broken PDF upload succeeds, is found by name, and the node goes on extracting', async () => {
    const broken = Buffer.from('%PDF-1.7\n1 0 obj << /Type /Catalog >> garbage without an xref');
    const { infos } = await postFiles(bob.client, pub.id, { 'broken-ledger.pdf': broken });
    expect(infos[0]).toMatchObject({ name: 'broken-ledger.pdf', size: broken.length });
    await postFiles(bob.client, pub.id, { 'after.txt': 'quokka after the broken one' });
    await eventually(async () => expect(await found(bob.client, team.id, 'quokka')).toEqual(['after.txt']), EXTRACTED_WITHIN_MS);
    expect(await found(bob.client, team.id, 'ledger')).toEqual(['broken-ledger.pdf']);
    expect(server.logs).toContain('Failed to extract file content');
  });

  it('a PDF that inflates to 700 MB is stopped by the memory watch; the node keeps answering and extracting', async () => {
    const bomb = await pdfBomb(700);
    expect(bomb.length).toBeLessThan(2_000_000);
    await postFiles(bob.client, pub.id, { 'inflating-bomb.pdf': bomb, 'behind-bomb.txt': 'narwhal behind the bomb' });
    await eventually(async () => {
      expect((await fetch(`${server.url}/api/v4/system/ping`)).status).toBe(200);
      expect(await found(bob.client, team.id, 'narwhal')).toEqual(['behind-bomb.txt']);
    }, 60_000);
    expect(server.running).toBe(true);
    expect(server.logs).toContain('PDF text extraction used too much memory');
    expect(await found(bob.client, team.id, 'inflating')).toEqual(['inflating-bomb.pdf']);
  }, 90_000);

  it('ExtractContent=false stores no text: the name is still found, the content is not', async () => {
    await admin.client.patchConfig({ FileSettings: { ExtractContent: false } } as any);
    try {
      await postFiles(bob.client, pub.id, { 'unread-memo.txt': 'platypus inside' });
    } finally {
      await admin.client.patchConfig({ FileSettings: { ExtractContent: true } } as any);
    }
    await postFiles(bob.client, pub.id, { 'read-memo.txt': 'wombat inside' });
    await eventually(async () => expect(await found(bob.client, team.id, 'wombat')).toEqual(['read-memo.txt']), EXTRACTED_WITHIN_MS);
    expect(await found(bob.client, team.id, 'platypus')).toEqual([]);
    expect(await found(bob.client, team.id, 'unread memo')).toEqual(['unread-memo.txt']);
  });
});

describe('who finds what', () => {
  let secret: FileInfo, direct: FileInfo, far: FileInfo;
  beforeAll(async () => {
    ({
      infos: [secret],
    } = await postFiles(alice.client, priv.id, { 'budget-secret.xlsx': 'x' }));
    ({
      infos: [direct],
    } = await postFiles(alice.client, dm.id, { 'budget-direct.txt': 'x' }));
    ({
      infos: [far],
    } = await postFiles(alice.client, elsewhere.id, { 'budget-far.txt': 'x' }));
  });

  it('members find the files of their channels and DMs in the team, newest first', async () => {
    expect(await found(bob.client, team.id, 'budget')).toEqual(['budget-direct.txt', 'budget-secret.xlsx']);
    expect(await found(alice.client, team.id, 'budget')).toEqual(['budget-direct.txt', 'budget-secret.xlsx']);
  });

  it('a team member outside the channels finds nothing; a non-member of the team is refused (view_team)', async () => {
    expect(await found(dave.client, team.id, 'budget')).toEqual([]);
    expect(await expectClientError(() => carol.client.searchFiles(team.id, 'budget', false))).toMatchObject({ status_code: 403, server_error_id: PERMISSION });
    expect(await found(carol.client, '', 'budget')).toEqual(['budget-far.txt']);
  });

  it('POST /files/search covers every team of the caller', async () => {
    expect(await found(alice.client, '', 'budget')).toEqual(['budget-far.txt', 'budget-direct.txt', 'budget-secret.xlsx']);
    expect((await search(alice.client, '', 'budget')).order).toEqual([far.id, direct.id, secret.id]);
  });

  it('from: and in: narrow the search, a name that resolves to nothing finds nothing', async () => {
    expect(await found(bob.client, team.id, `budget in:${priv.name}`)).toEqual(['budget-secret.xlsx']);
    expect(await found(bob.client, team.id, `budget -in:${priv.name}`)).toEqual(['budget-direct.txt']);
    expect(await found(bob.client, team.id, `budget in:@${alice.user.username}`)).toEqual(['budget-direct.txt']);
    expect(await found(bob.client, team.id, `budget from:${alice.user.username}`)).toEqual(['budget-direct.txt', 'budget-secret.xlsx']);
    expect(await found(bob.client, team.id, `budget from:${bob.user.username}`)).toEqual([]);
    expect(await found(bob.client, team.id, 'budget in:no-such-channel')).toEqual([]);
  });

  it('a file of a deleted post is not found', async () => {
    const { post } = await postFiles(bob.client, pub.id, { 'doomed-plan.txt': 'x' });
    expect(await found(alice.client, team.id, 'doomed')).toEqual(['doomed-plan.txt']);
    await bob.client.deletePost(post.id);
    expect(await found(alice.client, team.id, 'doomed')).toEqual([]);
  });

  it('an uploaded file no post has taken is not found', async () => {
    await upload(bob.client, pub.id, 'orphan-draft.txt', 'x');
    expect(await found(bob.client, team.id, 'orphan')).toEqual([]);
  });

  it('archived channels only with include_deleted_channels', async () => {
    const archived = await alice.client.createChannel({ team_id: team.id, name: 'fs-archived', display_name: 'Archived', type: 'O' } as Channel);
    await alice.client.addToChannel(bob.user.id, archived.id);
    await postFiles(alice.client, archived.id, { 'museum-piece.txt': 'x' });
    await alice.client.deleteChannel(archived.id);
    expect(await found(bob.client, team.id, 'museum')).toEqual([]);
    expect(await found(bob.client, team.id, 'museum', { include_deleted_channels: true })).toEqual(['museum-piece.txt']);
  });
});

describe('filters and pages', () => {
  beforeAll(async () => {
    await postFiles(alice.client, pub.id, { 'walrus-1.pdf': 'x', 'walrus-2.txt': 'x', 'walrus-3.PDF': 'x', 'walrus-4.md': 'x', 'walrus-5.txt': 'x' });
  });

  it('ext: keeps, -ext: drops an extension (case and dot do not matter); ext: alone is a search', async () => {
    expect(await found(bob.client, team.id, 'walrus ext:pdf')).toEqual(['walrus-3.PDF', 'walrus-1.pdf']);
    expect(await found(bob.client, team.id, 'walrus ext:.TXT ext:md')).toEqual(['walrus-5.txt', 'walrus-4.md', 'walrus-2.txt']);
    expect(await found(bob.client, team.id, 'walrus -ext:pdf -ext:txt')).toEqual(['walrus-4.md']);
    expect(await found(bob.client, team.id, 'ext:md')).toEqual(['walrus-4.md']);
  });

  it('pages with page and per_page, newest first', async () => {
    expect(await found(bob.client, team.id, 'walrus', { per_page: 2 })).toEqual(['walrus-5.txt', 'walrus-4.md']);
    expect(await found(bob.client, team.id, 'walrus', { per_page: 2, page: 1 })).toEqual(['walrus-3.PDF', 'walrus-2.txt']);
    expect(await found(bob.client, team.id, 'walrus', { per_page: 2, page: 2 })).toEqual(['walrus-1.pdf']);
    expect(await found(bob.client, team.id, 'walrus', { per_page: 2, page: 3 })).toEqual([]);
  });

  it('is_or_search finds either word; on:/after: filter by upload day', async () => {
    expect(await found(bob.client, team.id, 'walrus-1 walrus-2', { is_or_search: true })).toEqual(['walrus-2.txt', 'walrus-1.pdf']);
    expect(await found(bob.client, team.id, 'walrus-1 walrus-2')).toEqual([]);
    expect(await found(bob.client, team.id, 'quarterly walrus-4', { is_or_search: true })).toEqual(['walrus-4.md', 'quarterly-report.pdf']);
    const today = new Date().toISOString().slice(0, 10);
    expect(await found(bob.client, team.id, `walrus on:${today}`)).toHaveLength(5);
    expect(await found(bob.client, team.id, `walrus after:${today}`)).toEqual([]);
    expect(await found(bob.client, team.id, 'walrus before:2020-01-01')).toEqual([]);
  });
});

describe('EnableFileSearch', () => {
  it('false: both routes answer 501 store.sql_file_info.search.disabled', async () => {
    await admin.client.patchConfig({ ServiceSettings: { EnableFileSearch: false } } as any);
    try {
      for (const teamId of [team.id, '']) {
        expect(await expectClientError(() => bob.client.searchFiles(teamId, 'walrus', false))).toMatchObject({
          status_code: 501,
          server_error_id: 'store.sql_file_info.search.disabled',
        });
      }
    } finally {
      await admin.client.patchConfig({ ServiceSettings: { EnableFileSearch: true } } as any);
    }
    expect(await found(bob.client, team.id, 'walrus')).toHaveLength(5);
  });
});
