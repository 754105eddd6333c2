import { Injectable } from '@nestjs/common';
import { Session } from '../common/session.js';

// Placeholder contract, replaced by the teams module implementation.
@Injectable()
export class TeamsService {
  async byInviteId(_inviteId: string): Promise<{ id: string }> {
    throw new Error('not implemented');
  }

  async addMember(_teamId: string, _userId: string, _actor: Session | null): Promise<unknown> {
    throw new Error('not implemented');
  }
}
