import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { invalidParam } from '#common';
import { CurrentSession } from '../../common/decorators.js';
import { bodyObject } from '../../common/params.js';
import type { Session } from '../../common/session.js';
import { EphemeralPostInput, EphemeralService } from './ephemeral.service.js';

/** api4/post.go createEphemeralPost. */
@Controller('posts')
export class EphemeralController {
  constructor(private readonly ephemeral: EphemeralService) {}

  @Post('ephemeral')
  @HttpCode(201)
  create(@Body() body: unknown, @CurrentSession() s: Session) {
    const { userId, post } = parseEphemeralRequest(body);
    return this.ephemeral.createFromApi(s, userId, post);
  }
}

/**
 * model.PostEphemeral: {user_id, post}. A body that does not decode (a field of the wrong type) is
 * `body`; then a missing user_id or post is named, before any permission check, as Mattermost does.
 */
export function parseEphemeralRequest(body: unknown): { userId: string; post: EphemeralPostInput } {
  const request = bodyObject(body);
  const userId = request.user_id ?? '';
  const post = request.post ?? null;
  if (typeof userId !== 'string') throw invalidParam('body');
  if (post !== null && (typeof post !== 'object' || Array.isArray(post))) throw invalidParam('body');
  const fields = (post ?? {}) as Record<string, unknown>;
  for (const key of ['id', 'channel_id', 'root_id', 'message'] as const) {
    if (fields[key] !== undefined && typeof fields[key] !== 'string') throw invalidParam('body');
  }
  const props = fields.props ?? null;
  if (props !== null && (typeof props !== 'object' || Array.isArray(props))) throw invalidParam('body');
  if (userId === '') throw invalidParam('user_id');
  if (post === null) throw invalidParam('post');
  return {
    userId,
    post: {
      id: (fields.id as string | undefined) ?? '',
      channel_id: (fields.channel_id as string | undefined) ?? '',
      root_id: (fields.root_id as string | undefined) ?? '',
      message: (fields.message as string | undefined) ?? '',
      props: props as Record<string, unknown> | null,
    },
  };
}
