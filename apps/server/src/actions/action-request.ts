import { badRequest } from '#common';
import type { Config } from '#config';
import { integrationRequest } from '../common/outbound/integration-request.js';

export const actionIntegrationError = (detail = '') => badRequest('api.post.do_action.action_integration.app_error', 'Action Integration Error.', detail);

/**
 * DoActionRequest: a JSON POST to an integration's URL (interactive actions and dialog
 * submissions) through the outbound guard; a refused address, a failure or any status but 200 is
 * Mattermost's 400 action_integration error. Plugin URLs (/plugins/…) have no plugin to reach on
 * this server and fail the same way. The answer's body, as text.
 */
export async function postToIntegration(config: Config, url: string, payload: unknown): Promise<string> {
  let answer;
  try {
    answer = await integrationRequest(config, url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify(payload),
    });
  } catch (err) {
    throw actionIntegrationError(`err=${(err as Error).message}`);
  }
  if (answer.status !== 200) throw actionIntegrationError(`status=${answer.status}`);
  return answer.body.toString('utf8');
}
