/**
 * Reads a V8 .cpuprofile (node --cpu-prof, or the inspector's Profiler) and says where the time
 * went: self time per function and per area (the server's modules, each npm package, Node's
 * internals, garbage collection, idle), so a bottleneck can be named.
 *
 *   node dist-loadtest/apps/loadtest/src/bench/profile-summary.js file.cpuprofile [more.cpuprofile …]
 *
 * Several profiles (a cluster's nodes) are summed.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

export interface ProfileSummary {
  totalMs: number;
  /** Time not idle: what the process actually spent CPU on. */
  busyMs: number;
  areas: Array<{ area: string; ms: number; percentOfBusy: number }>;
  functions: Array<{ fn: string; where: string; area: string; ms: number; percentOfBusy: number }>;
  /** Native functions (socket writes, zlib, crypto) charged to the nearest JavaScript caller. */
  nativeCallers: Array<{ native: string; caller: string; ms: number; percentOfBusy: number }>;
  /** Every sample charged to the innermost frame of the server's own code on its stack (dist/apps, dist/libs). */
  ours: Array<{ fn: string; where: string; ms: number; percentOfBusy: number }>;
}

/** Which part of the program a script URL belongs to. */
export function areaOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  if (url.startsWith('node:')) return `node:${url.slice(5).split('/').slice(0, 2).join('/')}`;
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (nm) return nm[1];
  const app = /\/dist\/apps\/([^/]+)\/src\/([^/]+)/.exec(url);
  if (app) return `${app[1]}/${app[2].replace(/\.js$/, '')}`;
  const lib = /\/dist\/libs\/([^/]+)\//.exec(url);
  if (lib) return `libs/${lib[1]}`;
  return url
    .replace(/^file:\/\//, '')
    .split('/')
    .slice(-2)
    .join('/');
}

const shortUrl = (url: string) => url.replace(/^file:\/\//, '').replace(/^.*\/(dist|node_modules)\//, '$1/');
const isOurs = (url: string) => /\/dist\/(apps|libs)\//.test(url);

const frameName = (n: ProfileNode) => `${n.callFrame.functionName || '(anonymous)'} ${shortUrl(n.callFrame.url)}:${n.callFrame.lineNumber + 1}`;

/** Each node's self time in ms: each sample's time is the delta to the next one. */
function selfTimes(profile: CpuProfile): Map<number, number> {
  const selfMs = new Map<number, number>();
  if (profile.samples?.length && profile.timeDeltas?.length) {
    for (let i = 0; i < profile.samples.length; i++) {
      const dt = (profile.timeDeltas[i + 1] ?? 0) / 1000;
      selfMs.set(profile.samples[i], (selfMs.get(profile.samples[i]) ?? 0) + dt);
    }
  } else {
    const total = (profile.endTime - profile.startTime) / 1000;
    const hits = profile.nodes.reduce((s, n) => s + (n.hitCount ?? 0), 0) || 1;
    for (const n of profile.nodes) selfMs.set(n.id, ((n.hitCount ?? 0) / hits) * total);
  }
  return selfMs;
}

/**
 * Where the time of one profile went, or of several summed (the nodes of a cluster: a function's
 * time is its time on all of them, and busy time is theirs together).
 */
export function summarizeProfile(profiles: CpuProfile | CpuProfile[], top = 25): ProfileSummary {
  let totalMs = 0;
  let busyMs = 0;
  const areas = new Map<string, number>();
  const fns = new Map<string, { fn: string; where: string; area: string; ms: number }>();
  const natives = new Map<string, { native: string; caller: string; ms: number }>();
  const ours = new Map<string, { fn: string; where: string; ms: number }>();
  for (const profile of Array.isArray(profiles) ? profiles : [profiles]) {
    const byId = new Map(profile.nodes.map((n) => [n.id, n]));
    const parent = new Map<number, number>();
    for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
    const ancestor = (id: number, test: (n: ProfileNode) => boolean): ProfileNode | undefined => {
      for (let cur = parent.get(id); cur !== undefined; cur = parent.get(cur)) {
        const n = byId.get(cur)!;
        if (test(n)) return n;
      }
      return undefined;
    };
    for (const [id, ms] of selfTimes(profile)) {
      totalMs += ms;
      const n = byId.get(id);
      if (!n || n.callFrame.functionName === '(idle)') continue;
      busyMs += ms;
      if (!n.callFrame.url && !n.callFrame.functionName.startsWith('(')) {
        const caller = ancestor(id, (a) => !!a.callFrame.url && !a.callFrame.url.startsWith('node:'));
        const key = `${n.callFrame.functionName}<${caller ? frameName(caller) : '?'}`;
        const e = natives.get(key) ?? { native: n.callFrame.functionName, caller: caller ? frameName(caller) : '(no JavaScript caller)', ms: 0 };
        e.ms += ms;
        natives.set(key, e);
      }
      const own = isOurs(n.callFrame.url) ? n : ancestor(id, (a) => isOurs(a.callFrame.url));
      const ownKey = own ? frameName(own) : '(not under the server code: event loop, sockets, GC)';
      const o = ours.get(ownKey) ?? {
        fn: own ? own.callFrame.functionName || '(anonymous)' : ownKey,
        where: own ? `${shortUrl(own.callFrame.url)}:${own.callFrame.lineNumber + 1}` : '',
        ms: 0,
      };
      o.ms += ms;
      ours.set(ownKey, o);
      const { functionName, url, lineNumber } = n.callFrame;
      const area = areaOf(url, functionName);
      areas.set(area, (areas.get(area) ?? 0) + ms);
      const where = url ? `${shortUrl(url)}:${lineNumber + 1}` : '';
      const key = `${functionName}@${where}`;
      const f = fns.get(key) ?? { fn: functionName || '(anonymous)', where, area, ms: 0 };
      f.ms += ms;
      fns.set(key, f);
    }
  }
  const pct = (ms: number) => Math.round((ms / Math.max(1e-9, busyMs)) * 1000) / 10;
  const r = (ms: number) => Math.round(ms);
  return {
    totalMs: r(totalMs),
    busyMs: r(busyMs),
    areas: [...areas]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([area, ms]) => ({ area, ms: r(ms), percentOfBusy: pct(ms) })),
    functions: [...fns.values()]
      .sort((a, b) => b.ms - a.ms)
      .slice(0, top)
      .map((f) => ({ ...f, ms: r(f.ms), percentOfBusy: pct(f.ms) })),
    nativeCallers: [...natives.values()]
      .sort((a, b) => b.ms - a.ms)
      .slice(0, top)
      .map((f) => ({ ...f, ms: r(f.ms), percentOfBusy: pct(f.ms) })),
    ours: [...ours.values()]
      .sort((a, b) => b.ms - a.ms)
      .slice(0, top)
      .map((f) => ({ ...f, ms: r(f.ms), percentOfBusy: pct(f.ms) })),
  };
}

export function renderProfileSummary(s: ProfileSummary, topAreas = 15, topFunctions = 20): string {
  const lines: string[] = [];
  lines.push(`profiled ${(s.totalMs / 1000).toFixed(1)} s, busy (not idle) ${(s.busyMs / 1000).toFixed(1)} s`);
  lines.push('', 'self time by area:');
  for (const a of s.areas.slice(0, topAreas)) lines.push(`  ${a.percentOfBusy.toFixed(1).padStart(5)} %  ${String(a.ms).padStart(7)} ms  ${a.area}`);
  lines.push('', 'self time by function:');
  for (const f of s.functions.slice(0, topFunctions))
    lines.push(`  ${f.percentOfBusy.toFixed(1).padStart(5)} %  ${String(f.ms).padStart(7)} ms  ${f.fn}  ${f.where}`);
  lines.push('', 'native functions by JavaScript caller:');
  for (const f of s.nativeCallers.slice(0, 8))
    lines.push(`  ${f.percentOfBusy.toFixed(1).padStart(5)} %  ${String(f.ms).padStart(7)} ms  ${f.native} ← ${f.caller}`);
  lines.push('', 'all time charged to the innermost server function on the stack:');
  for (const f of s.ours.slice(0, topFunctions))
    lines.push(`  ${f.percentOfBusy.toFixed(1).padStart(5)} %  ${String(f.ms).padStart(7)} ms  ${f.fn}  ${f.where}`);
  return lines.join('\n');
}

if (process.argv[1] && import.meta.filename === resolve(process.argv[1])) {
  const files = process.argv.slice(2);
  if (files.length === 0) {
    process.stderr.write('usage: profile-summary.js file.cpuprofile [more.cpuprofile …] (several are summed)\n');
    process.exit(2);
  }
  process.stdout.write(`${renderProfileSummary(summarizeProfile(files.map((f) => JSON.parse(readFileSync(f, 'utf8')))))}\n`);
}
