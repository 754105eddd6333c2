import type { OpenGraphMetadata, Post, PostEmbed } from '@mattermost/types/posts';
import { safeHref } from '../../../components/markdown/parse';
import { enabled } from '../../../state/config';
import { useAppState } from '../../../state/store';

/**
 * The previews of a post's links, as the server fetched them (post.metadata.embeds, type
 * opengraph: site, title, description). Their images come from other sites, which the page's CSP
 * does not allow: they show only through the server's image proxy (ImageProxySettings).
 */
export function LinkPreviews({ post }: { post: Post }) {
  const proxy = useAppState((s) => enabled(s.config.client, 'HasImageProxy'));
  const embeds = (post.metadata?.embeds ?? []).filter(
    (e): e is PostEmbed & { data: OpenGraphMetadata } => e.type === 'opengraph' && !!e.data && !!safeHref(e.url),
  );
  if (embeds.length === 0) return null;
  return (
    <>
      {embeds.map((embed) => (
        <OpenGraphCard key={embed.url} url={embed.url} data={embed.data} proxy={proxy} />
      ))}
    </>
  );
}

/**
 * Where the page may load a preview's picture from: this site (with the proxy on the server
 * already gives the proxied URL, absolute on SiteURL), else through the proxy, else nowhere.
 */
export function imageSrc(url: string, proxy: boolean): string {
  try {
    const parsed = new URL(url, window.location.origin);
    if (parsed.origin === window.location.origin) return parsed.pathname + parsed.search;
  } catch {
    return '';
  }
  return proxy ? `/api/v4/image?url=${encodeURIComponent(url)}` : '';
}

function OpenGraphCard({ url, data, proxy }: { url: string; data: OpenGraphMetadata; proxy: boolean }) {
  const image = data.images?.find((i) => safeHref(i.secure_url || i.url));
  const imageUrl = image ? imageSrc(image.secure_url || image.url, proxy) : '';
  const title = data.title || url;
  return (
    <aside className="link-preview" aria-label={`Preview of ${title}`}>
      <div className="link-preview-text">
        {data.site_name && <p className="link-preview-site">{data.site_name}</p>}
        <a className="link-preview-title" href={url} target="_blank" rel="noopener noreferrer">
          {title}
        </a>
        {data.description && <p className="link-preview-description">{data.description}</p>}
      </div>
      {imageUrl && (
        <img className="link-preview-image" src={imageUrl} alt="" loading="lazy" width={image?.width || undefined} height={image?.height || undefined} />
      )}
    </aside>
  );
}
