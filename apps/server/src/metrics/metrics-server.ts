import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { createServer, type Server } from 'node:http';
import { ConfigService, parseListenAddress } from '#config';
import { Metrics } from './metrics.js';

/**
 * The metrics server (MetricsSettings): its own HTTP listener on ListenAddress (":8067"), apart
 * from the API so that it can stay inside the network, started when Enable is on and started,
 * moved or stopped when a saved config changes either. Mattermost serves it only with an
 * Enterprise licence; here it is always available.
 */
@Injectable()
export class MetricsServer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger('metrics');
  private server: Server | null = null;
  private address = '';
  private unsubscribe?: () => void;
  /** Start and stop one at a time when configs follow each other quickly. */
  private applying: Promise<void> = Promise.resolve();

  constructor(
    private readonly config: ConfigService,
    private readonly metrics: Metrics,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.unsubscribe = this.config.onChange(() => void this.apply());
    await this.apply();
  }

  async onApplicationShutdown(): Promise<void> {
    this.unsubscribe?.();
    await this.applying;
    await this.close();
  }

  private apply(): Promise<void> {
    this.applying = this.applying
      .then(() => this.reconcile())
      .catch((err: unknown) => this.log.error(`metrics server: ${err instanceof Error ? err.message : String(err)}`));
    return this.applying;
  }

  private async reconcile(): Promise<void> {
    const s = this.config.get().MetricsSettings;
    const wanted = s.Enable ? s.ListenAddress : '';
    if (wanted === this.address && (this.server !== null) === (wanted !== '')) return;
    await this.close();
    if (!wanted) return;
    this.metrics.startRuntimeMetrics();
    const { host, port } = parseListenAddress('MetricsSettings.ListenAddress', wanted);
    const server = createServer((req, res) => {
      if (req.method !== 'GET' && req.method !== 'HEAD') return void res.writeHead(405, { Allow: 'GET' }).end();
      const path = (req.url ?? '/').split('?')[0];
      if (path === '/metrics') {
        this.metrics
          .text()
          .then((body) => res.writeHead(200, { 'Content-Type': this.metrics.contentType }).end(body))
          .catch((err: unknown) => res.writeHead(500).end(String(err)));
        return;
      }
      if (path === '/') return void res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end('<div><a href="/metrics">Metrics</a></div>');
      res.writeHead(404).end();
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
    this.server = server;
    this.address = wanted;
    this.log.log(`metrics on ${host}:${port}`);
  }

  private async close(): Promise<void> {
    const server = this.server;
    this.server = null;
    this.address = '';
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
