import { Module } from '@nestjs/common';
import { defaultWebAppDir, WEB_APP_DIR, WebApp } from './web-app.js';

/** The web client's files (apps/web, built into dist/web); main.ts mounts WebApp's router after every route. */
@Module({
  providers: [WebApp, { provide: WEB_APP_DIR, useFactory: defaultWebAppDir }],
  exports: [WebApp],
})
export class WebModule {}
