import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module.js';
import { PostsModule } from '../posts/posts.module.js';
import { FileIntake } from './file-intake.service.js';
import { FilesCoreModule } from './files-core.module.js';
import { FilesController } from './files.controller.js';
import { FilesService } from './files.service.js';
import { PublicFilesController } from './public-files.controller.js';
import { PublicLinksService } from './public-links.service.js';

/** Attachments: file_infos rows, the files in the node's file store (CoreModule's FileStore). */
@Module({
  imports: [AuthModule, PostsModule, FilesCoreModule],
  controllers: [FilesController, PublicFilesController],
  providers: [FileIntake, FilesService, PublicLinksService],
  exports: [FilesCoreModule, FileIntake, FilesService],
})
export class FilesModule {}
