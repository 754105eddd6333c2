import { describe, expect, it } from 'vitest';
import { newId } from '#common';
import { defaultConfig } from '#config';
import type { WebSocketEvent } from '#realtime';
import type { Session } from '../common/session.js';
import { decodeOpenDialog } from './dialog.js';
import { DialogsService, decodeSubmitAnswer } from './dialogs.service.js';
import { memoryIntegrationKeys } from './integration-keys.service.js';
import { generateTriggerId } from './trigger-ids.js';

function setup(answer = '') {
  const keys = memoryIntegrationKeys();
  const events: WebSocketEvent[] = [];
  const calls: Array<{ url: string; payload: unknown }> = [];
  const allowed = { channel: true, team: true };
  const service = new DialogsService({
    config: { get: () => defaultConfig },
    permissions: { hasChannel: async () => allowed.channel, hasTeam: async () => allowed.team },
    publisher: { publish: (e: WebSocketEvent) => void events.push(e) },
    keys,
    request: async (url, payload) => {
      calls.push({ url, payload });
      return answer;
    },
  });
  return { service, keys, events, calls, allowed };
}

describe('opening a dialog', () => {
  it('sends open_dialog to the trigger id’s user with the client trigger id, even when the dialog is invalid', () => {
    const { service, keys, events } = setup();
    const user = newId();
    const { triggerId, clientTriggerId } = generateTriggerId(user, keys.triggerKey);
    service.open(decodeOpenDialog({ trigger_id: triggerId, url: 'https://i.test/d', dialog: { title: '' } }));
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ event: 'open_dialog', broadcast: { user_id: user, channel_id: '', team_id: '' } });
    expect(JSON.parse(events[0].data.dialog as string)).toMatchObject({ trigger_id: clientTriggerId, url: 'https://i.test/d', dialog: { title: '' } });
  });

  it('refuses a missing URL and a trigger id from another key or past its time', () => {
    const { service, keys } = setup();
    const { triggerId } = generateTriggerId(newId(), keys.triggerKey, Date.now() - defaultConfig.ServiceSettings.OutgoingIntegrationRequestsTimeout * 1000 - 1);
    expect(() => service.open(decodeOpenDialog({ trigger_id: triggerId, url: '' }))).toThrow(
      expect.objectContaining({ id: 'api.context.invalid_body_param.app_error' }),
    );
    expect(() => service.open(decodeOpenDialog({ trigger_id: triggerId, url: 'u' }))).toThrow(
      expect.objectContaining({ id: 'interactive_message.decode_trigger_id.expired' }),
    );
    const other = generateTriggerId(newId(), memoryIntegrationKeys().triggerKey);
    expect(() => service.open(decodeOpenDialog({ trigger_id: other.triggerId, url: 'u' }))).toThrow(
      expect.objectContaining({ id: 'interactive_message.decode_trigger_id.verify_signature_failed' }),
    );
  });
});

describe('submitting a dialog', () => {
  const session = { user_id: newId(), roles: 'system_user' } as Session;
  const submit = { url: 'https://i.test/s', callback_id: 'cb', state: 'st', channel_id: newId(), team_id: newId(), submission: { a: 1 }, cancelled: true };

  it('posts the submission as the caller and returns what the integration said', async () => {
    const { service, calls } = setup('{"error":"nope","errors":{"a":"bad","b":3},"type":"ok"}');
    expect(await service.submit(session, submit)).toEqual({ error: 'nope', errors: { a: 'bad' }, type: 'ok' });
    expect(calls).toEqual([
      {
        url: submit.url,
        payload: {
          type: 'dialog_submission',
          callback_id: 'cb',
          state: 'st',
          user_id: session.user_id,
          channel_id: submit.channel_id,
          team_id: submit.team_id,
          submission: { a: 1 },
          cancelled: true,
        },
      },
    ]);
  });

  it('needs read_channel and view_team', async () => {
    const denied = setup();
    denied.allowed.channel = false;
    await expect(denied.service.submit(session, submit)).rejects.toMatchObject({ statusCode: 403, detailedError: expect.stringContaining('read_channel') });
    const outside = setup();
    outside.allowed.team = false;
    await expect(outside.service.submit(session, submit)).rejects.toMatchObject({ statusCode: 403, detailedError: expect.stringContaining('view_team') });
    expect(outside.calls).toEqual([]);
  });

  it('reads what it can of an answer, as Mattermost does', () => {
    expect(decodeSubmitAnswer('')).toEqual({});
    expect(decodeSubmitAnswer('not json')).toEqual({});
    expect(decodeSubmitAnswer('{"errors": [], "error": 5}')).toEqual({});
    expect(decodeSubmitAnswer('{"type":"form","form":{"title":"Next"}}')).toMatchObject({ type: 'form', form: { title: 'Next', elements: null } });
  });
});
