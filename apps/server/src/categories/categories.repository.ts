import { Injectable } from '@nestjs/common';
import { Database, Queryable } from '#db';
import { Category, CategoryRow, FAVORITES, SidebarChannel, SORT_DISTANCE } from './category.model.js';

const COLUMNS = 'id, user_id, team_id, sort_order, sorting, type, display_name, muted, collapsed';
const SC_COLUMNS = COLUMNS.replace(/(\w+)/g, 'sc.$1');

type JoinedRow = CategoryRow & { channel_id: string | null };

/** A member channel with what ordering favourites needs. */
export interface MemberChannel extends SidebarChannel {
  display_name: string;
  name: string;
}

/** Folds category rows LEFT JOINed with their channels (in order) into categories with channel lists. */
function fold(rows: JoinedRow[]): Category[] {
  const byId = new Map<string, Category>();
  for (const { channel_id, ...row } of rows) {
    let category = byId.get(row.id);
    if (!category) {
      category = { ...row, channel_ids: [] };
      byId.set(row.id, category);
    }
    if (channel_id !== null) category.channel_ids!.push(channel_id);
  }
  return [...byId.values()];
}

/**
 * The sidebar_categories and sidebar_channels tables (Mattermost's channel_store_categories.go).
 * A sidebar_channels row places one of a user's channels in one of their categories; channels the
 * user belongs to without such a row (in that team) are "unplaced" and shown in the Channels or
 * Direct Messages category, which is how new channels and DMs appear without any write here.
 */
@Injectable()
export class CategoriesRepository {
  constructor(private readonly db: Database) {}

  /**
   * A user's categories on a team in order, each with the channels placed in it, in one query.
   * Empty unless the user is an active member of the (live) team, as Mattermost's store joins
   * TeamMembers and Teams.
   */
  async forTeam(userId: string, teamId: string, tx: Queryable = this.db): Promise<Category[]> {
    const rows = await tx.query<JoinedRow>(
      `SELECT ${SC_COLUMNS}, sch.channel_id
         FROM sidebar_categories sc
         LEFT JOIN sidebar_channels sch ON sch.category_id = sc.id
        WHERE sc.user_id = $1 AND sc.team_id = $2
          AND EXISTS (SELECT 1 FROM team_members tm JOIN teams t ON t.id = tm.team_id
                       WHERE tm.team_id = $2 AND tm.user_id = $1 AND tm.delete_at = 0 AND t.delete_at = 0)
        ORDER BY sc.sort_order, sc.id, sch.sort_order, sch.channel_id`,
      [userId, teamId],
    );
    return fold(rows);
  }

  /** One category with the channels placed in it. */
  async byId(categoryId: string, tx: Queryable = this.db): Promise<Category | undefined> {
    const rows = await tx.query<JoinedRow>(
      `SELECT ${SC_COLUMNS}, sch.channel_id
         FROM sidebar_categories sc LEFT JOIN sidebar_channels sch ON sch.category_id = sc.id
        WHERE sc.id = $1 ORDER BY sch.sort_order, sch.channel_id`,
      [categoryId],
    );
    return fold(rows)[0];
  }

  /**
   * The live channels of the user (the team's public and private ones, and all their direct and
   * group messages) that are in none of their categories on this team, by display name: what
   * completePopulatingCategoryChannelsT adds to the Channels and Direct Messages categories.
   */
  async unplaced(userId: string, teamId: string, tx: Queryable = this.db): Promise<SidebarChannel[]> {
    return tx.query<SidebarChannel>(
      `SELECT c.id, c.type, c.team_id
         FROM channel_members cm JOIN channels c ON c.id = cm.channel_id
        WHERE cm.user_id = $1 AND c.delete_at = 0
          AND ((c.team_id = $2 AND c.type IN ('O', 'P')) OR c.type IN ('D', 'G'))
          AND NOT EXISTS (SELECT 1 FROM sidebar_channels sch JOIN sidebar_categories sc ON sc.id = sch.category_id
                           WHERE sch.channel_id = c.id AND sch.user_id = $1 AND sc.team_id = $2)
        ORDER BY c.display_name, c.id`,
      [userId, teamId],
    );
  }

  /**
   * The channels a user may put in their categories on a team: their memberships there and their
   * direct and group messages, archived ones included (Mattermost's GetChannelsForTeamForUser with
   * IncludeDeleted, which validateSidebarCategory filters requests by).
   */
  async memberChannels(userId: string, teamId: string, tx: Queryable = this.db): Promise<MemberChannel[]> {
    return tx.query<MemberChannel>(
      `SELECT c.id, c.type, c.team_id, c.display_name, c.name
         FROM channel_members cm JOIN channels c ON c.id = cm.channel_id
        WHERE cm.user_id = $1 AND (c.team_id = $2 OR c.team_id = '')
        ORDER BY c.display_name, c.name`,
      [userId, teamId],
    );
  }

  /** The category ids of a user on a team, in sort order. */
  async order(userId: string, teamId: string, tx: Queryable = this.db): Promise<string[]> {
    const rows = await tx.query<{ id: string }>('SELECT id FROM sidebar_categories WHERE user_id = $1 AND team_id = $2 ORDER BY sort_order, id', [
      userId,
      teamId,
    ]);
    return rows.map((r) => r.id);
  }

  /** Inserts categories unless they exist (default ones have fixed ids); returns the ids inserted. */
  async insert(rows: CategoryRow[], tx: Queryable = this.db): Promise<string[]> {
    const col = <K extends keyof CategoryRow>(key: K) => rows.map((r) => r[key]);
    const inserted = await tx.query<{ id: string }>(
      `INSERT INTO sidebar_categories (${COLUMNS})
       SELECT * FROM unnest($1::varchar[], $2::varchar[], $3::varchar[], $4::bigint[], $5::varchar[], $6::varchar[], $7::varchar[], $8::boolean[], $9::boolean[])
       ON CONFLICT (id) DO NOTHING RETURNING id`,
      [col('id'), col('user_id'), col('team_id'), col('sort_order'), col('sorting'), col('type'), col('display_name'), col('muted'), col('collapsed')],
    );
    return inserted.map((r) => r.id);
  }

  /** Saves what a category update may change: name, sorting, muted, collapsed. */
  async update(row: CategoryRow, tx: Queryable = this.db): Promise<void> {
    await tx.query('UPDATE sidebar_categories SET display_name = $2, sorting = $3, muted = $4, collapsed = $5 WHERE id = $1', [
      row.id,
      row.display_name,
      row.sorting,
      row.muted,
      row.collapsed,
    ]);
  }

  /** Gives the categories sort orders 0, 10, 20, … in the given order, in one statement. */
  async setOrder(ids: string[], tx: Queryable = this.db): Promise<void> {
    await tx.query(
      `UPDATE sidebar_categories sc SET sort_order = (o.pos - 1) * ${SORT_DISTANCE}
         FROM unnest($1::varchar[]) WITH ORDINALITY AS o(id, pos) WHERE sc.id = o.id`,
      [ids],
    );
  }

  /** Empties categories (the channels in them become unplaced). */
  async clearChannels(categoryIds: string[], tx: Queryable = this.db): Promise<void> {
    await tx.query('DELETE FROM sidebar_channels WHERE category_id = ANY($1)', [categoryIds]);
  }

  /**
   * Puts channels in a category in the given order, taking them out of any other category the user
   * has on that team first, so a channel is in one category per user and team.
   */
  async place(userId: string, teamId: string, categoryId: string, channelIds: string[], tx: Queryable = this.db): Promise<void> {
    if (channelIds.length === 0) return;
    await tx.query(
      `DELETE FROM sidebar_channels sch USING sidebar_categories sc
        WHERE sc.id = sch.category_id AND sch.user_id = $1 AND sc.team_id = $2 AND sch.channel_id = ANY($3)`,
      [userId, teamId, channelIds],
    );
    await tx.query(
      `INSERT INTO sidebar_channels (channel_id, user_id, category_id, sort_order)
       SELECT o.id, $1, $2, (o.pos - 1) * ${SORT_DISTANCE} FROM unnest($3::varchar[]) WITH ORDINALITY AS o(id, pos)
       ON CONFLICT (channel_id, user_id, category_id) DO UPDATE SET sort_order = EXCLUDED.sort_order`,
      [userId, categoryId, channelIds],
    );
  }

  async delete(categoryId: string, tx: Queryable = this.db): Promise<void> {
    await tx.query('DELETE FROM sidebar_categories WHERE id = $1', [categoryId]);
    await tx.query('DELETE FROM sidebar_channels WHERE category_id = $1', [categoryId]);
  }

  /**
   * Puts a favourited channel first in the user's Favorites category of its team (of every team
   * for a direct or group message, whose `teamId` is ''), taking it out of the other categories
   * there (addChannelToFavoritesCategoryT; Mattermost leaves it in both).
   */
  async addToFavorites(userId: string, channelId: string, teamId: string, tx: Queryable = this.db): Promise<void> {
    await tx.query(
      `DELETE FROM sidebar_channels sch USING sidebar_categories sc
        WHERE sc.id = sch.category_id AND sch.user_id = $1 AND sch.channel_id = $2 AND sc.type <> '${FAVORITES}'
          AND ($3::varchar = '' OR sc.team_id = $3)`,
      [userId, channelId, teamId],
    );
    await tx.query(
      `INSERT INTO sidebar_channels (channel_id, user_id, category_id, sort_order)
       SELECT $2::varchar, $1::varchar, sc.id, COALESCE(MIN(x.sort_order) - ${SORT_DISTANCE}, 0)
         FROM sidebar_categories sc LEFT JOIN sidebar_channels x ON x.category_id = sc.id
        WHERE sc.user_id = $1 AND sc.type = '${FAVORITES}' AND ($3::varchar = '' OR sc.team_id = $3)
        GROUP BY sc.id
       ON CONFLICT (channel_id, user_id, category_id) DO NOTHING`,
      [userId, channelId, teamId],
    );
  }

  /** Takes channels out of the user's Favorites categories on every team (removeSidebarEntriesForPreferenceT). */
  async removeFromFavorites(userId: string, channelIds: string[], tx: Queryable = this.db): Promise<void> {
    if (channelIds.length === 0) return;
    await tx.query(
      `DELETE FROM sidebar_channels sch USING sidebar_categories sc
        WHERE sc.id = sch.category_id AND sch.user_id = $1 AND sch.channel_id = ANY($2) AND sc.type = '${FAVORITES}'`,
      [userId, channelIds],
    );
  }

  /** Drops a user's categories on a team and what is in them (ClearSidebarOnTeamLeave). */
  async clearTeam(userId: string, teamId: string, tx: Queryable = this.db): Promise<void> {
    await tx.query(
      `DELETE FROM sidebar_channels sch USING sidebar_categories sc
        WHERE sc.id = sch.category_id AND sc.user_id = $1 AND sc.team_id = $2`,
      [userId, teamId],
    );
    await tx.query('DELETE FROM sidebar_categories WHERE user_id = $1 AND team_id = $2', [userId, teamId]);
  }

  /**
   * A channel moved to another team leaves the sidebar categories of its old team
   * (UpdateSidebarChannelCategoryOnMove); on the new team it shows in the default category.
   */
  async removeChannelFromOtherTeams(channelId: string, teamId: string, tx: Queryable = this.db): Promise<void> {
    await tx.query(
      `DELETE FROM sidebar_channels sch USING sidebar_categories sc
        WHERE sc.id = sch.category_id AND sch.channel_id = $1 AND sc.team_id <> $2`,
      [channelId, teamId],
    );
  }
}
