/**
 * What the simulated users measure, per request, per action and per WebSocket event. A worker
 * records into a Collector and drains it every second into a Snapshot for the driver; the driver
 * merges snapshots into Totals (any window: the last minute for the health checks, the whole
 * run for the report).
 */
import { Histogram, type HistogramData } from './histogram.js';

export type Outcome = 'ok' | '4xx' | '5xx' | 'timeout' | 'network';

export interface RequestData {
  count: number;
  err4xx: number;
  err5xx: number;
  timeouts: number;
  network: number;
  latency: HistogramData;
}

export interface ActionData {
  count: number;
  failed: number;
  /** Time the action spent in requests and their processing, without its deliberate pauses. */
  duration: HistogramData;
  /** Latency of each request the action issued. */
  requests: HistogramData;
}

export interface WsData {
  events: Record<string, number>;
  /** Post created (server create_at) → `posted` event received, per receiving socket. */
  delivery: HistogramData;
  connects: number;
  reconnects: number;
  closes: number;
  errors: number;
}

export interface Snapshot {
  worker: number;
  /** Epoch ms at the end of the interval. */
  at: number;
  endpoints: Record<string, RequestData>;
  actions: Record<string, ActionData>;
  ws: WsData;
  /** Calls not made because this server lacks the endpoint, by endpoint. */
  skipped: Record<string, number>;
  /** Timed-out requests by endpoint and where they were stuck (lightFetch's TimeoutPhase, or 'unknown'): `POST /users/ids: connecting`. */
  timeoutPhases: Record<string, number>;
  users: { active: number; ready: number; loginFailures: number };
  /** Event-loop utilisation (0–1) and delay p99 of the worker thread over the interval. */
  loop: { elu: number; delayP99Ms: number };
  errorSamples: string[];
}

class RequestStats {
  count = 0;
  err4xx = 0;
  err5xx = 0;
  timeouts = 0;
  network = 0;
  readonly latency = new Histogram();

  add(ms: number, outcome: Outcome) {
    this.count++;
    if (outcome === '4xx') this.err4xx++;
    else if (outcome === '5xx') this.err5xx++;
    else if (outcome === 'timeout') this.timeouts++;
    else if (outcome === 'network') this.network++;
    // Timeouts and refused connections have no response time; they count, but not as latency.
    if (outcome !== 'timeout' && outcome !== 'network') this.latency.record(ms);
  }

  data(): RequestData {
    return { count: this.count, err4xx: this.err4xx, err5xx: this.err5xx, timeouts: this.timeouts, network: this.network, latency: this.latency.toData() };
  }
}

class ActionStats {
  count = 0;
  failed = 0;
  readonly duration = new Histogram();
  readonly requests = new Histogram();

  data(): ActionData {
    return { count: this.count, failed: this.failed, duration: this.duration.toData(), requests: this.requests.toData() };
  }
}

const MAX_ERROR_SAMPLES = 5;

export class Collector {
  private endpoints = new Map<string, RequestStats>();
  private actions = new Map<string, ActionStats>();
  private events = new Map<string, number>();
  private delivery = new Histogram();
  private skipped = new Map<string, number>();
  private timeoutPhases = new Map<string, number>();
  private errorSamples: string[] = [];
  private ws = { connects: 0, reconnects: 0, closes: 0, errors: 0 };
  loginFailures = 0;

  request(endpoint: string, action: string | undefined, ms: number, outcome: Outcome): void {
    let e = this.endpoints.get(endpoint);
    if (!e) this.endpoints.set(endpoint, (e = new RequestStats()));
    e.add(ms, outcome);
    if (action && outcome !== 'timeout' && outcome !== 'network') this.action(action).requests.record(ms);
  }

  private action(name: string): ActionStats {
    let a = this.actions.get(name);
    if (!a) this.actions.set(name, (a = new ActionStats()));
    return a;
  }

  actionDone(name: string, busyMs: number, failed: boolean): void {
    const a = this.action(name);
    a.count++;
    if (failed) a.failed++;
    a.duration.record(busyMs);
  }

  event(type: string): void {
    this.events.set(type, (this.events.get(type) ?? 0) + 1);
  }

  delivered(ms: number): void {
    this.delivery.record(Math.max(0, ms));
  }

  socket(what: 'connects' | 'reconnects' | 'closes' | 'errors'): void {
    this.ws[what]++;
  }

  skip(endpoint: string): void {
    this.skipped.set(endpoint, (this.skipped.get(endpoint) ?? 0) + 1);
  }

  timeout(endpoint: string, phase: string): void {
    const key = `${endpoint}: ${phase}`;
    this.timeoutPhases.set(key, (this.timeoutPhases.get(key) ?? 0) + 1);
  }

  error(message: string): void {
    if (this.errorSamples.length < MAX_ERROR_SAMPLES) this.errorSamples.push(message.slice(0, 300));
  }

  /** Everything recorded since the last drain, and a fresh start. */
  drain(meta: Pick<Snapshot, 'worker' | 'users' | 'loop'>): Snapshot {
    const snap: Snapshot = {
      ...meta,
      users: { ...meta.users, loginFailures: this.loginFailures },
      at: Date.now(),
      endpoints: Object.fromEntries([...this.endpoints].map(([k, v]) => [k, v.data()])),
      actions: Object.fromEntries([...this.actions].map(([k, v]) => [k, v.data()])),
      ws: { events: Object.fromEntries(this.events), delivery: this.delivery.toData(), ...this.ws },
      skipped: Object.fromEntries(this.skipped),
      timeoutPhases: Object.fromEntries(this.timeoutPhases),
      errorSamples: this.errorSamples,
    };
    this.endpoints = new Map();
    this.actions = new Map();
    this.events = new Map();
    this.delivery = new Histogram();
    this.skipped = new Map();
    this.timeoutPhases = new Map();
    this.errorSamples = [];
    this.ws = { connects: 0, reconnects: 0, closes: 0, errors: 0 };
    this.loginFailures = 0;
    return snap;
  }
}

// ---- merging on the driver's side -------------------------------------------------------------

export class RequestTotals {
  count = 0;
  err4xx = 0;
  err5xx = 0;
  timeouts = 0;
  network = 0;
  readonly latency = new Histogram();

  merge(d: RequestData | RequestTotals): this {
    this.count += d.count;
    this.err4xx += d.err4xx;
    this.err5xx += d.err5xx;
    this.timeouts += d.timeouts;
    this.network += d.network;
    this.latency.merge(d.latency);
    return this;
  }
}

export class ActionTotals {
  count = 0;
  failed = 0;
  readonly duration = new Histogram();
  readonly requests = new Histogram();

  merge(d: ActionData): this {
    this.count += d.count;
    this.failed += d.failed;
    this.duration.merge(d.duration);
    this.requests.merge(d.requests);
    return this;
  }
}

/** Snapshots merged: per endpoint, per action, all requests, WebSocket traffic and skipped calls. */
export class Totals {
  readonly all = new RequestTotals();
  readonly endpoints = new Map<string, RequestTotals>();
  readonly actions = new Map<string, ActionTotals>();
  readonly events = new Map<string, number>();
  readonly delivery = new Histogram();
  readonly skipped = new Map<string, number>();
  readonly timeoutPhases = new Map<string, number>();
  readonly errorSamples: string[] = [];
  ws = { connects: 0, reconnects: 0, closes: 0, errors: 0 };
  loginFailures = 0;
  /** Wall-clock span covered, for rates. */
  fromMs = Infinity;
  toMs = 0;

  add(s: Snapshot, intervalMs: number): this {
    this.fromMs = Math.min(this.fromMs, s.at - intervalMs);
    this.toMs = Math.max(this.toMs, s.at);
    for (const [k, d] of Object.entries(s.endpoints)) {
      this.all.merge(d);
      let e = this.endpoints.get(k);
      if (!e) this.endpoints.set(k, (e = new RequestTotals()));
      e.merge(d);
    }
    for (const [k, d] of Object.entries(s.actions)) {
      let a = this.actions.get(k);
      if (!a) this.actions.set(k, (a = new ActionTotals()));
      a.merge(d);
    }
    for (const [k, n] of Object.entries(s.ws.events)) this.events.set(k, (this.events.get(k) ?? 0) + n);
    this.delivery.merge(s.ws.delivery);
    for (const [k, n] of Object.entries(s.skipped)) this.skipped.set(k, (this.skipped.get(k) ?? 0) + n);
    for (const [k, n] of Object.entries(s.timeoutPhases ?? {})) this.timeoutPhases.set(k, (this.timeoutPhases.get(k) ?? 0) + n);
    for (const k of ['connects', 'reconnects', 'closes', 'errors'] as const) this.ws[k] += s.ws[k];
    this.loginFailures += s.users.loginFailures;
    for (const e of s.errorSamples) if (this.errorSamples.length < 20 && !this.errorSamples.includes(e)) this.errorSamples.push(e);
    return this;
  }

  get seconds(): number {
    return this.toMs > this.fromMs ? (this.toMs - this.fromMs) / 1000 : 0;
  }

  eventCount(): number {
    let n = 0;
    for (const v of this.events.values()) n += v;
    return n;
  }
}
