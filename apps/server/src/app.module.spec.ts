/**
 * The module graph resolves: every provider of every area finds its dependencies. A missing
 * import (a repository moved to another area, a module that stopped exporting) otherwise shows
 * only when a server starts.
 */
import 'reflect-metadata';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Test } from '@nestjs/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigService } from '#config';
import { Database } from '#db';
import { AppModule } from './app.module.js';
import { singleNodeParts } from './core/core-parts.js';
import { PostsService } from './posts/posts.service.js';
import { WebSocketEndpoint } from './websocket/websocket.server.js';

describe('AppModule', () => {
  const dir = mkdtempSync(join(tmpdir(), 'app-module-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('builds every area with its dependencies (no database needed: nothing runs before init)', async () => {
    const config = new ConfigService(join(dir, 'config.json'), {});
    const moduleRef = await Test.createTestingModule({ imports: [AppModule.register(singleNodeParts(config, {} as Database))] }).compile();
    expect(moduleRef.get(PostsService)).toBeInstanceOf(PostsService);
    expect(moduleRef.get(WebSocketEndpoint)).toBeInstanceOf(WebSocketEndpoint);
  });
});
