import { Module } from '@nestjs/common';
import { ConfigService } from '#config';
import { createFileStore } from '../jobs/job-infrastructure.js';
import { EmojiController } from './emoji.controller.js';
import { EmojiRepository } from './emoji.repository.js';
import { EMOJI_FILE_STORE, EmojiService } from './emoji.service.js';

/** Custom emoji: rows in the emoji table, images in the file store at emoji/<id>/image. */
@Module({
  controllers: [EmojiController],
  providers: [
    EmojiRepository,
    EmojiService,
    // The server's FileStore from FileSettings (the same store the jobs use).
    { provide: EMOJI_FILE_STORE, inject: [ConfigService], useFactory: (config: ConfigService) => createFileStore(config.get()) },
  ],
})
export class EmojiModule {}
