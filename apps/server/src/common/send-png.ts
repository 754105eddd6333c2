import type { Response } from 'express';

/**
 * A picture (profile image, team icon) with Mattermost's caching: a day, private, and its ETag;
 * a request whose If-None-Match names that ETag gets a 304 without the body (HandleEtag).
 */
export function sendPng(res: Response, png: Buffer, etag: string): void {
  const tag = `"${etag}"`;
  res.setHeader('Cache-Control', 'max-age=86400, private');
  res.setHeader('ETag', tag);
  const match = res.req.headers['if-none-match'];
  if (match && match.split(',').some((t) => t.trim() === tag)) {
    res.status(304).end();
    return;
  }
  res.setHeader('Content-Type', 'image/png');
  res.status(200).end(png);
}
