import { Injectable } from '@nestjs/common';
import { Database } from '#db';
import type { OpenGraph } from './opengraph.js';
import type { PostImage } from './image-info.js';

export type LinkMetadata =
  | { url: string; timestamp: number; type: 'opengraph'; data: OpenGraph }
  | { url: string; timestamp: number; type: 'image'; data: PostImage }
  | { url: string; timestamp: number; type: 'none'; data: null };

/**
 * model.GenerateLinkMetadataHash: 32-bit FNV-1 over the timestamp (8 bytes, little endian) and
 * then the URL, as the row's key.
 */
export function linkMetadataHash(url: string, timestamp: number): number {
  let hash = 0x811c9dc5;
  const step = (byte: number) => {
    hash = Math.imul(hash, 0x01000193) >>> 0;
    hash = (hash ^ byte) >>> 0;
  };
  const ts = Buffer.alloc(8);
  ts.writeBigInt64LE(BigInt(timestamp));
  for (const b of ts) step(b);
  for (const b of Buffer.from(url, 'utf8')) step(b);
  return hash;
}

/** model.FloorToNearestHour. */
export function floorToHour(ms: number): number {
  return ms - (((ms % 3_600_000) + 3_600_000) % 3_600_000);
}

/** The link_metadata table (Mattermost's LinkMetadataStore). */
@Injectable()
export class LinkMetadataRepository {
  constructor(private readonly db: Database) {}

  /** The rows for these (url, hour) pairs that exist, in one query; a hash collision with another URL is no match. */
  async many(keys: Array<{ url: string; timestamp: number }>): Promise<LinkMetadata[]> {
    if (keys.length === 0) return [];
    const rows = await this.db.query<LinkMetadata>(`SELECT url, "timestamp", type, data FROM link_metadata WHERE hash = ANY($1::bigint[])`, [
      keys.map((k) => linkMetadataHash(k.url, k.timestamp)),
    ]);
    return rows.filter((r) => keys.some((k) => k.url === r.url && k.timestamp === r.timestamp));
  }

  /**
   * Saves a row unless one is there already (rows never change: the first answer for a URL and hour
   * is the one every node serves), and returns the stored row.
   */
  async save(row: LinkMetadata): Promise<LinkMetadata> {
    const hash = linkMetadataHash(row.url, row.timestamp);
    const inserted = await this.db.query<LinkMetadata>(
      `INSERT INTO link_metadata (hash, url, "timestamp", type, data) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (hash) DO NOTHING RETURNING url, "timestamp", type, data`,
      [hash, row.url, row.timestamp, row.type, row.data === null ? null : JSON.stringify(row.data)],
    );
    if (inserted[0]) return inserted[0];
    const [existing] = await this.many([row]);
    return existing ?? row;
  }
}
