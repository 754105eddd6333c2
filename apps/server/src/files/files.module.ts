import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module.js';
import { PostsModule } from '../posts/posts.module.js';
import { FileInfosRepository } from './file-infos.repository.js';
import { FilesController } from './files.controller.js';
import { FilesService } from './files.service.js';

/** Attachments: file_infos rows, the files in the node's file store (CoreModule's FileStore). */
@Module({
  imports: [AuthModule, PostsModule],
  controllers: [FilesController],
  providers: [FileInfosRepository, FilesService],
  exports: [FileInfosRepository, FilesService],
})
export class FilesModule {}
