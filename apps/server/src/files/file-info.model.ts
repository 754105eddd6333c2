/** A row of file_infos (Mattermost's model.FileInfo as stored). */
export interface FileInfoRow {
  id: string;
  creator_id: string;
  post_id: string;
  channel_id: string;
  create_at: number;
  update_at: number;
  delete_at: number;
  path: string;
  thumbnail_path: string;
  preview_path: string;
  name: string;
  extension: string;
  size: number;
  mime_type: string;
  width: number;
  height: number;
  has_preview_image: boolean;
  mini_preview: Buffer | null;
  content: string;
  remote_id: string;
  archived: boolean;
}

/** FileInfo as the API answers it: the creator is `user_id`, store paths and content stay inside. */
export type FileInfoView = Omit<FileInfoRow, 'creator_id' | 'path' | 'thumbnail_path' | 'preview_path' | 'content' | 'mini_preview'> & {
  user_id: string;
  /** base64, absent when there is none. */
  mini_preview?: string;
};

export function fileInfoView(r: FileInfoRow): FileInfoView {
  const view: FileInfoView = {
    id: r.id,
    user_id: r.creator_id,
    post_id: r.post_id,
    channel_id: r.channel_id,
    create_at: r.create_at,
    update_at: r.update_at,
    delete_at: r.delete_at,
    name: r.name,
    extension: r.extension,
    size: r.size,
    mime_type: r.mime_type,
    width: r.width,
    height: r.height,
    has_preview_image: r.has_preview_image,
    remote_id: r.remote_id,
    archived: r.archived,
  };
  // Go marshals a []byte as base64 and omits it when empty (omitempty).
  if (r.mini_preview && r.mini_preview.length > 0) view.mini_preview = r.mini_preview.toString('base64');
  return view;
}

/** Mattermost's FileInfoList, the answer of file search: the files by id, in `order`. */
export interface FileInfoListView {
  order: string[];
  file_infos: Record<string, FileInfoView>;
  next_file_info_id: string;
  prev_file_info_id: string;
  /** Only cloud plans' file limits hide files; never here. */
  first_inaccessible_file_time: number;
}

export function fileInfoList(rows: FileInfoRow[]): FileInfoListView {
  return {
    order: rows.map((r) => r.id),
    file_infos: Object.fromEntries(rows.map((r) => [r.id, fileInfoView(r)])),
    next_file_info_id: '',
    prev_file_info_id: '',
    first_inaccessible_file_time: 0,
  };
}

/**
 * The name a file keeps: its last path segment (Mattermost's filepath.Base), so "../../etc/passwd"
 * is the file "passwd" and never a path. Control characters go; an empty name becomes "file".
 */
export function plainFileName(raw: string): string {
  const base =
    raw
      .split(/[/\\]/)
      .filter((s) => s !== '')
      .pop() ?? '';
  const clean = base.replace(/[\u0000-\u001f\u007f]/g, '').slice(0, 255);
  return clean === '' || clean === '.' || clean === '..' ? 'file' : clean;
}

/** The extension Mattermost stores: lower case, without the dot. */
export function fileExtension(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot > 0
    ? name
        .slice(dot + 1)
        .toLowerCase()
        .slice(0, 64)
    : '';
}

/** The store folder of a file, built from ids only (Mattermost's layout under data/). */
export function fileFolder(now: number, channelId: string, userId: string, fileId: string): string {
  const d = new Date(now);
  const day = `${d.getUTCFullYear()}${String(d.getUTCMonth() + 1).padStart(2, '0')}${String(d.getUTCDate()).padStart(2, '0')}`;
  return `${day}/teams/noteam/channels/${channelId}/users/${userId}/${fileId}`;
}

/** A name safe as one store path segment (the stored name in file_infos keeps the original). */
export function storeSegment(name: string): string {
  const s = name.replace(/[^A-Za-z0-9._-]/g, '_');
  return /^\.+$/.test(s) ? 'file' : s;
}

/**
 * What to remove from the store to delete a file for good: its own folder when the file lives in
 * one named by its id (the layout above, Mattermost's too), which takes the file, thumbnail and
 * preview at once; and the file, thumbnail and preview one by one where they lie elsewhere (rows
 * written by other tools), so that a folder shared with other files is never removed whole.
 */
export function storeObjectsOf(file: Pick<FileInfoRow, 'id' | 'path' | 'thumbnail_path' | 'preview_path'>): string[] {
  const slash = file.path.lastIndexOf('/');
  const folder = slash > 0 ? file.path.slice(0, slash) : '';
  const own = folder !== '' && folder.slice(folder.lastIndexOf('/') + 1) === file.id;
  const objects = own ? [folder] : [];
  for (const p of [file.path, file.thumbnail_path, file.preview_path]) {
    if (p !== '' && !(own && p.startsWith(`${folder}/`)) && !objects.includes(p)) objects.push(p);
  }
  return objects;
}

/**
 * A post's files in the order its file_ids name them (the order they were attached in), whatever
 * order the table gives: files uploaded in the same millisecond have equal create_at.
 */
export function inPostOrder<T extends { id: string }>(infos: T[], fileIds: string[]): T[] {
  const rank = (id: string) => {
    const i = fileIds.indexOf(id);
    return i === -1 ? fileIds.length : i;
  };
  return [...infos].sort((a, b) => rank(a.id) - rank(b.id));
}
