import { describe, expect, it } from 'vitest';
import { decodeCommandResponse, encodeForm, parseCommandResponse } from './command-request.js';
import { commandResponse } from './command.model.js';

describe('command requests', () => {
  it('encode the form as Go does: keys sorted, repeated keys in order, QueryEscape', () => {
    expect(
      encodeForm([
        ['text', "a b&c=d!*'()~"],
        ['b', '2'],
        ['a', 'x'],
        ['a', 'y'],
      ]),
    ).toBe('a=x&a=y&b=2&text=a+b%26c%3Dd%21%2A%27%28%29~');
  });

  it('read JSON answers when they say so, and anything else as the text', () => {
    expect(parseCommandResponse('text/plain', '{"text":"x"}')).toEqual(commandResponse({ text: '{"text":"x"}' }));
    expect(parseCommandResponse('application/json', '{"text":"x","response_type":"in_channel"}')).toEqual(
      commandResponse({ text: 'x', response_type: 'in_channel' }),
    );
    expect(() => parseCommandResponse('application/json', '{"text":')).toThrow();
  });

  it('decode as Go decodes the struct: wrong types fail, field values become strings, nulls go', () => {
    expect(() => decodeCommandResponse({ text: 1 })).toThrow();
    expect(() => decodeCommandResponse({ props: [] })).toThrow();
    expect(() => decodeCommandResponse({ attachments: [1] })).toThrow();
    expect(() => decodeCommandResponse({ extra_responses: [{ text: false }] })).toThrow();
    expect(() => decodeCommandResponse([])).toThrow();
    const decoded = decodeCommandResponse({
      attachments: [null, { fields: [null, { title: 't', value: 3 }, { title: 'u', value: true }] }],
      extra_responses: [{ text: 'two', extra_responses: [{ text: 'ignored' }] }],
    });
    expect(decoded.attachments).toEqual([
      {
        fields: [
          { title: 't', value: '3' },
          { title: 'u', value: 'true' },
        ],
      },
    ]);
    expect(decoded.extra_responses).toEqual([commandResponse({ text: 'two' })]);
  });
});
