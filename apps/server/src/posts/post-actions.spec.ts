import { describe, expect, it } from 'vitest';
import { findAction, populateActionIds, retainedProps, stripActionIntegrations, withActionCookies } from './post-actions.js';

const integration = { url: 'https://i.test/go', context: { secret: 1 } };
const props = () => ({
  keep: true,
  attachments: [
    {
      text: 'a',
      actions: [
        { name: 'Go', type: 'button', integration },
        { id: 'given', name: 'Pick', type: 'select', integration },
      ],
    },
    null,
    'x',
  ],
});

describe('post actions', () => {
  it('give ids to actions without one and leave other props alone', () => {
    const out = populateActionIds(props());
    const actions = (out.attachments as any[])[0].actions;
    expect(actions[0].id).toMatch(/^[a-z0-9]{26}$/);
    expect(actions[1].id).toBe('given');
    expect((out.attachments as any[]).slice(1)).toEqual([null, 'x']);
    const plain = { a: 1 };
    expect(populateActionIds(plain)).toBe(plain);
  });

  it('keep an action its integration when an edit sends it back without one', () => {
    const stored = populateActionIds(props());
    const edited = populateActionIds(stripActionIntegrations(stored), stored);
    expect(findAction(edited, 'given')?.integration).toEqual(integration);
  });

  it('strip integrations from what clients see, without touching the stored props', () => {
    const stored = populateActionIds(props());
    const shown = stripActionIntegrations(stored);
    expect(JSON.stringify(shown)).not.toContain('i.test');
    expect(findAction(stored, 'given')).toEqual({ id: 'given', type: 'select', data_source: '', integration });
    expect(findAction(stored, 'nope')).toBeUndefined();
  });

  it('seal an ephemeral post’s integrations in cookies', () => {
    const seen: unknown[] = [];
    const out = withActionCookies({ id: 'p1', channel_id: 'c1', root_id: '', props: { from_webhook: 'true', ...props() } }, (c) => {
      seen.push(c);
      return `sealed${seen.length}`;
    });
    const actions = (out.attachments as any[])[0].actions;
    expect(actions.map((a: any) => [a.cookie, a.integration])).toEqual([
      ['sealed1', undefined],
      ['sealed2', undefined],
    ]);
    expect(seen[1]).toEqual({
      type: 'select',
      post_id: 'p1',
      root_post_id: 'p1',
      channel_id: 'c1',
      integration,
      retain_props: { from_webhook: 'true' },
      remove_props: ['override_username', 'override_icon_url'],
    });
  });

  it('name the props an action answer keeps and removes', () => {
    expect(retainedProps({ override_username: 'x', other: 1 })).toEqual({ retain: { override_username: 'x' }, remove: ['from_webhook', 'override_icon_url'] });
  });
});
