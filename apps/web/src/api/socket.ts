/**
 * The WebSocket to the server (Mattermost's protocol, through @mattermost/client's
 * WebSocketClient, which resumes with connection_id and sequence_number after a drop). It is
 * authenticated by the session cookie that the browser sends with the upgrade; no token.
 */
import { WebSocketClient } from '@mattermost/client';

/** The socket's URL: ServiceSettings.WebsocketURL when set (the client config's WebsocketURL), else this site. */
export function socketUrl(location: { protocol: string; host: string }, configured = ''): string {
  const base = configured ? configured.replace(/\/+$/, '') : `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}`;
  return `${base}/api/v4/websocket`;
}

export function createSocket(): WebSocketClient {
  return new WebSocketClient();
}
