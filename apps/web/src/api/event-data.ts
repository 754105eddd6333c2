/**
 * Socket events carry objects (posts, threads, jobs) and id lists (a post's mentions) as JSON text
 * inside their data; these read them, answering nothing for text that is not what it should be.
 */
export function eventJson<T>(value: unknown): T | undefined {
  if (typeof value !== 'string') return undefined;
  try {
    return JSON.parse(value) as T;
  } catch {
    return undefined;
  }
}

/** A JSON array of ids (the `mentions` of a posted event); anything else is none. */
export function eventIds(value: unknown): string[] {
  const ids = eventJson<unknown>(value);
  return Array.isArray(ids) ? ids.filter((id): id is string => typeof id === 'string') : [];
}
