import { describe, expect, it } from 'vitest';
import type { CpuSplit } from './machine.js';
import {
  addCpu,
  othersCpuSec,
  phaseDisturbed,
  phaseResult,
  renderSsoMarkdown,
  samlCostVerdict,
  type BatchRun,
  type PhaseResult,
  type SsoResults,
} from './sso-report.js';

const cpu = (wallSec: number, serverSec: number, postgresSec = 0, activeBackends: Record<string, number> = {}): CpuSplit => ({
  wallSec,
  serverSec,
  postgresSec,
  clientSec: 0.5,
  machineSec: serverSec + postgresSec + 1,
  activeBackends,
});

const batch = (latencies: number[], wallMs: number, split: CpuSplit, extra: Partial<BatchRun> = {}): BatchRun => ({
  latencies,
  failures: 0,
  failureSamples: [],
  wallMs,
  cpu: split,
  ...extra,
});

const meta = (key: PhaseResult['key']) => ({ key, label: key, request: 'x', concurrency: 8 });

describe('addCpu', () => {
  it('adds the seconds and averages busy backends by wall time', () => {
    const sum = addCpu([cpu(1, 2, 0.5, { CPU: 1 }), cpu(3, 4, 1.5, { CPU: 0.2, 'IO:WALSync': 0.4 })]);
    expect(sum).toMatchObject({ wallSec: 4, serverSec: 6, postgresSec: 2, clientSec: 1, machineSec: 10 });
    expect(sum.activeBackends).toEqual({ CPU: 0.4, 'IO:WALSync': 0.3 });
  });
});

describe('phaseResult', () => {
  it('rates successes over the timed wall time only and divides CPU by every timed request', () => {
    const p = phaseResult(meta('oidc'), [
      batch([10, 20, 30], 1000, cpu(1, 0.3, 0.06), { providerSec: 0.12, maxPreparedAgeSec: 12 }),
      batch([40], 1000, cpu(1, 0.1, 0.02), { failures: 1, failureSamples: ['expired'], providerSec: 0.03, maxPreparedAgeSec: 25.04 }),
    ]);
    expect(p).toMatchObject({ signIns: 5, succeeded: 4, failures: 1, failureSamples: ['expired'], batches: 2, timedSec: 2, perSec: 2 });
    expect(p.serverCpuMs).toBe(80); // 0.4 s / 5 requests
    expect(p.postgresCpuMs).toBe(16);
    expect(p.providerCpuMs).toBe(30);
    expect(p.maxPreparedAgeSec).toBe(25);
    expect(p.latency).toMatchObject({ count: 4, p50: 20, p99: 40 });
  });

  it('has no provider or age figures where nothing was prepared', () => {
    const p = phaseResult(meta('password'), [batch([5], 100, cpu(0.1, 0.06))]);
    expect(p.providerCpuMs).toBeUndefined();
    expect(p.maxPreparedAgeSec).toBeUndefined();
  });
});

describe('samlCostVerdict', () => {
  const password = phaseResult(meta('password'), [batch([500, 600], 1000, cpu(1, 0.12, 0.01))]); // 60 ms a login
  const saml = (serverSec: number, extra: Partial<BatchRun> = {}) =>
    phaseResult(meta('samlEncrypted'), [batch([100, 200], 1000, cpu(1, serverSec, 0.02), extra)]);

  it('compares server CPU per sign-in, limit included', () => {
    expect(samlCostVerdict(password, saml(0.36))).toMatchObject({ limit: 3, serverCpuRatio: 3, met: true });
    const over = samlCostVerdict(password, saml(0.38));
    expect(over).toMatchObject({ serverCpuRatio: 3.17, met: false });
    expect(over.reason).toMatch(/3\.17×/);
  });

  it('gives the latency, throughput and server + PostgreSQL ratios beside it', () => {
    const v = samlCostVerdict(password, saml(0.04));
    expect(v).toMatchObject({ serverCpuRatio: 0.33, serverAndPostgresCpuRatio: 0.46, p50Ratio: 0.2, p99Ratio: 0.33, throughputRatio: 1, met: true });
  });

  it('is not met with failed sign-ins or none at all', () => {
    expect(samlCostVerdict(password, saml(0.04, { failures: 2, failureSamples: ['x'] }))).toMatchObject({
      met: false,
      reason: expect.stringMatching(/failed/),
    });
    const none = phaseResult(meta('samlEncrypted'), [batch([], 1000, cpu(1, 0.1), { failures: 2 })]);
    expect(samlCostVerdict(password, none).met).toBe(false);
  });
});

describe('renderSsoMarkdown', () => {
  it('starts with its heading and states the verdict and the load', () => {
    const password = phaseResult(meta('password'), [batch([500], 1000, cpu(1, 0.06))]);
    const saml = phaseResult({ ...meta('samlEncrypted'), validitySec: 300 }, [batch([50], 1000, cpu(1, 0.02), { maxPreparedAgeSec: 40 })]);
    const r: SsoResults = {
      date: '2026-12-05 10:00 UTC',
      command: 'npm run bench:sso',
      machine: { nproc: 2, cpuModel: 'cpu', totalRamGiB: 8, node: 'v20', postgres: '15', loadAverage1m: 1.5 },
      loadAverageAfter1m: 2,
      loadAveragesBefore: [1.5, 1.2, 1],
      users: { password: 50, saml: 50, oidc: 50 },
      concurrency: 8,
      phases: [password, saml],
      verdict: samlCostVerdict(password, saml),
      versions: { 'openid-client': '6.9.0' },
    };
    const md = renderSsoMarkdown(r);
    expect(md.startsWith('## bench:sso\n')).toBe(true);
    expect(md).toContain('**Met**');
    expect(md).toContain('0.33× (limit 3×)');
    expect(md).toContain('1.5 / 1.2 / 1');
    expect(md).toContain('at most 40 s');
  });
});

describe('othersCpuSec', () => {
  it("is the machine's CPU beyond the server, PostgreSQL, the client and the provider", () => {
    const p = phaseResult(meta('oidc'), [batch([1, 2], 1000, { ...cpu(1, 0.2, 0.1), machineSec: 1.5 }, { providerSec: 0.2 })]);
    expect(othersCpuSec(p)).toBe(0.5); // 1.5 − 0.2 − 0.1 − 0.5 (client) − 0.2
    expect(phaseDisturbed(p, 2)).toBe(true);
    expect(phaseDisturbed({ ...p, cpu: { ...p.cpu, machineSec: 1.1 } }, 2)).toBe(false);
  });
});
