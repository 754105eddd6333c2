/**
 * One of bench:http-stack's servers (bench/http-stack.ts), in its own process: the same answer (a
 * 317-byte PNG with this server's picture headers) through a growing stack, so that the driver can
 * read what each layer costs in CPU per request. Prints its port.
 *
 *   bare          node:http alone
 *   express       Express 5, the one route
 *   express-big   Express 5 with as many middlewares and routes before the route as this server
 *                 registers before GET /api/v4/users/{id}/status/ids (HTTP_STACK_LAYERS)
 *   nest          NestJS on Express, one controller route
 *   nest-pipeline NestJS with two async global guards and three global interceptors, as this server
 *   fastify       Fastify 5, the one route
 *   nest-fastify  NestJS on its Fastify adapter, one controller route
 *   nest-fastify-pipeline  the same with the guards and interceptors of nest-pipeline
 */
import 'reflect-metadata';
import http from 'node:http';
import express from 'express';
import type { NextFunction, Request, Response } from 'express';
import { CallHandler, CanActivate, Controller, ExecutionContext, Get, Injectable, Module, NestInterceptor, Param, Res } from '@nestjs/common';
import { APP_GUARD, APP_INTERCEPTOR, NestFactory } from '@nestjs/core';
import type { Provider } from '@nestjs/common';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import Fastify from 'fastify';

export const ROUTE = '/api/v4/users/:user_id/image';
const PNG = Buffer.alloc(317, 1);
const MIDDLEWARES = 15;
/** This server's picture headers (sendPng). */
const HEADERS = { 'Content-Type': 'image/png', 'Cache-Control': 'max-age=86400, private', ETag: '"0123456789abcdefghijklmnop"' };

/** What the handler answers with: Node's response (Express's extends it) or Fastify's reply (whose .raw is Node's). */
function send(res: http.ServerResponse | { raw: http.ServerResponse }): void {
  if ('raw' in res) res = res.raw;
  for (const [name, value] of Object.entries(HEADERS)) res.setHeader(name, value);
  res.statusCode = 200;
  res.end(PNG);
}

@Controller('users')
class PictureController {
  @Get(':user_id/image')
  image(@Param('user_id') _userId: string, @Res() res: Response | { raw: http.ServerResponse }): void {
    send(res);
  }
}

@Injectable()
class AsyncGuard implements CanActivate {
  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    (ctx.switchToHttp().getRequest<Request>() as Request & { seen?: boolean }).seen = true;
    return true;
  }
}

@Injectable()
class PassThrough implements NestInterceptor {
  intercept(_ctx: ExecutionContext, next: CallHandler) {
    return next.handle();
  }
}

async function nest(pipeline: boolean, onFastify = false): Promise<http.Server> {
  const providers: Provider[] = pipeline
    ? [
        { provide: APP_GUARD, useClass: AsyncGuard },
        { provide: APP_GUARD, useClass: AsyncGuard },
        ...[0, 1, 2].map(() => ({ provide: APP_INTERCEPTOR, useClass: PassThrough })),
      ]
    : [];
  @Module({ controllers: [PictureController], providers })
  class BenchModule {}
  const app = onFastify
    ? await NestFactory.create<NestFastifyApplication>(BenchModule, new FastifyAdapter(), { logger: false })
    : await NestFactory.create(BenchModule, { bodyParser: false, logger: false });
  app.setGlobalPrefix('api/v4');
  await app.init();
  // Listened to below like the others: Fastify compiles its hooks only when made ready.
  if (onFastify) await (app as NestFastifyApplication).getHttpAdapter().getInstance().ready();
  return app.getHttpServer() as http.Server;
}

function expressApp(layers: number): http.Server {
  const app = express();
  for (let i = 0; i < Math.min(layers, MIDDLEWARES); i++) app.use((_req: Request, _res: Response, next: NextFunction) => next());
  for (let i = MIDDLEWARES; i < layers; i++) app.get(`/api/v4/area${i}/:id/thing${i}`, (_req: Request, res: Response) => send(res));
  app.get(ROUTE, (_req: Request, res: Response) => send(res));
  return http.createServer(app);
}

async function serverFor(variant: string): Promise<http.Server> {
  switch (variant) {
    case 'bare':
      return http.createServer((req, res) => {
        req.resume();
        send(res);
      });
    case 'express':
      return expressApp(0);
    case 'express-big':
      return expressApp(Number(process.env.HTTP_STACK_LAYERS ?? 180));
    case 'nest':
      return nest(false);
    case 'nest-pipeline':
      return nest(true);
    case 'fastify': {
      const app = Fastify();
      app.get(ROUTE, (_req, reply) => {
        return reply.headers(HEADERS).send(PNG);
      });
      await app.ready();
      return app.server;
    }
    case 'nest-fastify':
      return nest(false, true);
    case 'nest-fastify-pipeline':
      return nest(true, true);
  }
  throw new Error(`unknown variant ${variant}`);
}

const server = await serverFor(process.argv[2]);
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => process.stdout.write(`${(server.address() as { port: number }).port}\n`));
