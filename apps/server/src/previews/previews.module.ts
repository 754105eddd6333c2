import { Module } from '@nestjs/common';
import { ImageProxyService } from './image-proxy.service.js';
import { LinkFetcher, OutgoingRequests } from './link-fetcher.js';
import { LinkMetadataRepository } from './link-metadata.repository.js';
import { LinkMetadataService } from './link-metadata.service.js';
import { PreviewsController } from './previews.controller.js';
import { PreviewsService } from './previews.service.js';

/** Link previews (OpenGraph, post embeds and image sizes) and the local image proxy; depends on no other area. */
@Module({
  controllers: [PreviewsController],
  providers: [OutgoingRequests, LinkFetcher, LinkMetadataRepository, LinkMetadataService, PreviewsService, ImageProxyService],
  exports: [PreviewsService],
})
export class PreviewsModule {}
