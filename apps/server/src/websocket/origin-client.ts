/** The kind of client a request came from, as Mattermost labels its metrics (`origin_client`). */
export type OriginClient = 'web' | 'mobile' | 'desktop' | 'unknown';

/**
 * Mattermost's GetOriginClient: no User-Agent is `unknown`; `mobilev2=true` in the query, or a
 * User-Agent whose first word starts with `rnbeta` or `Mattermost`, is the mobile app; a last word
 * starting with `Mattermost` is the desktop app (Electron appends it); anything else is a browser.
 */
export function originClient(userAgent: string | undefined, query: URLSearchParams): OriginClient {
  const fields = (userAgent ?? '').split(/\s+/).filter(Boolean);
  if (fields.length === 0) return 'unknown';
  if (query.get('mobilev2') === 'true') return 'mobile';
  if (fields[0].startsWith('rnbeta') || fields[0].startsWith('Mattermost')) return 'mobile';
  if (fields[fields.length - 1].startsWith('Mattermost')) return 'desktop';
  return 'web';
}
