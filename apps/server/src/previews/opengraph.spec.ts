import { describe, expect, it } from 'vitest';
import { textDecoder } from './link-fetcher.js';
import { finishOpenGraph, hasOpenGraph, OpenGraphReader, parseOpenGraph, truncateOpenGraph, withProxiedImages } from './opengraph.js';

const PAGE = `<!doctype html><html><head>
<meta charset="utf-8"><title>ignored</title>
<meta property="og:title" content="Caf&eacute; &amp; bar">
<meta property="og:type" content="website">
<meta property="og:url" content="https://moved.example/x">
<meta property="og:description" content="A description">
<meta property="og:site_name" content="Site">
<meta property="og:locale" content="en_GB"><meta property="og:locale:alternate" content="fr_FR">
<meta property="og:image:width" content="99">
<meta property="og:image" content="/img/a.png">
<meta property="og:image:secure_url" content="https://cdn.example/a.png">
<meta property="og:image:width" content="640"><meta property="og:image:height" content="abc">
<meta PROPERTY="og:image" content="b.png">
<meta name="og:title" content="name is not property">
<meta property="og:video" content="https://v.example/v.mp4"><meta property="og:audio" content="https://a.example/a.mp3">
</head><body><meta property="og:title" content="in body"></body></html>`;

describe('OpenGraph from HTML', () => {
  it("reads go-opengraph's fields from meta property tags in the head only", () => {
    const og = finishOpenGraph(parseOpenGraph(PAGE), 'https://site.example/dir/page');
    expect(og).toEqual({
      type: 'website',
      url: 'https://site.example/dir/page',
      title: 'Café & bar',
      description: 'A description',
      determiner: '',
      site_name: 'Site',
      locale: 'en_GB',
      locales_alternate: ['fr_FR'],
      images: [
        { url: 'https://site.example/img/a.png', secure_url: 'https://cdn.example/a.png', type: '', width: 640, height: 0 },
        { url: 'https://site.example/dir/b.png', secure_url: '', type: '', width: 0, height: 0 },
      ],
      audios: [{ url: 'https://a.example/a.mp3', secure_url: '', type: '' }],
      videos: [{ url: 'https://v.example/v.mp4', secure_url: '', type: '', width: 0, height: 0 }],
    });
  });

  it('stops at <body> while reading in pieces', () => {
    const reader = new OpenGraphReader();
    expect(reader.write('<html><head><meta property="og:ti')).toBe(false);
    expect(reader.write('tle" content="T"></head><body>')).toBe(true);
    expect(reader.end().title).toBe('T');
  });

  it('has no graph without a title, type or url; lists stay null as Go encodes nil', () => {
    const og = parseOpenGraph('<html><head><meta property="og:description" content="d"></head></html>');
    expect(hasOpenGraph(og)).toBe(false);
    expect(og.images).toBeNull();
    expect(JSON.parse(JSON.stringify(og)).locales_alternate).toBeNull();
  });

  it('truncates as TruncateOpenGraph', () => {
    const og = finishOpenGraph(parseOpenGraph(PAGE), 'https://site.example/');
    const long = { ...og, title: 'é'.repeat(301), images: Array.from({ length: 7 }, () => og.images![0]) };
    const t = truncateOpenGraph(long);
    expect(t.title).toBe(`${'é'.repeat(300)}[...]`);
    expect(t.images).toHaveLength(5);
    expect([t.locale, t.determiner, t.locales_alternate, t.audios, t.videos]).toEqual(['', '', null, null, null]);
  });

  it('routes images through the proxy: secure_url first, url emptied', () => {
    const og = finishOpenGraph(parseOpenGraph(PAGE), 'https://site.example/');
    const proxied = withProxiedImages(og, (u) => `P(${u})`);
    expect(proxied.images![0]).toMatchObject({ url: '', secure_url: 'P(https://cdn.example/a.png)' });
    expect(proxied.images![1]).toMatchObject({ url: '', secure_url: 'P(https://site.example/b.png)' });
  });

  it('decodes the page in its declared charset (header first, then a meta tag)', () => {
    const latin1 = Buffer.from('<html><head><meta charset="iso-8859-1"><meta property="og:title" content="Caf\xe9"></head>', 'latin1');
    expect(parseOpenGraph(textDecoder('text/html', latin1).decode(latin1)).title).toBe('Café');
    expect(textDecoder('text/html; charset=windows-1252').encoding).toBe('windows-1252');
    expect(textDecoder('text/html; charset=no-such-thing').encoding).toBe('utf-8');
  });

  it('fills article, book and profile parts as go-opengraph does, and truncation drops them', () => {
    const og = parseOpenGraph(`<head><meta property="og:type" content="article"><meta name="description" content="x">
      <meta property="article:published_time" content="2024-05-06T07:08:09Z"><meta property="article:modified_time" content="yesterday">
      <meta property="article:section" content="ignored"><meta property="article:secttion" content="News">
      <meta property="article:tag" content="a"><meta property="article:tag" content="b">
      <meta property="article:author:first_name" content="Ada"><meta property="article:author:last_name" content="L"></head>`);
    expect(og.article).toEqual({
      published_time: '2024-05-06T07:08:09Z',
      modified_time: null,
      expiration_time: null,
      section: 'News',
      tags: ['a', 'b'],
      authors: [{ first_name: 'Ada', last_name: 'L', username: '', gender: '' }],
    });
    expect(og.book).toBeUndefined();
    expect(JSON.parse(JSON.stringify(truncateOpenGraph(og)))).not.toHaveProperty('article');
    const profile = parseOpenGraph('<meta property="og:type" content="profile"><meta property="profile:username" content="ada">');
    expect(profile.profile).toEqual({ first_name: '', last_name: '', username: 'ada', gender: '' });
    expect(parseOpenGraph('<meta property="og:type" content="website"><meta name="x" content="y">')).not.toHaveProperty('article');
  });
});
