import { describe, expect, it } from 'vitest';
import { countGifFrames, probeImage, sniffContentType } from './image-info.js';
import { gif, png } from './image.fixtures.js';
import { firstLink, markdownImages, proxyMessageImages, restrictedDomains } from './links.js';
import { proxiedImageUrl, queryEscape, unproxiedImageUrl } from './image-proxy-urls.js';
import { floorToHour, linkMetadataHash } from './link-metadata.repository.js';

describe('image sizes', () => {
  it('reads a PNG from its first bytes', () => {
    expect(probeImage(png(40, 30).subarray(0, 40), false)).toEqual({ image: { width: 40, height: 30, format: 'png', frame_count: 0 } });
  });

  it('waits for a whole GIF to count its frames', () => {
    const bytes = gif(3);
    expect(probeImage(bytes.subarray(0, 20), false)).toEqual({ needMore: true });
    expect(probeImage(bytes, true)).toEqual({ image: { width: 3, height: 2, format: 'gif', frame_count: 3 } });
    expect(countGifFrames(gif(1))).toBe(1);
  });

  it('says when bytes are no image, and sniffs types', () => {
    expect(probeImage(Buffer.from('hello'), true)).toHaveProperty('error');
    expect(sniffContentType(png(1, 1))).toBe('image/png');
    expect(sniffContentType(Buffer.from('  <!DOCTYPE html><html>'))).toContain('text/html');
  });
});

describe('links in a message', () => {
  it('takes the first autolink outside code and markdown links', () => {
    expect(firstLink('see `https://code.example` and [x](https://link.example) then https://one.example/a?b=1. and https://two.example', [])).toBe(
      'https://one.example/a?b=1',
    );
    expect(firstLink('```\nhttps://fenced.example\n```\n<https://angle.example/p>', [])).toBe('https://angle.example/p');
    expect(firstLink('(www.example.com/x)', [])).toBe('http://www.example.com/x');
    expect(firstLink('no links here', [])).toBe('');
  });

  it('skips restricted domains', () => {
    const restricted = restrictedDomains('@Corp.example, other.example');
    expect(restricted).toEqual(['corp.example', 'other.example']);
    expect(firstLink('https://a.corp.example/x https://fine.example', restricted)).toBe('https://fine.example');
  });

  it('finds markdown images and routes them through the proxy', () => {
    const msg = 'look ![alt](https://img.example/a.png "t") and `![no](https://code.example/b.png)`';
    expect(markdownImages(msg)).toEqual(['https://img.example/a.png']);
    expect(proxyMessageImages(msg, (u) => `P(${u})`)).toBe('look ![alt](P(https://img.example/a.png) "t") and `![no](https://code.example/b.png)`');
  });
});

describe('proxy URLs and keys', () => {
  it('escapes as Go url.QueryEscape and leaves site images alone', () => {
    expect(queryEscape("a b!'()*~")).toBe('a+b%21%27%28%29%2A~');
    const site = 'http://chat.example:8065';
    const proxied = proxiedImageUrl('https://img.example/a b.png?x=1', site);
    expect(proxied).toBe('http://chat.example:8065/api/v4/image?url=https%3A%2F%2Fimg.example%2Fa%2520b.png%3Fx%3D1');
    expect(unproxiedImageUrl(proxied, site)).toBe('https://img.example/a%20b.png?x=1');
    expect(proxiedImageUrl('/static/x.png', site)).toBe('http://chat.example:8065/static/x.png');
  });

  it("hashes (url, hour) as Mattermost's GenerateLinkMetadataHash (FNV-1 32)", () => {
    expect(floorToHour(3_600_000 * 5 + 1234)).toBe(3_600_000 * 5);
    // FNV-1 of eight zero bytes.
    let h = 0x811c9dc5;
    for (let i = 0; i < 8; i++) h = Math.imul(h, 0x01000193) >>> 0;
    // then 'a' (0x61): multiply, xor.
    const withA = ((Math.imul(h, 0x01000193) >>> 0) ^ 0x61) >>> 0;
    expect(linkMetadataHash('a', 0)).toBe(withA);
    expect(linkMetadataHash('', 0)).toBe(h >>> 0);
    expect(linkMetadataHash('https://a', 1)).not.toBe(linkMetadataHash('https://a', 2));
  });
});
