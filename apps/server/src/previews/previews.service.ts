import { Injectable, Logger } from '@nestjs/common';
import { AppError } from '#common';
import { ConfigService } from '#config';
import type { PostImage } from './image-info.js';
import { proxiedImageUrl, unproxiedImageUrl } from './image-proxy-urls.js';
import { floorToHour } from './link-metadata.repository.js';
import { LinkMetadataService, type LinkKey, type ResolvedLink } from './link-metadata.service.js';
import { firstLink, mayHaveLinks, previewableImages, proxyMessageImages, restrictedDomains } from './links.js';
import { openGraphImageUrls, truncateOpenGraph, withProxiedImages, type OpenGraph } from './opengraph.js';

/** model.PostEmbed. */
export interface PostEmbed {
  type: 'opengraph' | 'image' | 'link' | 'message_attachment';
  url?: string;
  data?: OpenGraph;
}

/** The part of a client post this area fills in (PreparePostForClient's embeds and images). */
export interface PreviewablePost {
  message: string;
  create_at: number;
  delete_at: number;
  props: Record<string, unknown>;
  metadata: { embeds?: PostEmbed[]; images?: Record<string, PostImage> };
}

const log = new Logger('previews');

/** openGraphMetadataCacheEntrySizeLimit: 5 KiB of JSON. */
export const OPEN_GRAPH_MAX_JSON_BYTES = 5 * 1024;

/**
 * A post's links as its client view shows them, found once per page by linksOf and used by warm and
 * addEmbedsAndImages: two regular-expression passes over each message are then made once, not twice.
 */
export interface PostLinks {
  /** The message with its images through the local image proxy when that is on, as the client gets it. */
  message: string;
  /** The link the embed is made of ('' for none). */
  link: string;
  /** The images the message shows. */
  images: string[];
}

interface Plan {
  post: PreviewablePost;
  link: string;
  images: string[];
}

type LinkedPost = Pick<PreviewablePost, 'message' | 'create_at' | 'delete_at' | 'props'>;

/** Link previews: POST /opengraph and the embeds and images of posts (app/post_metadata.go, app/opengraph.go). */
@Injectable()
export class PreviewsService {
  constructor(
    private readonly links: LinkMetadataService,
    private readonly config: ConfigService,
  ) {}

  /** POST /opengraph: 501 when link previews are off; a page without usable tags is `{"url": ""}`, as a failed fetch is. */
  async openGraph(url: string): Promise<OpenGraph | { url: '' }> {
    if (!this.config.get().ServiceSettings.EnableLinkPreviews) {
      throw new AppError(
        'getOpenGraphMetadata',
        'api.post.link_preview_disabled.app_error',
        'Link previews have been disabled by the system administrator.',
        501,
      );
    }
    const { row } = await this.links.resolve({ url, timestamp: floorToHour(Date.now()) });
    if (row.type !== 'opengraph') return { url: '' };
    const og = this.proxied(row.data);
    // parseOpenGraphMetadata refuses a graph whose JSON passes its cache entry limit.
    return Buffer.byteLength(JSON.stringify(og)) > OPEN_GRAPH_MAX_JSON_BYTES ? { url: '' } : og;
  }

  /**
   * getEmbedsAndImages for client posts, in place: the first link's embed and the dimensions of
   * the images shown. Everything known is read in one database query per round; only links never
   * seen for that hour are fetched, as Mattermost does. Deleted posts get nothing. `links` is
   * linksOf(posts) when the caller already has it.
   */
  async addEmbedsAndImages(posts: PreviewablePost[], links: ReadonlyArray<PostLinks | undefined> = this.linksOf(posts)): Promise<void> {
    try {
      await this.fillMetadata(posts, links);
    } catch (err) {
      // As Mattermost: a post is still served when its link metadata cannot be had.
      log.warn(`link metadata unavailable: ${(err as Error).message}`);
    }
  }

  /**
   * Reads what is stored for the posts' links and images (what addEmbedsAndImages asks first) into
   * this node's memory of links, while the caller reads the posts' other metadata: a page then waits
   * for one round trip less. It fetches nothing, so a link never seen is fetched by
   * addEmbedsAndImages as before; a failure is left for it to meet.
   */
  async warm(posts: readonly LinkedPost[], links: ReadonlyArray<PostLinks | undefined> = this.linksOf(posts)): Promise<void> {
    const keys = this.firstKeys(posts.flatMap((post, i) => (links[i] ? [{ post, ...links[i] }] : [])));
    if (keys.length > 0) await this.links.preload(keys).catch(() => undefined);
  }

  /**
   * Each post's links, in the posts' order (undefined for a deleted post). The message goes through
   * the image proxy first, as PreparePostForClient does, so the links found are the ones shown.
   */
  linksOf(posts: readonly LinkedPost[]): Array<PostLinks | undefined> {
    const proxy = this.proxyFn();
    return posts.map((post) => {
      if (post.delete_at !== 0) return undefined;
      const message = proxy && post.message.includes('![') ? proxyMessageImages(post.message, proxy) : post.message;
      if (this.noLinks(message, post.props)) return { message, link: '', images: [] };
      return { message, ...this.linksIn(message, post.props) };
    });
  }

  private async fillMetadata(posts: PreviewablePost[], links: ReadonlyArray<PostLinks | undefined>): Promise<void> {
    const plans = posts.flatMap((post, i) => {
      const found = links[i];
      return found ? [this.plan(post, found)] : [];
    });
    const live = plans.filter((p) => p.link !== '' || p.images.length > 0);
    if (live.length === 0) return;
    const keyFor = (plan: Plan, url: string) => this.keyFor(plan.post, url);

    const first = await this.links.resolveMany(this.firstKeys(live));
    for (const plan of live) {
      if (plan.link) this.addEmbed(plan, this.links.get(first, keyFor(plan, plan.link)));
    }
    const ogImages = live.flatMap((plan) => this.embedImageUrls(plan).map((url) => ({ plan, url })));
    const second = await this.links.resolveMany(ogImages.map(({ plan, url }) => keyFor(plan, url)));
    for (const plan of live) {
      const images: Record<string, PostImage> = {};
      for (const url of new Set([...plan.images, ...this.embedImageUrls(plan)])) {
        const found = this.links.get(first, keyFor(plan, url)) ?? this.links.get(second, keyFor(plan, url));
        if (found?.row.type === 'image' && found.row.data.format !== 'svg') images[url] = found.row.data;
      }
      if (Object.keys(images).length > 0) plan.post.metadata.images = images;
    }
  }

  /** The client post takes its proxied message and, with attachments, their embed; its links are planned. */
  private plan(post: PreviewablePost, { message, link, images }: PostLinks): Plan {
    post.message = message;
    if (post.props.attachments !== undefined) post.metadata.embeds = [{ type: 'message_attachment' }];
    return { post, link, images };
  }

  /** HasUnsafeLinks: webhook posts that asked for no link unfurling get neither embeds nor images. */
  private noLinks(message: string, props: Record<string, unknown>): boolean {
    return props.unsafe_links === 'true' || !mayHaveLinks(message);
  }

  /** The link a post's embed is made of and the images its message shows. */
  private linksIn(message: string, props: Record<string, unknown>): { link: string; images: string[] } {
    const cfg = this.config.get();
    const restricted = restrictedDomains(cfg.ServiceSettings.RestrictLinkPreviews);
    const link = props.attachments === undefined && cfg.ServiceSettings.EnableLinkPreviews ? firstLink(message, restricted) : '';
    const images = previewableImages(message, restricted).filter((u) => !u.toLowerCase().startsWith('data:image/'));
    return { link, images };
  }

  /** The first round's keys: every post's link and images, as stored (not through the image proxy), for its hour. */
  private firstKeys(plans: Array<{ post: Pick<PreviewablePost, 'create_at'>; link: string; images: string[] }>): LinkKey[] {
    return plans.flatMap((p) => [...(p.link ? [this.keyFor(p.post, p.link)] : []), ...p.images.map((u) => this.keyFor(p.post, u))]);
  }

  private keyFor(post: Pick<PreviewablePost, 'create_at'>, url: string): LinkKey {
    return { url: unproxiedImageUrl(url, this.siteUrl()), timestamp: floorToHour(post.create_at) };
  }

  /** getEmbedForPost for the first link: OpenGraph, image (an SVG only as a link), or a plain link; none when the fetch failed. */
  private addEmbed(plan: Plan, found: ResolvedLink | undefined) {
    if (!found || (found.error && found.row.type === 'none')) return;
    const { row } = found;
    let embed: PostEmbed;
    if (row.type === 'opengraph') embed = { type: 'opengraph', url: plan.link, data: this.proxied(truncateOpenGraph(row.data)) };
    else if (row.type === 'image' && row.data.format !== 'svg' && !/\.svg(?:[?#]|$)/i.test(plan.link)) embed = { type: 'image', url: plan.link };
    else embed = { type: 'link', url: plan.link };
    plan.post.metadata.embeds = [...(plan.post.metadata.embeds ?? []), embed];
  }

  /** The images an embed shows: the linked image itself, or the OpenGraph images. */
  private embedImageUrls(plan: Plan): string[] {
    const urls: string[] = [];
    for (const embed of plan.post.metadata.embeds ?? []) {
      if (embed.type === 'image' && embed.url) urls.push(embed.url);
      if (embed.type === 'opengraph' && embed.data) urls.push(...openGraphImageUrls(embed.data));
    }
    return urls;
  }

  private proxied(og: OpenGraph): OpenGraph {
    const proxy = this.proxyFn();
    return proxy ? withProxiedImages(og, proxy) : og;
  }

  /** ImageProxyAdder: the URL rewrite while the local image proxy is on. */
  private proxyFn(): ((url: string) => string) | undefined {
    const settings = this.config.get().ImageProxySettings;
    if (!settings.Enable || settings.ImageProxyType !== 'local') return undefined;
    const site = this.siteUrl();
    return (url) => proxiedImageUrl(url, site);
  }

  private siteUrl(): string {
    return this.config.get().ServiceSettings.SiteURL;
  }
}
