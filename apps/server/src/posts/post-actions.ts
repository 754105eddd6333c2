import { newId } from '#common';

/**
 * Interactive message actions (buttons and menus in `props.attachments[].actions`), as
 * Mattermost's model/post.go and integration_action.go keep them: every action gets an id when a
 * post is made or edited (GenerateActionIds), its `integration` (the URL the server calls and the
 * integration's private context) stays on the stored post and is taken off every copy a client
 * sees (StripActionIntegrations); an ephemeral post, which is never stored, carries it sealed in
 * each action's `cookie` instead (AddPostActionCookies).
 */

/** The props that stay what they were when an action's answer replaces a post (PostActionRetainPropKeys). */
export const RETAIN_PROP_KEYS = ['from_webhook', 'override_username', 'override_icon_url'] as const;

export interface ActionIntegration {
  url: string;
  context?: Record<string, unknown>;
}

/** What a click on an action needs to know of it. */
export interface FoundAction {
  id: string;
  type: string;
  data_source: string;
  integration?: ActionIntegration;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Whether any attachment of the props has an actions list (the cheap test the read path makes first). */
function hasActions(props: Json | null | undefined): boolean {
  const attachments = props?.attachments;
  return Array.isArray(attachments) && attachments.some((a) => isObject(a) && Array.isArray(a.actions) && a.actions.length > 0);
}

/** A copy of the props with `fn` applied to each action (attachments and actions copied, the rest shared). */
function mapActions(props: Json, fn: (action: Json) => Json): Json {
  const attachments = (props.attachments as unknown[]).map((a) => {
    if (!isObject(a) || !Array.isArray(a.actions)) return a;
    return { ...a, actions: a.actions.map((action) => (isObject(action) ? fn({ ...action }) : action)) };
  });
  return { ...props, attachments };
}

/**
 * GenerateActionIds: an id for every action that has none. On an edit, `previous` is the stored
 * props: an action sent back under its id without an integration (clients never see one) keeps the
 * integration it had, so editing a post's text does not disarm its buttons.
 */
export function populateActionIds(props: Json, previous?: Json): Json {
  if (!hasActions(props)) return props;
  const before = previous && hasActions(previous) ? integrationsById(previous) : new Map<string, unknown>();
  return mapActions(props, (action) => {
    if (typeof action.id !== 'string' || action.id === '') action.id = newId();
    if (action.integration === undefined && before.has(action.id as string)) action.integration = before.get(action.id as string);
    return action;
  });
}

function integrationsById(props: Json): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const a of props.attachments as unknown[]) {
    if (!isObject(a) || !Array.isArray(a.actions)) continue;
    for (const action of a.actions)
      if (isObject(action) && typeof action.id === 'string' && action.integration !== undefined) out.set(action.id, action.integration);
  }
  return out;
}

/** StripActionIntegrations: the props as clients see them. Props without actions come back as they are. */
export function stripActionIntegrations(props: Json): Json {
  if (!hasActions(props)) return props;
  return mapActions(props, (action) => {
    delete action.integration;
    return action;
  });
}

/** Post.GetAction: the action with this id, with its integration when it has a usable one. */
export function findAction(props: Json | null | undefined, id: string): FoundAction | undefined {
  if (!hasActions(props)) return undefined;
  for (const a of props!.attachments as unknown[]) {
    if (!isObject(a) || !Array.isArray(a.actions)) continue;
    for (const action of a.actions) {
      if (!isObject(action) || action.id !== id) continue;
      return { id, type: str(action.type), data_source: str(action.data_source), integration: integrationOf(action.integration) };
    }
  }
  return undefined;
}

const str = (v: unknown) => (typeof v === 'string' ? v : '');

function integrationOf(value: unknown): ActionIntegration | undefined {
  if (!isObject(value) || typeof value.url !== 'string') return undefined;
  return isObject(value.context) ? { url: value.url, context: value.context } : { url: value.url };
}

/** The retained props of a post (values kept) and the ones it lacks (removed from a replacement). */
export function retainedProps(props: Json): { retain: Json; remove: string[] } {
  const retain: Json = {};
  const remove: string[] = [];
  for (const key of RETAIN_PROP_KEYS) {
    if (key in props) retain[key] = props[key];
    else remove.push(key);
  }
  return { retain, remove };
}

export interface CookiePost {
  id: string;
  channel_id: string;
  root_id: string;
  props: Json;
}

/**
 * AddPostActionCookies for an ephemeral post: ids for its actions, then each action's integration
 * moves into a cookie sealed by `seal`, which a click sends back.
 */
export function withActionCookies(post: CookiePost, seal: (cookie: Json) => string): Json {
  const props = populateActionIds(post.props);
  if (!hasActions(props)) return props;
  const { retain, remove } = retainedProps(props);
  return mapActions(props, (action) => {
    const cookie: Json = {
      type: action.type,
      post_id: post.id,
      root_post_id: post.root_id || post.id,
      channel_id: post.channel_id,
      data_source: action.data_source,
      integration: action.integration,
      retain_props: retain,
      remove_props: remove,
    };
    action.cookie = seal(JSON.parse(JSON.stringify(cookie)) as Json);
    delete action.integration;
    return action;
  });
}
