import { beforeEach, describe, expect, it } from 'vitest';
import { AppError } from '#common';
import { ConfigService, defaultConfig } from '#config';
import type { FetchedLink, LinkFetcher } from './link-fetcher.js';
import { floorToHour, linkMetadataHash, type LinkMetadata, type LinkMetadataRepository } from './link-metadata.repository.js';
import { LinkMetadataService } from './link-metadata.service.js';
import { emptyOpenGraph } from './opengraph.js';
import { PreviewsService, type PreviewablePost } from './previews.service.js';

/** link_metadata in memory, keyed like the table (first write wins). */
class MemoryLinkMetadata {
  rows = new Map<number, LinkMetadata>();
  queries = 0;
  async many(keys: Array<{ url: string; timestamp: number }>) {
    this.queries++;
    return keys.map((k) => this.rows.get(linkMetadataHash(k.url, k.timestamp))).filter((r): r is LinkMetadata => !!r && keys.some((k) => k.url === r.url));
  }
  async save(row: LinkMetadata) {
    const hash = linkMetadataHash(row.url, row.timestamp);
    if (!this.rows.has(hash)) this.rows.set(hash, row);
    return this.rows.get(hash)!;
  }
}

const SITE = 'http://chat.example';
const PAGE = 'https://news.example/story';
const IMG = 'https://img.example/a.png';
const OG = { ...emptyOpenGraph(), type: 'article', url: PAGE, title: 'Story', images: [{ url: IMG, secure_url: '', type: '', width: 0, height: 0 }] };

let config: typeof defaultConfig;
let repo: MemoryLinkMetadata;
let fetched: string[];
let answers: Record<string, FetchedLink>;
let links: LinkMetadataService;
let service: PreviewsService;

beforeEach(() => {
  config = structuredClone(defaultConfig);
  config.ServiceSettings.SiteURL = SITE;
  repo = new MemoryLinkMetadata();
  fetched = [];
  answers = {
    [PAGE]: { og: structuredClone(OG) },
    [IMG]: { image: { width: 10, height: 20, format: 'png', frame_count: 0 } },
    'https://dead.example/': { none: true, error: 'address forbidden' },
  };
  const fetcher = {
    fetch: async (url: string) => {
      fetched.push(url);
      await new Promise((r) => setTimeout(r, 5));
      return answers[url] ?? { none: true };
    },
  } as unknown as LinkFetcher;
  links = new LinkMetadataService(repo as unknown as LinkMetadataRepository, fetcher);
  service = new PreviewsService(links, { get: () => config } as unknown as ConfigService);
});

const post = (message: string, extra: Partial<PreviewablePost> = {}): PreviewablePost => ({
  message,
  create_at: 1_700_000_123_456,
  delete_at: 0,
  props: {},
  metadata: {},
  ...extra,
});

describe('post embeds and images', () => {
  it('embeds the first link as OpenGraph (truncated form) and measures its images', async () => {
    const p = post(`read ${PAGE} and https://other.example`);
    await service.addEmbedsAndImages([p]);
    expect(p.metadata.embeds).toEqual([
      { type: 'opengraph', url: PAGE, data: { ...OG, determiner: '', locale: '', locales_alternate: null, audios: null, videos: null } },
    ]);
    expect(p.metadata.images).toEqual({ [IMG]: { width: 10, height: 20, format: 'png', frame_count: 0 } });
    expect(fetched).toEqual([PAGE, IMG]);
  });

  it('fetches a link once per hour for any number of posts and reads, saving the answer', async () => {
    const posts = [post(PAGE), post(PAGE), post(`again ${PAGE}`)];
    await service.addEmbedsAndImages(posts);
    await service.addEmbedsAndImages([post(PAGE)]);
    expect(fetched).toEqual([PAGE, IMG]);
    expect(repo.rows.get(linkMetadataHash(PAGE, floorToHour(1_700_000_123_456)))?.type).toBe('opengraph');
    // A post from another hour is another key: Mattermost refetches for it.
    await service.addEmbedsAndImages([post(PAGE, { create_at: 1_700_000_123_456 + 3_600_000 })]);
    expect(fetched.filter((u) => u === PAGE)).toHaveLength(2);
  });

  it('another node (a fresh service on the same table) reuses the saved rows without fetching', async () => {
    await service.addEmbedsAndImages([post(PAGE)]);
    const other = new PreviewsService(
      new LinkMetadataService(repo as unknown as LinkMetadataRepository, { fetch: async () => expect.fail('no fetch expected') } as unknown as LinkFetcher),
      { get: () => config } as unknown as ConfigService,
    );
    const p = post(PAGE);
    await other.addEmbedsAndImages([p]);
    expect(p.metadata.embeds?.[0].type).toBe('opengraph');
  });

  it("warm reads the stored rows of the posts' links into memory in one query and fetches nothing", async () => {
    await service.addEmbedsAndImages([post(PAGE)]);
    // Another node: its memory is empty, the table has the page and its image.
    const other = new PreviewsService(
      new LinkMetadataService(repo as unknown as LinkMetadataRepository, { fetch: async () => expect.fail('no fetch expected') } as unknown as LinkFetcher),
      { get: () => config } as unknown as ConfigService,
    );
    const queries = repo.queries;
    await other.warm([post(PAGE), post('no links'), post(PAGE, { delete_at: 1 })]);
    expect(repo.queries).toBe(queries + 1);
    const p = post(PAGE);
    await other.addEmbedsAndImages([p]);
    // The page came from memory; only its OpenGraph image (the second round) was read afterwards.
    expect(repo.queries).toBe(queries + 2);
    expect(p.metadata.embeds?.[0].type).toBe('opengraph');
    // A link never seen is not fetched by warm, so its first failure still gives no embed.
    await service.warm([post('https://dead.example/')]);
    expect(fetched).toEqual([PAGE, IMG]);
    const dead = post('https://dead.example/');
    await service.addEmbedsAndImages([dead]);
    expect(dead.metadata.embeds).toBeUndefined();
  });

  it('a failed fetch gives no embed at first and a link embed from the saved row afterwards', async () => {
    const first = post('https://dead.example/');
    await service.addEmbedsAndImages([first]);
    expect(first.metadata.embeds).toBeUndefined();
    const later = post('https://dead.example/');
    await service.addEmbedsAndImages([later]);
    expect(later.metadata.embeds).toEqual([{ type: 'link', url: 'https://dead.example/' }]);
  });

  it('leaves deleted posts, unsafe links and link-less messages alone; attachments take the embed', async () => {
    const deleted = post(PAGE, { delete_at: 1 });
    const unsafe = post(PAGE, { props: { unsafe_links: 'true' } });
    const plain = post('no links');
    const withAttachments = post(PAGE, { props: { attachments: [] } });
    await service.addEmbedsAndImages([deleted, unsafe, plain, withAttachments]);
    expect([deleted.metadata, unsafe.metadata, plain.metadata]).toEqual([{}, {}, {}]);
    expect(withAttachments.metadata.embeds).toEqual([{ type: 'message_attachment' }]);
    expect(fetched).toEqual([]);
  });

  it('with EnableLinkPreviews off, links get no embed but markdown images are still measured', async () => {
    config.ServiceSettings.EnableLinkPreviews = false;
    const p = post(`${PAGE} ![x](${IMG})`);
    await service.addEmbedsAndImages([p]);
    expect(p.metadata.embeds).toBeUndefined();
    expect(p.metadata.images).toEqual({ [IMG]: { width: 10, height: 20, format: 'png', frame_count: 0 } });
    expect(fetched).toEqual([IMG]);
  });

  it('with RestrictLinkPreviews, a restricted link is skipped for the next one', async () => {
    config.ServiceSettings.RestrictLinkPreviews = 'other.example';
    const p = post(`https://other.example/x ${PAGE}`);
    await service.addEmbedsAndImages([p]);
    expect(p.metadata.embeds?.[0].url).toBe(PAGE);
  });

  it('with the image proxy on, images are served and keyed through it', async () => {
    config.ImageProxySettings.Enable = true;
    const proxied = `${SITE}/api/v4/image?url=${encodeURIComponent(IMG)}`;
    const p = post(`${PAGE} ![x](${IMG})`);
    await service.addEmbedsAndImages([p]);
    expect(p.message).toBe(`${PAGE} ![x](${proxied})`);
    expect(p.metadata.embeds?.[0].data?.images).toEqual([{ url: '', secure_url: proxied, type: '', width: 0, height: 0 }]);
    expect(Object.keys(p.metadata.images ?? {})).toEqual([proxied]);
    expect(fetched).toEqual([PAGE, IMG]);
  });
});

describe('a page of posts', () => {
  it('finds the links once through the image proxy (linksOf) and reads what is stored in one query (warm)', async () => {
    config.ImageProxySettings.Enable = true;
    const proxied = `${SITE}/api/v4/image?url=${encodeURIComponent(IMG)}`;
    await service.addEmbedsAndImages([post(`${PAGE} ![x](${IMG})`)]);
    // Another node, which must not fetch: the table has the page and the image.
    const other = new PreviewsService(
      new LinkMetadataService(repo as unknown as LinkMetadataRepository, { fetch: async () => expect.fail('no fetch expected') } as unknown as LinkFetcher),
      { get: () => config } as unknown as ConfigService,
    );
    const rows = [post(`${PAGE} ![x](${IMG})`), post('no links'), post(PAGE, { delete_at: 1 })];
    const links = other.linksOf(rows);
    expect(links).toEqual([{ message: `${PAGE} ![x](${proxied})`, link: PAGE, images: [proxied] }, { message: 'no links', link: '', images: [] }, undefined]);
    const queries = repo.queries;
    await other.warm(rows, links);
    const views = rows.map((r) => ({ ...r, metadata: {} }));
    await other.addEmbedsAndImages(views, links);
    // Both rounds came from what warm read: the page and the image (the page's OpenGraph image too).
    expect(repo.queries).toBe(queries + 1);
    expect(views[0].message).toBe(`${PAGE} ![x](${proxied})`);
    expect(views[0].metadata).toMatchObject({ embeds: [{ type: 'opengraph', url: PAGE }], images: { [proxied]: { width: 10, height: 20 } } });
    expect([views[1].metadata, views[2].metadata]).toEqual([{}, {}]);
  });
});

describe('POST /opengraph', () => {
  it('answers the full graph, or {"url": ""} when there is none', async () => {
    expect(await service.openGraph(PAGE)).toEqual(OG);
    expect(await service.openGraph('https://dead.example/')).toEqual({ url: '' });
    expect(await service.openGraph(IMG)).toEqual({ url: '' });
  });

  it('answers {"url": ""} for a graph over 5 KiB of JSON', async () => {
    answers['https://huge.example/'] = { og: { ...structuredClone(OG), description: 'd'.repeat(6000) } };
    expect(await service.openGraph('https://huge.example/')).toEqual({ url: '' });
  });

  it('is 501 with link previews off', async () => {
    config.ServiceSettings.EnableLinkPreviews = false;
    await expect(service.openGraph(PAGE)).rejects.toMatchObject({ statusCode: 501, id: 'api.post.link_preview_disabled.app_error' });
    await expect(service.openGraph(PAGE)).rejects.toBeInstanceOf(AppError);
  });
});
