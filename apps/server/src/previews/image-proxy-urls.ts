/** Go's url.QueryEscape: like encodeURIComponent, but a space is `+` and !'()* are escaped too. */
export function queryEscape(value: string): string {
  return encodeURIComponent(value)
    .replace(/%20/g, '+')
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/**
 * ImageProxy.GetProxiedImageURL for the local proxy: a remote image becomes
 * `<SiteURL>/api/v4/image?url=<escaped>`; one on the site itself (or relative) is only made
 * absolute; an unparsable one becomes the site URL.
 */
export function proxiedImageUrl(imageUrl: string, siteUrl: string): string {
  if (imageUrl === '' || siteUrl === '') return imageUrl;
  let site: URL;
  try {
    site = new URL(siteUrl);
  } catch {
    return imageUrl;
  }
  if (/^[a-z][a-z0-9+.-]*:(?!\/\/)/i.test(imageUrl) && !/^https?:/i.test(imageUrl)) return siteUrl.replace(/\/$/, '');
  let parsed: URL;
  try {
    parsed = new URL(imageUrl, siteUrl);
  } catch {
    return siteUrl.replace(/\/$/, '');
  }
  if (parsed.host === site.host) return parsed.toString();
  return `${siteUrl.replace(/\/$/, '')}/api/v4/image?url=${queryEscape(parsed.toString())}`;
}

/** getUnproxiedImageURL: the original URL of a proxied one, else the URL itself. */
export function unproxiedImageUrl(url: string, siteUrl: string): string {
  const prefix = `${siteUrl.replace(/\/$/, '')}/api/v4/image?url=`;
  if (siteUrl === '' || !url.startsWith(prefix)) return url;
  try {
    return new URL(url).searchParams.get('url') ?? url;
  } catch {
    return url;
  }
}
