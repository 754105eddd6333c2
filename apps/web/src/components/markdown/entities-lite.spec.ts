import { decodeHTMLStrict as real } from 'entities';
import { describe, expect, it } from 'vitest';
import { decodeHTMLStrict } from './entities-lite';

describe('entities-lite', () => {
  it('decodes numeric references and the common names as the entities package does', () => {
    for (const entity of [
      '&amp;',
      '&lt;',
      '&gt;',
      '&quot;',
      '&apos;',
      '&nbsp;',
      '&copy;',
      '&#65;',
      '&#x1F600;',
      '&#X41;',
      '&#0;',
      '&#xD800;',
      '&#x110000;',
      '&#128;',
      '&#x9F;',
      '&#9999999;',
    ]) {
      expect(decodeHTMLStrict(entity), entity).toBe(real(entity));
    }
  });

  it('leaves what it does not know as typed (the browser decodes other names)', () => {
    expect(decodeHTMLStrict('&nosuchname;')).toBe('&nosuchname;');
    expect(decodeHTMLStrict('plain')).toBe('plain');
  });
});
