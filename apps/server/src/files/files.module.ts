import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module.js';
import { JobsModule } from '../jobs/jobs.module.js';
import { PostsModule } from '../posts/posts.module.js';
import { FileInfosRepository } from './file-infos.repository.js';
import { FilesController } from './files.controller.js';
import { FilesService } from './files.service.js';

/** Attachments; the file store comes from the jobs module, which owns the store the jobs share. */
@Module({
  imports: [AuthModule, JobsModule, PostsModule],
  controllers: [FilesController],
  providers: [FileInfosRepository, FilesService],
  exports: [FileInfosRepository, FilesService],
})
export class FilesModule {}
