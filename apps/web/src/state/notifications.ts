/**
 * When a new post makes a desktop notification (the browser's Notification API), as Mattermost's
 * web app decides it: never for one's own posts or system messages, nor while one is in do not
 * disturb, nor while the tab is in view; then by the user's notify_props.desktop — `all` posts of
 * their channels, `mention` (the default) when they are mentioned or it is a direct or group
 * message, `none` never. With collapsed threads a reply notifies only the thread's followers the
 * server names in the event (`followers`: it has applied their desktop and thread settings).
 */
export interface PostedFacts {
  authorId: string;
  postType: string;
  channelType: string;
  /** The ids the server says the post mentions (the `mentions` of the `posted` event). */
  mentions: string[];
  /** The post's thread root ('' for a root post). */
  rootId: string;
  /** The followers to notify of a reply (the `followers` of the `posted` event). */
  followers: string[];
}

export interface Recipient {
  userId: string;
  /** notify_props.desktop: 'all' | 'mention' | 'none' ('' reads as the default, mention). */
  desktop: string;
  status: string | undefined;
  tabHidden: boolean;
  collapsedThreads: boolean;
}

export function shouldNotify(post: PostedFacts, me: Recipient): boolean {
  if (!me.tabHidden || !me.userId || post.authorId === me.userId) return false;
  if (post.postType.startsWith('system_') || me.status === 'dnd') return false;
  if (me.collapsedThreads && post.rootId) return post.followers.includes(me.userId);
  const level = me.desktop || 'mention';
  if (level === 'none') return false;
  if (level === 'all') return true;
  return post.mentions.includes(me.userId) || post.channelType === 'D' || post.channelType === 'G';
}

/** The notification's title and text: "Town Square" / "@bob: the message" (cut, as notifications are short). */
export function notificationText(channelName: string, senderName: string, message: string): { title: string; body: string } {
  const text = message.length > 200 ? `${message.slice(0, 199)}…` : message;
  return { title: channelName || 'New message', body: senderName ? `${senderName}: ${text}` : text };
}
