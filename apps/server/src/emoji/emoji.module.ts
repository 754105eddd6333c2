import { Module } from '@nestjs/common';
import { EmojiController } from './emoji.controller.js';
import { EmojiRepository } from './emoji.repository.js';
import { EmojiService } from './emoji.service.js';

/** Custom emoji: rows in the emoji table, images in the file store at emoji/<id>/image. */
@Module({
  controllers: [EmojiController],
  providers: [EmojiRepository, EmojiService],
})
export class EmojiModule {}
