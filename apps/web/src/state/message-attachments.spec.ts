import { describe, expect, it } from 'vitest';
import { attachmentColour, fieldText, isMenu, messageAttachments } from './message-attachments';

describe('message attachments', () => {
  it('reads only well-formed attachments, fields and actions from props', () => {
    const list = messageAttachments({
      attachments: [
        {
          title: 'Build 42',
          text: 'passed',
          fields: [{ title: 'Branch', value: 'main', short: true }, 'junk'],
          actions: [{ id: 'a1', name: 'Rerun' }, { id: 'x' }],
          color: 'good',
        },
        'not an attachment',
        null,
        { title: 7, pretext: 'only this' },
      ],
    });
    expect(list).toHaveLength(2);
    expect(list[0]).toMatchObject({
      title: 'Build 42',
      text: 'passed',
      fields: [{ title: 'Branch', value: 'main', short: true }],
      actions: [{ id: 'a1', name: 'Rerun' }],
    });
    expect(list[1]).toMatchObject({ title: undefined, pretext: 'only this', fields: [], actions: [] });
    expect(messageAttachments({ attachments: 'nope' })).toEqual([]);
    expect(messageAttachments(undefined)).toEqual([]);
  });

  it("keeps Slack's colour names and hex colours, and nothing that could escape a style", () => {
    expect(attachmentColour('good')).toBe('#2eb886');
    expect(attachmentColour('DANGER')).toBe('#a30200');
    expect(attachmentColour('#36a64f')).toBe('#36a64f');
    expect(attachmentColour('red; background: url(x)')).toBeUndefined();
    expect(attachmentColour(undefined)).toBeUndefined();
  });

  it('writes field values as text and tells menus from buttons', () => {
    expect([fieldText('a'), fieldText(3), fieldText(true), fieldText({ a: 1 })]).toEqual(['a', '3', 'true', '']);
    expect(isMenu({ name: 'Pick', type: 'select' })).toBe(true);
    expect(isMenu({ name: 'Go', type: 'button' })).toBe(false);
    expect(isMenu({ name: 'Go' })).toBe(false);
  });
});
