import { badRequest, forbidden, invalidParam } from '#common';

/** model.PostPriority.Priority values: standard (''), important, urgent. */
export const PRIORITY_VALUES = ['', 'important', 'urgent'] as const;
export type PriorityValue = (typeof PRIORITY_VALUES)[number];

/** `metadata.priority` of a post (model.PostPriority as clients send and receive it). */
export interface PostPriorityView {
  priority: string;
  requested_ack: boolean;
  persistent_notifications: boolean;
}

/** A posts_priority row. */
export interface PostPriorityRow extends PostPriorityView {
  post_id: string;
  channel_id: string;
}

/** A post_acknowledgements row, which is also its wire shape (model.PostAcknowledgement; remote_id is left out when empty). */
export interface PostAcknowledgementView {
  user_id: string;
  post_id: string;
  acknowledged_at: number;
  channel_id: string;
}

/** What the priority and acknowledgements add to a post's metadata. */
export interface PostPriorityExtras {
  priority?: PostPriorityView;
  acknowledgements?: PostAcknowledgementView[];
}

/** How long after acknowledging a user may take it back (DeleteAcknowledgementForPost: five minutes). */
export const ACK_UNDO_WINDOW_MS = 5 * 60 * 1000;

/**
 * Reads `metadata.priority` from a create body: absent or null means none. Fields the client
 * leaves out take Go's zero values (the web app sends all three).
 */
export function parsePriorityInput(metadata: unknown): PostPriorityView | null {
  if (metadata === undefined || metadata === null) return null;
  if (typeof metadata !== 'object' || Array.isArray(metadata)) throw invalidParam('post');
  const raw = (metadata as Record<string, unknown>).priority;
  if (raw === undefined || raw === null) return null;
  if (typeof raw !== 'object' || Array.isArray(raw)) throw invalidParam('post');
  const p = raw as Record<string, unknown>;
  const priority = p.priority ?? '';
  const requestedAck = p.requested_ack ?? false;
  const persistent = p.persistent_notifications ?? false;
  if (typeof priority !== 'string' || typeof requestedAck !== 'boolean' || typeof persistent !== 'boolean') throw invalidParam('post');
  if (!(PRIORITY_VALUES as readonly string[]).includes(priority)) throw invalidParam('metadata.priority.priority');
  return { priority, requested_ack: requestedAck, persistent_notifications: persistent };
}

export interface PriorityRules {
  /** ServiceSettings.PostPriority. */
  enabled: boolean;
  /** ServiceSettings.AllowPersistentNotifications. */
  persistentNotifications: boolean;
  /** ServiceSettings.AllowPersistentNotificationsForGuests. */
  persistentNotificationsForGuests: boolean;
}

function notAllowed(userId: string) {
  return forbidden(
    'api.post.post_priority.priority_post_not_allowed_for_user.request_error',
    'Setting message priority is not allowed for this user.',
    `userId=${userId}`,
  );
}

/**
 * postPriorityCheck (api4/post_utils.go): priority needs ServiceSettings.PostPriority, only a root
 * post may carry it, and persistent notifications need their own setting, an urgent priority, and
 * (for a guest) the guest setting. Mattermost also asks a Professional licence for acknowledgements
 * and persistent notifications; this server gates no feature behind a licence.
 */
export function checkPriority(p: PostPriorityView, ctx: { userId: string; isGuest: boolean; rootId: string }, rules: PriorityRules): void {
  if (!rules.enabled) throw notAllowed(ctx.userId);
  if (ctx.rootId !== '') {
    throw badRequest('api.post.post_priority.priority_post_only_allowed_for_root_post.request_error', 'Message priority can only be set on root posts.');
  }
  if (!p.persistent_notifications) return;
  if (!rules.persistentNotifications) throw notAllowed(ctx.userId);
  if (p.priority !== 'urgent') {
    throw badRequest(
      'api.post.post_priority.urgent_persistent_notification_post.request_error',
      'Persistent notifications can only be sent for urgent messages.',
    );
  }
  if (ctx.isGuest && !rules.persistentNotificationsForGuests) throw notAllowed(ctx.userId);
}

export function priorityView(row: PostPriorityView): PostPriorityView {
  return { priority: row.priority, requested_ack: row.requested_ack, persistent_notifications: row.persistent_notifications };
}

export function acknowledgementView(row: PostAcknowledgementView): PostAcknowledgementView {
  return { user_id: row.user_id, post_id: row.post_id, acknowledged_at: row.acknowledged_at, channel_id: row.channel_id };
}
