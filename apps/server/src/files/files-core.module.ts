import { Module } from '@nestjs/common';
import { FileInfosRepository } from './file-infos.repository.js';

/**
 * File-info storage (the file_infos table), shared by the files area and by the areas that attach,
 * list or delete a post's files (posts, the jobs); it imports nothing, so any module may use it
 * without a cycle, as posts-core.module.ts does for posts.
 */
@Module({
  providers: [FileInfosRepository],
  exports: [FileInfosRepository],
})
export class FilesCoreModule {}
