import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module.js';
import { ChannelsModule } from '../channels/channels.module.js';
import { PostsModule } from '../posts/posts.module.js';
import { UsersModule } from '../users/users.module.js';
import { ContentExtractor } from './content/content-extractor.service.js';
import { FileIntake } from './file-intake.service.js';
import { FilesCoreModule } from './files-core.module.js';
import { FilesController } from './files.controller.js';
import { FilesSearchService } from './files-search.service.js';
import { FilesService } from './files.service.js';
import { PublicFilesController } from './public-files.controller.js';
import { PublicLinksService } from './public-links.service.js';

/**
 * Attachments: file_infos rows, the files in the node's file store (CoreModule's FileStore), the
 * text extracted from them and file search (which resolves from:/in: names through users and channels).
 */
@Module({
  imports: [AuthModule, PostsModule, ChannelsModule, UsersModule, FilesCoreModule],
  controllers: [FilesController, PublicFilesController],
  providers: [ContentExtractor, FileIntake, FilesService, FilesSearchService, PublicLinksService],
  exports: [FilesCoreModule, FileIntake, FilesService],
})
export class FilesModule {}
