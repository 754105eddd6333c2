import { invalidParam } from '#common';

/** A row of upload_sessions (Mattermost's model.UploadSession as stored, plus the part names). */
export interface UploadSessionRow {
  id: string;
  /** "attachment" (a file for a channel) or "import" (a bulk-import file for ImportSettings.Directory). */
  type: string;
  create_at: number;
  user_id: string;
  channel_id: string;
  filename: string;
  /** Where the file will be in the store once whole; never sent (Mattermost's `json:"-"`). */
  path: string;
  file_size: number;
  file_offset: number;
  remote_id: string;
  req_file_id: string;
  /** The stored parts in file order (names under partsFolder(path)). */
  parts: string[];
}

/** UploadSession as the API answers it: Mattermost's fields in its order, without the path. */
export interface UploadSessionView {
  id: string;
  type: string;
  create_at: number;
  user_id: string;
  /** Absent when empty (omitempty). */
  channel_id?: string;
  filename: string;
  file_size: number;
  file_offset: number;
  remote_id: string;
  req_file_id: string;
}

export function uploadSessionView(r: UploadSessionRow): UploadSessionView {
  return {
    id: r.id,
    type: r.type,
    create_at: r.create_at,
    user_id: r.user_id,
    ...(r.channel_id ? { channel_id: r.channel_id } : {}),
    filename: r.filename,
    file_size: r.file_size,
    file_offset: r.file_offset,
    remote_id: r.remote_id,
    req_file_id: r.req_file_id,
  };
}

/**
 * The folder of an upload's parts: beside the file, in the upload's own folder. "~" never occurs
 * in a stored file name (storeSegment keeps [A-Za-z0-9._-]), so no file can be named like it.
 */
export function partsFolder(path: string): string {
  return `${path.slice(0, path.lastIndexOf('/'))}/~parts`;
}

/**
 * Mattermost's model.UploadNoUserID: whose an upload made over the local socket is (no user acts
 * there). mmctl --local sends it as the session's user_id and lists `GET /users/nouser/uploads`.
 */
export const UPLOAD_NO_USER_ID = 'nouser';

/**
 * Mattermost's model.IncompleteUploadSuffix: what an import upload is called until it is whole,
 * and what GET /imports leaves out.
 */
export const INCOMPLETE_UPLOAD_SUFFIX = '.tmp';

/**
 * Where a session's parts are kept. Import uploads share one folder (ImportSettings.Directory), so
 * each keeps its parts in a folder of its own beside the file, named with the incomplete suffix:
 * GET /imports never lists it, and finishing one upload never touches another's parts.
 */
export function sessionPartsFolder(us: Pick<UploadSessionRow, 'type' | 'path'>): string {
  return us.type === 'import' ? `${us.path}${INCOMPLETE_UPLOAD_SUFFIX}` : partsFolder(us.path);
}

/**
 * The body of POST /uploads as Go decodes it into model.UploadSession: absent fields are empty,
 * a field of the wrong type (or not an object at all) is a 400 naming `upload`.
 */
export function newUploadSessionInput(body: unknown): { channel_id: string; filename: string; file_size: number; type: string; user_id: string } {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw invalidParam('upload');
  const b = body as Record<string, unknown>;
  const text = (key: string) => {
    const v = b[key] ?? '';
    if (typeof v !== 'string') throw invalidParam('upload');
    return v;
  };
  const size = b.file_size ?? 0;
  // Go's int64: a whole number, whatever its sign (the session's checks refuse ≤ 0 later).
  if (typeof size !== 'number' || !Number.isInteger(size)) throw invalidParam('upload');
  return { channel_id: text('channel_id'), filename: text('filename'), file_size: size, type: text('type'), user_id: text('user_id') };
}
