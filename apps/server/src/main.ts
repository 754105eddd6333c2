import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { DiscoveryService, NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { ConfigError, ConfigService, parseListenAddress } from '#config';
import { Database, EmbeddedDatabase, startEmbeddedPostgres } from '#db';
import { ClusterRuntime } from './cluster/cluster-runtime.js';
import type { CoreParts } from './core/core.module.js';
import { newHub, singleNodeParts } from './core/core-parts.js';
import { AppModule } from './app.module.js';
import { rateLimit } from './common/rate-limit.js';
import { httpsOptions, startHttpsForwarder, strictTransportSecurity } from './common/tls-server.js';
import { createServerLogger } from './logs/server-logger.js';
import { defaultPostsTo200 } from './common/status-codes.js';
import { AppErrorFilter } from './common/app-error.filter.js';
import { RouteTableExpressAdapter } from './common/route-table.adapter.js';
import { middlewareChain } from './common/middleware-chain.js';
import { apiNotFound, exactJsonContentType, formBody, jsonBody, responseHeaders, urlLengthLimit, urlWithoutNul, webhookBody } from './common/http-pipeline.js';
import { PUBLIC_FILE_ROUTES } from './files/public-files.controller.js';
import { COMMAND_HOOK_ROUTES } from './commands/command-hooks.controller.js';
import { OAUTH_PROVIDER_ROUTES } from './oauth-provider/oauth-provider.controller.js';
import { WEB_ROUTES } from './sso/web-sign-in.js';
import { INCOMING_HOOK_ROUTES } from './webhooks/incoming-hook.controller.js';
import { MattermostWsAdapter } from './websocket/websocket.adapter.js';
import { WebApp } from './web/web-app.js';
import { replicaOptions } from './replicas/replica-options.js';
import { trackRequests } from './lifecycle/drain.js';
import { listenBacklog } from './lifecycle/listen-backlog.js';
import { addListenerCopies, LISTENER_COPIES } from './lifecycle/listener-copies.js';
import { installShutdown } from './lifecycle/shutdown.js';
import { startLocalMode } from './local-mode/local-mode-server.js';

const log = new Logger('server');

function loadConfig(): ConfigService {
  try {
    return ConfigService.fromEnv();
  } catch (err) {
    if (err instanceof ConfigError) {
      // A readable line naming the setting, not a stack trace.
      console.error(`Invalid configuration: ${err.message}`);
      process.exit(1);
    }
    throw err;
  }
}

async function connectDatabase(config: ConfigService): Promise<{ db: Database; embedded?: EmbeddedDatabase }> {
  const sql = config.get().SqlSettings;
  let url = sql.DataSource;
  let embedded: EmbeddedDatabase | undefined;
  if (!url) {
    embedded = await startEmbeddedPostgres(config.get().FileSettings.Directory || './data', (m) => log.log(m));
    url = embedded.dataSource;
  }
  const db = await Database.connect({
    url,
    maxConnections: Math.min(sql.MaxOpenConns, 50),
    queryTimeoutSeconds: sql.QueryTimeout,
    maxLifetimeMs: sql.ConnMaxLifetimeMilliseconds,
    maxIdleTimeMs: sql.ConnMaxIdleTimeMilliseconds,
    migrationTimeoutSeconds: sql.MigrationsStatementTimeoutSeconds,
    replicas: replicaOptions(sql),
  });
  if (db.socketDirectory) log.log(`reaching the database over its Unix socket in ${db.socketDirectory} (the DataSource names this machine)`);
  const applied = await db.migrate();
  if (applied.length) log.log(`applied migrations: ${applied.join(', ')}`);
  return { db, embedded };
}

/** A cluster node: the same parts, backed by membership and streams to the other nodes. */
async function clusterParts(config: ConfigService, db: Database): Promise<{ parts: CoreParts; cluster: ClusterRuntime }> {
  const cluster = new ClusterRuntime(config, db);
  const hub = newHub(config, db, cluster.invalidation, cluster.self.id);
  const { publisher, crossNodeResume, connections, outbox } = cluster.attach(hub);
  await cluster.start();
  return {
    cluster,
    parts: { config, db, hub, publisher, invalidation: cluster.invalidation, connections, cluster, crossNodeResume, outbox },
  };
}

async function main() {
  const config = loadConfig();
  const cfg = config.get();
  const listen = parseListenAddress('ServiceSettings.ListenAddress', cfg.ServiceSettings.ListenAddress);
  const { db, embedded } = await connectDatabase(config);

  const { parts, cluster } = cfg.ClusterSettings.Enable ? await clusterParts(config, db) : { parts: singleNodeParts(config, db), cluster: undefined };

  const logger = createServerLogger(config); // console and LogSettings' file, reconfigured on save
  const app = await NestFactory.create<NestExpressApplication>(AppModule.register(parts), new RouteTableExpressAdapter(), {
    bodyParser: false,
    logger,
    httpsOptions: httpsOptions(cfg, log), // ConnectionSecurity "TLS": HTTPS and wss on the one listener
  });
  app.disable('x-powered-by');
  exactJsonContentType(app.getHttpAdapter().getInstance());
  app.set('etag', false); // ETags only where Mattermost sends them (post lists)
  // req.ip stays the socket peer: Express's `trust proxy` would follow any X-Forwarded-For. The
  // client's address is common/client-address.ts's, which reads only the TrustedProxyIPHeader ones.
  app.set('trust proxy', false);
  // One Express layer for the front middlewares (common/middleware-chain.ts), in this order.
  app.use(
    middlewareChain([
      // trackRequests first: the drain on SIGTERM waits for what it counts.
      { handlers: [trackRequests(), responseHeaders(config), strictTransportSecurity(config), urlLengthLimit(config), urlWithoutNul()] },
      { under: '/api/v4', handlers: [rateLimit(config), ...jsonBody(config)] },
      { under: '/login/sso/saml', handlers: [formBody(config)] },
      // The OAuth 2.0 provider's root routes: JSON from the consent page, a form at the token endpoint.
      { under: ['/oauth/authorize', '/oauth/deauthorize'], handlers: jsonBody(config) },
      { under: '/oauth/access_token', handlers: [formBody(config)] },
      // POST /hooks/{id}: the same RateLimitSettings as the API (Mattermost's limiter wraps every
      // route), and its body raw, for the handler reads JSON or a form's payload.
      { under: '/hooks', handlers: [rateLimit(config), ...webhookBody(config)] },
    ]),
  );
  // The sign-in methods' browser routes (/login/sso/saml, /oauth/{service}/login, …), public file
  // links (/files/{id}/public), incoming webhooks (/hooks/{id}), commands' response URLs
  // (/hooks/commands/{id}) and the OAuth provider's routes live outside /api/v4, as in Mattermost.
  app.setGlobalPrefix('api/v4', {
    exclude: [...WEB_ROUTES, ...PUBLIC_FILE_ROUTES, ...INCOMING_HOOK_ROUTES, ...COMMAND_HOOK_ROUTES, ...OAUTH_PROVIDER_ROUTES],
  });
  defaultPostsTo200(app.get(DiscoveryService));
  app.useWebSocketAdapter(app.get(MattermostWsAdapter)); // socket actions → the areas' gateways
  await app.init();
  app.use('/api/v4', apiNotFound);
  app.use('/api/v4', new AppErrorFilter(config).expressHandler()); // a middleware's error, as JSON too
  // The web client (/, /static/…, its client routes): after every route, so that it only gets
  // what no route answered.
  app.use(app.get(WebApp).router());

  // Mattermost's timeouts (seconds). Node's 5 s keep-alive default would close idle client
  // connections just as clients reuse them.
  const http = app.getHttpServer();
  installShutdown({ app, http, hub: parts.hub, cluster, db, embedded, config }); // graceful drain (lifecycle/drain.ts)
  http.keepAliveTimeout = cfg.ServiceSettings.IdleTimeout * 1000;
  http.headersTimeout = http.keepAliveTimeout + 1000;
  http.requestTimeout = cfg.ServiceSettings.ReadTimeout * 1000;
  // The accept queue Go's listener has (lifecycle/listen-backlog.ts). Nest hands listen()'s
  // arguments on to http.Server.listen(port, host, backlog, callback); its typings name the host only.
  const backlog = listenBacklog();
  const listenWithBacklog = app.listen.bind(app) as unknown as (port: number, host: string, backlog: number) => Promise<unknown>;
  await listenWithBacklog(listen.port, listen.host, backlog);
  // Node accepts one connection per event-loop iteration and descriptor (lifecycle/listener-copies.ts).
  const copies = await addListenerCopies(http, LISTENER_COPIES, backlog);
  if (copies.reason) log.warn(`accepting through one descriptor only: ${copies.reason}`);
  log.log(`listening on ${listen.host}:${listen.port}`);
  startHttpsForwarder(cfg, listen.host, log);
  await startLocalMode(config, app); // mmctl --local: ServiceSettings.EnableLocalMode (local-mode/)
}

main().catch((err) => {
  if (err instanceof ConfigError) console.error(`Invalid configuration: ${err.message}`);
  else console.error('Server failed to start:', err instanceof Error ? err.message : err);
  process.exit(1);
});
