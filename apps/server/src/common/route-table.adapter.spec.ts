import 'reflect-metadata';
import { Controller, Get, Head, Module, Param, Post, Req } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { Request, Response, NextFunction } from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RouteTableExpressAdapter } from './route-table.adapter.js';

@Controller('users')
class UsersController {
  @Get(':user_id')
  one(@Param('user_id') id: string, @Req() req: Request) {
    return { route: 'one', id, pattern: (req.route as { path: string }).path };
  }

  @Get(':user_id/teams')
  teams(@Param('user_id') id: string) {
    return { route: 'teams', id };
  }

  // Registered after the param route that also matches it: the literal wins.
  @Get('me/teams')
  myTeams() {
    return { route: 'myTeams' };
  }

  @Post('ids')
  ids() {
    return { route: 'ids' };
  }

  @Head('ping')
  headPing() {
    return undefined;
  }

  // Not a plain pattern: left to Express's router.
  @Get('files/*path')
  files(@Param('path') path: string[]) {
    return { route: 'files', path };
  }
}

@Module({ controllers: [UsersController] })
class TestModule {}

let app: NestExpressApplication;
let base: string;
const order: string[] = [];

beforeAll(async () => {
  app = await NestFactory.create<NestExpressApplication>(TestModule, new RouteTableExpressAdapter(), { logger: false });
  app.use((req: Request, _res: Response, next: NextFunction) => {
    order.push(`before ${req.path}`);
    next();
  });
  await app.init();
  await app.listen(0, '127.0.0.1');
  base = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
});

afterAll(() => app.close());

async function get(path: string, method = 'GET'): Promise<{ status: number; body: unknown }> {
  const res = await fetch(base + path, { method });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

describe('RouteTableExpressAdapter', () => {
  it("finds routes with Express's rules: any case, a trailing slash, params decoded", async () => {
    expect((await get('/users/abc')).body).toEqual({ route: 'one', id: 'abc', pattern: '/users/:user_id' });
    expect((await get('/USERS/AbC/')).body).toEqual({ route: 'one', id: 'AbC', pattern: '/users/:user_id' });
    expect((await get('/users/a%2Fb%20c')).body).toEqual({ route: 'one', id: 'a/b c', pattern: '/users/:user_id' });
    expect((await get('/users/abc/teams')).body).toEqual({ route: 'teams', id: 'abc' });
  });

  it('prefers a literal segment over a param, whatever the order they were registered in', async () => {
    expect((await get('/users/me/teams')).body).toEqual({ route: 'myTeams' });
  });

  it('answers HEAD with the GET route, and a HEAD route of its own where there is one', async () => {
    expect((await get('/users/abc', 'HEAD')).status).toBe(200);
    expect((await get('/users/ping', 'HEAD')).status).toBe(200);
  });

  it('leaves what it does not hold to the rest of the stack, in order', async () => {
    expect(await get('/users/ids')).toEqual({ status: 200, body: { route: 'one', id: 'ids', pattern: '/users/:user_id' } });
    expect((await get('/users/ids', 'POST')).body).toEqual({ route: 'ids' });
    expect((await get('/users/files/a/b')).body).toEqual({ route: 'files', path: ['a', 'b'] });
    // Nest's own not-found handler, registered after the routes, still answers what none took.
    expect(await get('/nothing/here')).toMatchObject({ status: 404, body: { message: 'Cannot GET /nothing/here' } });
    expect(await get('/users/abc', 'DELETE')).toMatchObject({ status: 404, body: { message: 'Cannot DELETE /users/abc' } });
    expect(order).toContain('before /nothing/here');
    expect(order).toContain('before /users/abc');
  });
});
