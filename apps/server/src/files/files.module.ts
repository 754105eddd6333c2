import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module.js';
import { PostsModule } from '../posts/posts.module.js';
import { FileIntake } from './file-intake.service.js';
import { FilesCoreModule } from './files-core.module.js';
import { FilesController } from './files.controller.js';
import { FilesService } from './files.service.js';

/** Attachments: file_infos rows, the files in the node's file store (CoreModule's FileStore). */
@Module({
  imports: [AuthModule, PostsModule, FilesCoreModule],
  controllers: [FilesController],
  providers: [FileIntake, FilesService],
  exports: [FilesCoreModule, FileIntake, FilesService],
})
export class FilesModule {}
