import { Injectable } from '@nestjs/common';
import { badRequest, forbidden, invalidParam, invalidUrlParam, isValidId, newId, permissionDenied } from '#common';
import { ConfigService } from '#config';
import { EventPublisher, newEvent, WsEvents } from '#realtime';
import { FileStore } from '#storage';
import { PermissionsService } from '../auth/permissions.service.js';
import { decoderLimit } from '../common/image-decoders.js';
import type { Session } from '../common/session.js';
import type { EmojiForm } from './emoji-form.js';
import { emojiImageType, prepareEmojiImage } from './emoji-image.js';
import {
  assertCustomEmojiName,
  EMOJI_SEARCH_LIMIT,
  emojiByNameNotFound,
  emojiDisabled,
  emojiNotFound,
  EmojiView,
  emojiView,
  MAX_EMOJI_NAMES,
  parseEmojiField,
} from './emoji.model.js';
import { EmojiRepository } from './emoji.repository.js';

const imagePath = (id: string) => `emoji/${id}/image`;

/**
 * Custom emoji (api4/emoji.go, app/emoji.go). Every route answers 501 while
 * ServiceSettings.EnableCustomEmoji is off, as Mattermost's do.
 */
@Injectable()
export class EmojiService {
  constructor(
    private readonly repo: EmojiRepository,
    private readonly permissions: PermissionsService,
    private readonly config: ConfigService,
    private readonly publisher: EventPublisher,
    private readonly files: FileStore,
  ) {}

  private requireEnabled(): void {
    if (!this.config.get().ServiceSettings.EnableCustomEmoji) throw emojiDisabled();
  }

  /**
   * POST /emoji. Needs create_emojis; a user creates emoji in their own name only. The name is
   * checked before the image is decoded, the image is checked before anything is stored, and the
   * row is written last, so a refused upload leaves nothing behind. Everyone hears emoji_added.
   */
  async create(session: Session, readForm: () => Promise<EmojiForm>): Promise<EmojiView> {
    this.requireEnabled();
    this.permissions.requireSystem(session, 'create_emojis');
    // The body is read only once the caller may create emoji at all.
    const form = await readForm();
    const input = parseEmojiField(form.emoji);
    if (input.creator_id !== session.user_id) {
      throw forbidden('api.emoji.create.other_user.app_error', 'Invalid user id.', `creator_id=${input.creator_id}`);
    }
    assertCustomEmojiName(input.name);
    if (await this.repo.byName(input.name)) throw duplicate(input.name);
    if (!form.image || form.image.length === 0) throw invalidParam('image');
    const image = await prepareEmojiImage(form.image, decoderLimit(this.config.get().FileSettings.MaxImageDecoderConcurrency));
    const now = Date.now();
    const row = { id: newId(), create_at: now, update_at: now, delete_at: 0, creator_id: session.user_id, name: input.name };
    await this.files.writeFile(imagePath(row.id), image);
    if (!(await this.repo.insert(row))) {
      await this.files.remove(`emoji/${row.id}`);
      throw duplicate(input.name);
    }
    const view = emojiView(row);
    this.publisher.publish(newEvent(WsEvents.EmojiAdded, {}, { emoji: JSON.stringify(view) }));
    return view;
  }

  /** GET /emoji: sort is empty (oldest first) or "name"; anything else is a bad URL parameter. */
  async list(page: number, perPage: number, sort: string): Promise<EmojiView[]> {
    this.requireEnabled();
    if (sort !== '' && sort !== 'name') throw invalidUrlParam('sort');
    return (await this.repo.list(page * perPage, perPage, sort === 'name')).map(emojiView);
  }

  async get(id: string): Promise<EmojiView> {
    this.requireEnabled();
    return emojiView(await this.existing(id));
  }

  async getByName(name: string): Promise<EmojiView> {
    this.requireEnabled();
    const row = await this.repo.byName(name);
    if (!row) throw emojiByNameNotFound(`name=${name}`);
    return emojiView(row);
  }

  /** POST /emoji/names: the ones that exist, unknown names skipped; at most 200 names. */
  async getByNames(names: string[]): Promise<EmojiView[]> {
    this.requireEnabled();
    if (names.length > MAX_EMOJI_NAMES) {
      throw badRequest(
        'api.emoji.get_multiple_by_name_too_many.request.error',
        `Unable to get that many emojis by name. Only ${MAX_EMOJI_NAMES} emojis can be requested at once.`,
      );
    }
    if (names.length === 0) return [];
    return (await this.repo.byNames(names)).map(emojiView);
  }

  /** GET /emoji/{id}/image: the stored bytes and their type. */
  async image(id: string): Promise<{ data: Buffer; contentType: string }> {
    this.requireEnabled();
    await this.existing(id);
    let data: Buffer;
    try {
      data = await this.files.readFile(imagePath(id));
    } catch {
      throw emojiNotFound(`id=${id} (image)`);
    }
    return { data, contentType: emojiImageType(data) };
  }

  /**
   * DELETE /emoji/{id}: the creator needs delete_emojis, anyone else delete_others_emojis too
   * (api4/emoji.go deleteEmoji). The image goes with the row.
   */
  async delete(session: Session, id: string): Promise<void> {
    this.requireEnabled();
    const row = await this.existing(id);
    this.permissions.requireSystem(session, 'delete_emojis');
    if (row.creator_id !== session.user_id && !this.permissions.hasSystem(session, 'delete_others_emojis')) throw permissionDenied('delete_others_emojis');
    if (!(await this.repo.softDelete(id, Date.now()))) throw emojiNotFound(`id=${id}`);
    await this.files.remove(`emoji/${id}`);
  }

  /** POST /emoji/search: names starting with (prefix_only) or containing the term. */
  async search(term: string, prefixOnly: boolean): Promise<EmojiView[]> {
    this.requireEnabled();
    if (term === '') throw invalidParam('term');
    return (await this.repo.search(term, prefixOnly, EMOJI_SEARCH_LIMIT)).map(emojiView);
  }

  /** GET /emoji/autocomplete?name=: names starting with it. */
  async autocomplete(name: string): Promise<EmojiView[]> {
    this.requireEnabled();
    if (name === '') throw invalidUrlParam('name');
    return (await this.repo.search(name, true, EMOJI_SEARCH_LIMIT)).map(emojiView);
  }

  private async existing(id: string) {
    const row = isValidId(id) ? await this.repo.byId(id) : undefined;
    if (!row) throw emojiNotFound(`id=${id}`);
    return row;
  }
}

const duplicate = (name: string) =>
  badRequest('api.emoji.create.duplicate.app_error', 'Unable to create emoji. Another emoji with the same name already exists.', `name=${name}`);
