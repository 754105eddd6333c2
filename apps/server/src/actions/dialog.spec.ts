import { describe, expect, it } from 'vitest';
import { decodeOpenDialog, decodeSubmitDialog, dialogProblems } from './dialog.js';

describe('dialogs', () => {
  it('decode into the Go structs’ fields and order, omitempty fields only when set', () => {
    const request = decodeOpenDialog({
      trigger_id: 't',
      url: 'https://i.test',
      dialog: { title: 'T', elements: [{ name: 'n', display_name: 'N', type: 'text', time_interval: 30, unknown: 1 }], extra: true },
    });
    expect(Object.keys(request.dialog)).toEqual([
      'callback_id',
      'title',
      'introduction_text',
      'icon_url',
      'elements',
      'submit_label',
      'notify_on_cancel',
      'state',
    ]);
    expect(Object.keys(request.dialog.elements![0])).toEqual([
      'display_name',
      'name',
      'type',
      'subtype',
      'default',
      'placeholder',
      'help_text',
      'optional',
      'min_length',
      'max_length',
      'data_source',
      'options',
      'multiselect',
      'time_interval',
    ]);
    expect(decodeOpenDialog({}).dialog.elements).toBeNull();
  });

  it('refuse fields of the wrong type with the invalid dialog parameter', () => {
    for (const body of [
      'x',
      [],
      { url: 1 },
      { dialog: [] },
      { dialog: { elements: {} } },
      { dialog: { elements: [{ optional: 'yes' }] } },
      { dialog: { elements: [{ min_length: 1.5 }] } },
    ]) {
      expect(() => decodeOpenDialog(body), JSON.stringify(body)).toThrow(expect.objectContaining({ id: 'api.context.invalid_body_param.app_error' }));
    }
    expect(() => decodeSubmitDialog({ submission: 'x' })).toThrow();
    expect(decodeSubmitDialog({ url: 'u', submission: { a: 1 }, user_id: 'ignored' })).toEqual({
      url: 'u',
      callback_id: '',
      state: '',
      channel_id: '',
      team_id: '',
      submission: { a: 1 },
      cancelled: false,
    });
  });

  it('name what Dialog.IsValid finds wrong', () => {
    const valid = decodeOpenDialog({
      trigger_id: 't',
      url: 'u',
      dialog: { title: 'Ok', elements: [{ name: 'a', display_name: 'A', type: 'select', options: [{ text: 'X', value: 'x' }], default: 'x' }] },
    });
    expect(dialogProblems(valid)).toEqual([]);
    const bad = decodeOpenDialog({
      url: '',
      dialog: {
        title: 'x'.repeat(25),
        icon_url: 'ftp://x',
        elements: [
          { name: 'a', display_name: 'A', type: 'select', default: 'nope', options: [] },
          { name: 'a', display_name: '', type: 'radio' },
          { name: 'c', display_name: 'C', type: 'bool', default: 'maybe' },
          { name: 'd', display_name: 'D', type: 'text', subtype: 'color', min_length: 5, max_length: 1 },
          { name: 'e', display_name: 'E', type: 'weird' },
        ],
      },
    });
    expect(dialogProblems(bad)).toEqual([
      'empty URL',
      'empty trigger id',
      `invalid dialog title "${'x'.repeat(25)}"`,
      'invalid icon url',
      '"a" field is not valid: default value "nope" doesn\'t exist in options',
      'duplicate dialog element "a"',
      '"a" field is not valid: DisplayName cannot be empty',
      '"c" field is not valid: invalid default of bool',
      '"d" field is not valid: min length should be less then max length, got 5 > 1',
      '"d" field is not valid: invalid subtype "text"',
      '"e" field is not valid: invalid element type: "weird"',
    ]);
  });
});
