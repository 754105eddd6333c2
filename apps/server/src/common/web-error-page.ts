import type { Response } from 'express';
import type { AppError } from '#common';

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * An error on a browser route outside /api/v4 (Mattermost's utils.RenderWebAppError): the error's
 * status with a small page that sends the browser to the web app's error page
 * (`<subpath>/error?message=…`), where a JSON body would show as raw text.
 */
export function sendWebErrorPage(res: Response, err: AppError, siteUrl: string): void {
  let subpath = '';
  try {
    subpath = siteUrl ? new URL(siteUrl).pathname.replace(/\/+$/, '') : '';
  } catch {
    /* an unparsable SiteURL: the site's root */
  }
  const href = escapeHtml(`${subpath}/error?${new URLSearchParams({ message: err.message }).toString()}`);
  res
    .status(err.statusCode)
    .type('html')
    .set('Cache-Control', 'no-store')
    .set('Content-Security-Policy', "default-src 'none'")
    .send(
      `<!DOCTYPE html><html><head><meta charset="utf-8"><meta http-equiv="refresh" content="0; url=${href}"></head>` +
        `<body><a href="${href}">${escapeHtml(err.message)}</a></body></html>`,
    );
}
