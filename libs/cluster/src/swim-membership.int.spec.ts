/**
 * Failure detection against a node in another process that is SIGKILLed or SIGSTOPped. The child
 * runs test-fixtures/swim-node.mjs on the library transpiled right here from the current sources
 * (into node_modules/.cache, where happn-swim resolves), so no prior `npm run build` is needed.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freeUdpPort, testNodeInfo, waitUntil } from '../test-fixtures/swim-test-kit.js';
import { SwimMembership } from './swim-membership.js';

const SRC = import.meta.dirname;
const FIXTURE = join(SRC, '../test-fixtures/swim-node.mjs');
const SECRET = 'test-secret-0123456789abcdef';

/** Transpiles the .ts files of `dir` (without specs) to ESM JavaScript in `out`. */
function transpileFolder(dir: string, out: string): void {
  mkdirSync(out, { recursive: true });
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts') && !f.endsWith('.spec.ts') && !f.endsWith('.d.ts'))) {
    const { outputText } = ts.transpileModule(readFileSync(join(dir, file), 'utf8'), {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, esModuleInterop: true, verbatimModuleSyntax: false },
      fileName: file,
    });
    writeFileSync(join(out, file.replace(/\.ts$/, '.js')), outputText);
  }
}

/**
 * Transpiles libs/cluster/src, and libs/common/src which it imports as `#common`, to a fresh
 * folder (type-only imports such as `#db` vanish in the transpiling).
 */
function transpileLibrary(): string {
  const cache = join(SRC, '../../../node_modules/.cache/mmchat-cluster-fixture');
  mkdirSync(cache, { recursive: true });
  const out = mkdtempSync(join(cache, 'run-'));
  // node_modules is a package-scope boundary: say these .js files are ES modules, and where #common is.
  writeFileSync(join(out, 'package.json'), JSON.stringify({ type: 'module', imports: { '#common': './common/index.js' } }));
  transpileFolder(SRC, out);
  transpileFolder(join(SRC, '../../common/src'), join(out, 'common'));
  return out;
}

interface ChildNode {
  process: ChildProcess;
  id: string;
  startingAt: number;
  lines: Array<Record<string, any>>;
}

describe('SwimMembership with a node in another process', () => {
  let compiled: string;
  let port: number;
  let observers: SwimMembership[];
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    compiled = transpileLibrary();
    port = await freeUdpPort(['127.0.0.1', '127.0.0.2', '127.0.0.3']);
    observers = ['127.0.0.1', '127.0.0.2'].map((address) => new SwimMembership({ self: testNodeInfo(address, port), bindAddress: address, secrets: [SECRET] }));
    await observers[0].start([]);
    await observers[1].start([`127.0.0.1:${port}`]);
    await waitUntil(() => observers.every((o) => o.members().length === 2), 2000, 'the observers to meet');
  });

  afterAll(async () => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await Promise.all(observers.map((o) => o.stop()));
    rmSync(compiled, { recursive: true, force: true });
  });

  async function startChild(): Promise<ChildNode> {
    const options = { self: testNodeInfo('127.0.0.3', port), bindAddress: '127.0.0.3', secrets: [SECRET] };
    const child = spawn(process.execPath, [FIXTURE, join(compiled, 'swim-membership.js'), JSON.stringify(options), JSON.stringify([`127.0.0.1:${port}`])], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    children.push(child);
    const lines: Array<Record<string, any>> = [];
    createInterface({ input: child.stdout! }).on('line', (line) => lines.push(JSON.parse(line)));
    await waitUntil(() => lines.some((l) => l.event === 'ready'), 5000, 'the child node to start');
    const starting = lines.find((l) => l.event === 'starting')!;
    return { process: child, id: starting.self.id, startingAt: starting.at, lines };
  }

  const seenByAll = (id: string) => observers.every((o) => o.members().some((n) => n.id === id));
  const seenByNone = (id: string) => observers.every((o) => !o.members().some((n) => n.id === id));

  it('sees a joining node within 2 s and evicts it within 3 s of a SIGKILL', async () => {
    const child = await startChild();
    await waitUntil(() => seenByAll(child.id), 2000, 'the child to join');
    const joinMs = Date.now() - child.startingAt;

    child.process.kill('SIGKILL');
    const killedAt = Date.now();
    await waitUntil(() => seenByNone(child.id), 3000, 'the killed node to be evicted');
    const detectMs = Date.now() - killedAt;
    console.info(`cluster timings: join seen by all after ${joinMs} ms; SIGKILL evicted everywhere after ${detectMs} ms`);
    expect(joinMs).toBeLessThan(2000);
    expect(detectMs).toBeLessThan(3000);
  });

  it('suspects and evicts a node paused with SIGSTOP for 10 s, and readmits it after SIGCONT', { timeout: 30_000 }, async () => {
    const child = await startChild();
    await waitUntil(() => seenByAll(child.id), 2000, 'the child to join');
    const timeline: string[] = [];
    let suspectedAt = 0;
    let evictedAt = 0;
    let rejoinedAt = 0;
    for (const o of observers) {
      o.onSuspect((n) => n.id === child.id && (timeline.push('suspect'), (suspectedAt ||= Date.now())));
      o.on('leave', (n) => n.id === child.id && (timeline.push('leave'), (evictedAt = Date.now())));
      o.on('join', (n) => n.id === child.id && (timeline.push('join'), (rejoinedAt = Date.now())));
    }

    child.process.kill('SIGSTOP');
    const stoppedAt = Date.now();
    await waitUntil(() => seenByNone(child.id), 3000, 'the paused node to be evicted');
    await new Promise((r) => setTimeout(r, stoppedAt + 10_000 - Date.now()));
    child.process.kill('SIGCONT');
    const resumedAt = Date.now();
    await waitUntil(() => seenByAll(child.id), 3000, 'the resumed node to rejoin');
    // It stays: no flapping once it is back.
    await new Promise((r) => setTimeout(r, 1500));
    expect(seenByAll(child.id)).toBe(true);
    console.info(
      `cluster timings: SIGSTOP suspected after ${suspectedAt - stoppedAt} ms, evicted after ${evictedAt - stoppedAt} ms; ` +
        `after SIGCONT rejoined after ${rejoinedAt - resumedAt} ms`,
    );
    expect(timeline.slice(0, 4)).toEqual(['suspect', 'suspect', 'leave', 'leave']);
    expect(timeline.slice(4)).toEqual(['join', 'join']);
    expect(rejoinedAt - resumedAt).toBeLessThan(2000);
    // The resumed node itself ends up seeing the whole cluster again.
    const childView = new Set(observers.map((o) => o.self().id));
    const left = child.lines.filter((l) => l.event === 'leave' && childView.has(l.id)).length;
    const joined = child.lines.filter((l) => l.event === 'join' && childView.has(l.id)).length;
    expect(joined - left).toBe(2);
    child.process.kill('SIGKILL');
  });
});
