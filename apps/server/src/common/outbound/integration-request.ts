import type { Config } from '#config';
import { AllowList } from './address-guard.js';
import { readBody, safeRequest } from './safe-fetch.js';

/** MaxIntegrationResponseSize: what the server reads of an integration's answer (1 MiB). */
export const MAX_INTEGRATION_RESPONSE_BYTES = 1024 * 1024;

export interface IntegrationAnswer {
  status: number;
  /** The media type, lower case, without parameters ('' when none was sent). */
  mediaType: string;
  body: Buffer;
}

/**
 * One request to an integration's URL (outgoing webhooks, slash commands, interactive actions,
 * dialogs) under the
 * settings that govern them: the address guard with ServiceSettings.AllowedUntrustedInternalConnections,
 * ServiceSettings.OutgoingIntegrationRequestsTimeout (seconds) over the whole exchange and
 * EnableInsecureOutgoingConnections. The answer's body is read up to the size limit (the rest is
 * dropped, as Mattermost's LimitReader does). Failures are safe-fetch's FetchError.
 */
export async function integrationRequest(
  config: Config,
  url: string,
  request: { method: 'GET' | 'POST'; headers: Record<string, string>; body?: string },
): Promise<IntegrationAnswer> {
  const settings = config.ServiceSettings;
  const res = await safeRequest(url, {
    allow: new AllowList(settings.AllowedUntrustedInternalConnections),
    timeoutMs: settings.OutgoingIntegrationRequestsTimeout * 1000,
    insecure: settings.EnableInsecureOutgoingConnections,
    // A declared length over the limit is still read up to the limit, not refused.
    maxBytes: Number.MAX_SAFE_INTEGER,
    method: request.method,
    headers: request.headers,
    body: request.body,
  });
  const { bytes } = await readBody(res, MAX_INTEGRATION_RESPONSE_BYTES);
  const contentType = res.headers['content-type'] ?? '';
  return { status: res.status, mediaType: contentType.split(';')[0].trim().toLowerCase(), body: bytes };
}

/** model.IsValidHTTPURL: starts with http:// or https:// and has a host. */
export function isValidHttpUrl(raw: string): boolean {
  if (!raw.startsWith('http://') && !raw.startsWith('https://')) return false;
  try {
    return new URL(raw).host !== '';
  } catch {
    return false;
  }
}
