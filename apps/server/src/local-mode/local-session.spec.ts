import { Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { isLocalConnection, isLocalRoute, isLocalSession, localSession, markLocalConnection } from './local-session.js';

describe('local mode requests', () => {
  it('are local only by the connection they came on', () => {
    const tcp = new Socket();
    const unix = new Socket();
    markLocalConnection(unix);
    expect(isLocalConnection({ socket: unix })).toBe(true);
    expect(isLocalConnection({ socket: tcp })).toBe(false);
    expect(isLocalConnection({ socket: null })).toBe(false);
    expect(isLocalConnection({})).toBe(false);
  });

  it("reach the routes of Mattermost's local router only", () => {
    expect(isLocalRoute('GET', '/api/v4/config')).toBe(true);
    expect(isLocalRoute('put', '/api/v4/users/:user_id/active')).toBe(true);
    expect(isLocalRoute('POST', '/api/v4/channels/:channel_id/move')).toBe(true);
    expect(isLocalRoute('GET', '/api/v4/cluster/status')).toBe(true);
    // not on the local router
    expect(isLocalRoute('POST', '/api/v4/users/login')).toBe(false);
    expect(isLocalRoute('GET', '/api/v4/users/:user_id/teams')).toBe(false);
    expect(isLocalRoute('DELETE', '/api/v4/config')).toBe(false);
    expect(isLocalRoute('GET', undefined)).toBe(false);
  });

  it('act as an unrestricted admin with no user', () => {
    const s = localSession();
    expect(s.roles.split(' ')).toContain('system_admin');
    expect(s.user_id).toBe('');
    expect(isLocalSession(s)).toBe(true);
    expect(isLocalSession({ props: {} })).toBe(false);
    expect(isLocalSession(undefined)).toBe(false);
  });
});
