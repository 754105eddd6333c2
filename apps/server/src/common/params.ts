import { badRequest, invalidParam, invalidUrlParam, isValidId } from '#common';
import { Session } from './session.js';

/** A 26-char id from the URL, or 400 naming the parameter. */
export function urlId(value: string, name: string): string {
  if (!isValidId(value)) throw invalidUrlParam(name);
  return value;
}

/** The `me` alias for the caller, then a 26-char id (Context.RequireUserId). */
export function urlUserId(value: string, session: Session): string {
  if (value === 'me') return session.user_id;
  return urlId(value, 'user_id');
}

/**
 * page / per_page with Mattermost's defaults (0, 60) and cap (200). As in Mattermost's params.go,
 * a value that is not a non-negative integer falls back to the default instead of failing.
 */
export function pagination(query: Record<string, unknown>, defaultPerPage = 60): { page: number; perPage: number } {
  const lenient = (value: unknown, fallback: number) => {
    const n = typeof value === 'string' && value !== '' ? Number(value) : NaN;
    return Number.isInteger(n) && n >= 0 ? n : fallback;
  };
  const page = lenient(query.page, 0);
  const perPage = Math.min(lenient(query.per_page ?? query.pageSize, defaultPerPage), 200);
  return { page, perPage };
}

export function intParam(value: unknown, name: string, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw invalidUrlParam(name);
  return n;
}

/** A flag the way most Mattermost handlers read one: `== "true"`. */
export function boolParam(value: unknown): boolean {
  return value === 'true' || value === true;
}

/**
 * A flag read with Go's strconv.ParseBool, as some handlers do (getUsers' active, inactive,
 * without_team): the client sends `without_team=1`, which a check for "true" alone takes as absent.
 */
export function parseBoolParam(value: string | undefined): boolean {
  return value !== undefined && ['1', 't', 'T', 'true', 'TRUE', 'True'].includes(value);
}

/** The request body as an object (arrays and scalars are refused). */
export function bodyObject(body: unknown, name = 'body'): Record<string, unknown> {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw invalidParam(name);
  return body as Record<string, unknown>;
}

/** A list of 26-char ids, as POST /users/ids and friends take. */
export function bodyIdList(body: unknown, name: string, max = 1000): string[] {
  if (!Array.isArray(body) || body.length === 0 || body.length > max) throw invalidParam(name);
  for (const id of body) if (!isValidId(id)) throw invalidParam(name);
  return [...new Set(body as string[])];
}

export function bodyStringList(body: unknown, name: string, max = 1000): string[] {
  if (!Array.isArray(body) || body.length > max || body.some((v) => typeof v !== 'string')) throw invalidParam(name);
  return body as string[];
}

type Kind = 'string' | 'boolean' | 'number' | 'object';

/** Reads an optional field, refusing the wrong type with a 400 that names it. */
export function optional<T>(body: Record<string, unknown>, key: string, kind: Kind): T | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  const actual = Array.isArray(value) ? 'array' : typeof value;
  if (actual !== kind) throw invalidParam(key);
  return value as T;
}

/**
 * An optional map of strings: Mattermost's StringMap (user props, notify_props, timezone), whose
 * decoder refuses any other value. Nothing nested gets stored, whatever a client sends.
 */
export function optionalStringMap(body: Record<string, unknown>, key: string): Record<string, string> | undefined {
  const value = optional<Record<string, unknown>>(body, key, 'object');
  if (value !== undefined && Object.values(value).some((v) => typeof v !== 'string')) throw invalidParam(key);
  return value as Record<string, string> | undefined;
}

export function required<T>(body: Record<string, unknown>, key: string, kind: Kind): T {
  const value = optional<T>(body, key, kind);
  if (value === undefined) throw invalidParam(key);
  return value;
}

export function tooLong(field: string, entity: string, max: number) {
  return badRequest(`model.${entity}.is_valid.${field}.app_error`, `Invalid ${field.replace(/_/g, ' ')}: at most ${max} characters.`);
}
