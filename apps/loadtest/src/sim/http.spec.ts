import { describe, expect, it } from 'vitest';
import { endpointKey, isMissingRoute } from './http.js';

const ID = 'abcdefghijklmnopqrstuvwxyz';
const ID2 = '0123456789abcdefghijklmnop';

describe('endpointKey', () => {
  it('names routes with ids (and the me alias) replaced, without /api/v4 and the query', () => {
    expect(endpointKey('get', `http://127.0.0.1:8065/api/v4/users/${ID}/channels/${ID2}/posts/unread?limit_after=30`)).toBe(
      'GET /users/{id}/channels/{id}/posts/unread',
    );
    expect(endpointKey('GET', 'http://h/api/v4/users/me/teams/unread?include_collapsed_threads=true')).toBe('GET /users/{id}/teams/unread');
    expect(endpointKey('post', 'http://h/api/v4/channels/members/me/view')).toBe('POST /channels/members/{id}/view');
    expect(endpointKey('PUT', `http://h/api/v4/users/${ID}/teams/${ID2}/threads/${ID}/read/1732600000000`)).toBe(
      'PUT /users/{id}/teams/{id}/threads/{id}/read/{n}',
    );
  });

  it('replaces names after name/username/email/reactions segments', () => {
    expect(endpointKey('GET', 'http://h/api/v4/teams/name/lt-team-1/channels/name/town-square')).toBe('GET /teams/name/{name}/channels/name/{name}');
    expect(endpointKey('GET', 'http://h/api/v4/users/username/lt-user-7')).toBe('GET /users/username/{username}');
    expect(endpointKey('DELETE', `http://h/api/v4/users/${ID}/posts/${ID2}/reactions/tada`)).toBe('DELETE /users/{id}/posts/{id}/reactions/{reactions}');
  });
});

describe('isMissingRoute', () => {
  it("is Mattermost's 404 for an unknown route only", () => {
    expect(isMissingRoute({ status_code: 404, server_error_id: 'api.context.404.app_error' })).toBe(true);
    expect(isMissingRoute({ status_code: 404, server_error_id: 'app.channel.get.existing.app_error' })).toBe(false);
    expect(isMissingRoute(new Error('x'))).toBe(false);
  });
});
