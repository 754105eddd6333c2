import type { Response } from 'express';

const DAY_SEC = 24 * 60 * 60;

export interface PngCaching {
  /**
   * The ETag, sent as it is: Mattermost's is the bare decimal of last_picture_update or
   * last_team_icon_update, and the Go client and load-test agent send that value back unquoted.
   * None: no ETag and no revalidation (the default picture's own route, a picture that failed to read).
   */
  etag?: string;
  /** Cache-Control max-age in seconds (a day, or 5 minutes for a picture that failed to read). */
  maxAgeSec?: number;
}

/**
 * A picture (profile image, team icon) with Mattermost's caching: private, a day, and its ETag;
 * a request whose If-None-Match is exactly that ETag gets a 304 without the body (c.HandleEtag
 * compares the header to the tag as strings).
 */
export function sendPng(res: Response, png: Buffer, { etag, maxAgeSec = DAY_SEC }: PngCaching = {}): void {
  if (etag) {
    res.setHeader('ETag', etag);
    if (res.req.headers['if-none-match'] === etag) {
      res.status(304).end();
      return;
    }
  }
  res.setHeader('Cache-Control', `max-age=${maxAgeSec}, private`);
  res.setHeader('Content-Type', 'image/png');
  res.status(200).end(png);
}
