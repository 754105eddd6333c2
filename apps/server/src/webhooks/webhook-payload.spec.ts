import { describe, expect, it } from 'vitest';
import { decodeIncomingRequest, escapeControlChars, mediaType, payloadText } from './webhook-payload.js';

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
