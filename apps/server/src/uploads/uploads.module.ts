import { Module } from '@nestjs/common';
import { ChannelsModule } from '../channels/channels.module.js';
import { FilesModule } from '../files/files.module.js';
import { UploadSessionsRepository } from './upload-sessions.repository.js';
import { UploadsController } from './uploads.controller.js';
import { UploadsService } from './uploads.service.js';

/**
 * Resumable uploads: sessions in upload_sessions, their parts in the node's file store; a finished
 * upload comes in through the files area's FileIntake and file_infos storage.
 */
@Module({
  imports: [ChannelsModule, FilesModule],
  controllers: [UploadsController],
  providers: [UploadSessionsRepository, UploadsService],
})
export class UploadsModule {}
