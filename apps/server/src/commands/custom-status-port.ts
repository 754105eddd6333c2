import { Injectable } from '@nestjs/common';
import { invalidParam, notFound } from '#common';
import type { Session } from '../common/session.js';
import { UsersRepository } from '../users/users.repository.js';
import { UsersService } from '../users/users.service.js';

/** The user prop that holds the custom status as a JSON string (model.UserPropsKeyCustomStatus). */
const CUSTOM_STATUS_PROP = 'customStatus';
const TEXT_MAX_RUNES = 100;

/**
 * What /status needs of custom statuses: the status area's CustomStatusService's set and clear,
 * with its signatures. This branch writes the prop through the user update until that service
 * is at hand; where it is, AppCommandEnv.customStatus is that service and this class goes.
 */
export interface CustomStatusPort {
  set(actor: Session, userId: string, body: unknown): Promise<void>;
  clear(actor: Session, userId: string): Promise<void>;
}

@Injectable()
export class ProfileCustomStatus implements CustomStatusPort {
  constructor(
    private readonly users: UsersRepository,
    private readonly profiles: UsersService,
  ) {}

  /** SetCustomStatus for a status /status made: its text cut to 100 runes (CustomStatus.PreSave). */
  async set(actor: Session, userId: string, body: unknown): Promise<void> {
    const { emoji, text, duration, expires_at } = body as { emoji?: string; text?: string; duration?: string; expires_at?: string };
    if (!emoji && !text) throw invalidParam('custom_status');
    const status = {
      emoji: emoji ?? '',
      text: [...(text ?? '')].slice(0, TEXT_MAX_RUNES).join(''),
      duration: duration ?? '',
      expires_at: expires_at ?? '0001-01-01T00:00:00Z',
    };
    await this.write(actor, userId, JSON.stringify(status));
  }

  /** RemoveCustomStatus: the prop becomes an empty string. */
  async clear(actor: Session, userId: string): Promise<void> {
    await this.write(actor, userId, '');
  }

  private async write(actor: Session, userId: string, value: string): Promise<void> {
    const user = await this.users.byId(userId);
    if (!user) throw notFound('app.user.missing_account.const', 'Unable to find the user.');
    await this.profiles.patch(actor, userId, { props: { ...user.props, [CUSTOM_STATUS_PROP]: value } });
  }
}
