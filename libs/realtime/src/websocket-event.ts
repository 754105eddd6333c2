/** Who receives an event (model.WebsocketBroadcast). Empty fields do not filter. */
export interface Broadcast {
  omit_users: Record<string, boolean> | null;
  user_id: string;
  channel_id: string;
  team_id: string;
  connection_id: string;
  omit_connection_id: string;
  /** Only system admins receive it (Mattermost's ContainsSensitiveData; sent only when true). */
  contains_sensitive_data?: boolean;
}

export interface WebSocketEvent {
  event: string;
  data: Record<string, unknown>;
  broadcast: Broadcast;
}

export type BroadcastTarget = Partial<Broadcast>;

export function newEvent(event: string, target: BroadcastTarget, data: Record<string, unknown> = {}): WebSocketEvent {
  return {
    event,
    data,
    broadcast: {
      omit_users: target.omit_users ?? null,
      user_id: target.user_id ?? '',
      channel_id: target.channel_id ?? '',
      team_id: target.team_id ?? '',
      connection_id: target.connection_id ?? '',
      omit_connection_id: target.omit_connection_id ?? '',
      ...(target.contains_sensitive_data ? { contains_sensitive_data: true } : {}),
    },
  };
}

/**
 * The frame text without its per-connection `seq`, built once per broadcast so that fanning an
 * event out to N sockets costs one JSON.stringify, not N.
 */
export function framePrefix(event: WebSocketEvent): string {
  const json = JSON.stringify({ event: event.event, data: event.data, broadcast: event.broadcast, seq: 0 });
  return json.slice(0, -2); // drop the trailing `0}`; `${prefix}${seq}}` completes the frame
}

export function frameWithSeq(prefix: string, seq: number): string {
  return `${prefix}${seq}}`;
}

/** The prefix of a frame numbered `seq` (frameWithSeq's inverse), or undefined for a frame that is not. */
export function prefixOfFrame(frame: string, seq: number): string | undefined {
  const suffix = `${seq}}`;
  return frame.endsWith(suffix) ? frame.slice(0, -suffix.length) : undefined;
}
