import { newId } from '#common';
import { defaultNotifyProps, defaultTimezone, UserRow } from './user.model.js';

/** A complete, valid user row for service specs: `<username>@example.com`, a system user unless `over` says otherwise. */
export function testUserRow(username: string, over: Partial<UserRow> = {}): UserRow {
  return {
    id: newId(),
    create_at: 1,
    update_at: 1,
    delete_at: 0,
    username,
    password: '',
    auth_data: null,
    auth_service: '',
    email: `${username}@example.com`,
    email_verified: true,
    nickname: '',
    first_name: '',
    last_name: '',
    position: '',
    roles: 'system_user',
    locale: 'en',
    notify_props: defaultNotifyProps(),
    props: {},
    timezone: defaultTimezone(),
    last_password_update: 1,
    last_picture_update: 0,
    failed_attempts: 0,
    mfa_active: false,
    is_bot: false,
    ...over,
  };
}
