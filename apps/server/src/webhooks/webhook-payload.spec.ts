import { describe, expect, it } from 'vitest';
import { decodeIncomingRequest, decodeMultipartRequest, escapeControlChars, mediaType, payloadText } from './webhook-payload.js';

const PARSE = { statusCode: 400, id: 'model.incoming_hook.parse_data.app_error' };

describe('the incoming webhook payload', () => {
  it('decodes every field, keys in any case, unknown ones ignored', () => {
    const req = decodeIncomingRequest(
      JSON.stringify({
        TEXT: 't',
        username: 'u',
        icon_url: 'i',
        channel: '#c',
        props: { a: 1 },
        type: 'custom_x',
        icon_emoji: 'e',
        priority: { priority: 'urgent' },
        extra: 1,
      }),
      'h',
    );
    expect(req).toEqual({
      text: 't',
      username: 'u',
      icon_url: 'i',
      channel: '#c',
      props: { a: 1 },
      attachments: null,
      type: 'custom_x',
      icon_emoji: 'e',
      priority: { priority: 'urgent' },
    });
  });

  it('is an empty request for null, and refuses anything but an object of the right types', () => {
    expect(decodeIncomingRequest('null', 'h')).toMatchObject({ text: '', attachments: null });
    for (const bad of [
      '',
      '[]',
      '"text"',
      '{"text": 1}',
      '{"props": []}',
      '{"priority": {"requested_ack": "yes"}}',
      '{"text": "\\u0000"}',
      '{"props": {"__proto__": {}}}',
    ]) {
      expect(() => decodeIncomingRequest(bad, 'h'), bad).toThrow(expect.objectContaining(PARSE));
    }
  });

  it("retries with raw newlines and tabs escaped inside Slack's text keys only", () => {
    expect(escapeControlChars('{"text": "a\nb", "other": "c\nd"}')).toBe('{"text": "a\\nb", "other": "c\nd"}');
    expect(decodeIncomingRequest('{"text": "a\n\tb", "attachments": [{"fallback": "x\ny"}]}', 'h')).toMatchObject({
      text: 'a\n\tb',
      attachments: [{ fallback: 'x\ny' }],
    });
    expect(() => decodeIncomingRequest('{"channel": "a\nb"}', 'h')).toThrow(expect.objectContaining(PARSE));
  });

  it("reads a form's payload field from the body, then the query", () => {
    const form = Buffer.from(new URLSearchParams({ payload: '{"text":"x"}' }).toString());
    expect(payloadText(form, 'application/x-www-form-urlencoded', {})).toBe('{"text":"x"}');
    expect(payloadText(Buffer.from('a=1'), 'application/x-www-form-urlencoded', { payload: '{"text":"q"}' })).toBe('{"text":"q"}');
    expect(payloadText(Buffer.from('a=1'), 'application/x-www-form-urlencoded', {})).toBe('');
    expect(payloadText(Buffer.from('{"text":"j"}'), 'application/json', { payload: 'ignored' })).toBe('{"text":"j"}');
  });

  it('reads the media type of the Content-Type, refusing a malformed one', () => {
    expect(mediaType(undefined, 'h')).toBe('');
    expect(mediaType('Application/X-WWW-Form-Urlencoded; charset=utf-8', 'h')).toBe('application/x-www-form-urlencoded');
    expect(() => mediaType('not a type', 'h')).toThrow(expect.objectContaining({ statusCode: 400, id: 'api.webhook.incoming.error' }));
  });
});

describe('a multipart payload', () => {
  const multipart = (fields: Record<string, string>) => {
    const boundary = 'xBOUNDARYx';
    const parts = Object.entries(fields).map(([k, v]) => `--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`);
    return { body: Buffer.from(parts.join('') + `--${boundary}--\r\n`), type: `multipart/form-data; boundary=${boundary}` };
  };

  it("takes the text fields by Go's field names, in any case", async () => {
    const { body, type } = multipart({
      text: 'hi',
      Username: 'bot',
      IconURL: 'http://i.test/x.png',
      channelname: 'town-square',
      ICONEMOJI: 'tada',
      type: 'custom_x',
    });
    await expect(decodeMultipartRequest(body, type, 'h')).resolves.toEqual({
      text: 'hi',
      username: 'bot',
      icon_url: 'http://i.test/x.png',
      channel: 'town-square',
      props: {},
      attachments: null,
      type: 'custom_x',
      icon_emoji: 'tada',
      priority: null,
    });
  });

  it('refuses a field the form decoder does not know, and a body that is not multipart', async () => {
    const { body, type } = multipart({ text: 'hi', icon_url: 'x' });
    await expect(decodeMultipartRequest(body, type, 'h')).rejects.toMatchObject({ statusCode: 400, id: 'api.webhook.incoming.error' });
    await expect(decodeMultipartRequest(Buffer.from('junk'), 'multipart/form-data', 'h')).rejects.toMatchObject({
      statusCode: 400,
      id: 'api.webhook.incoming.error',
    });
  });
});
