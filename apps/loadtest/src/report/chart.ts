/**
 * An SVG chart of a run that opens in any browser: users over time (with the supported-users
 * line) above, request latency p99 and average over the health window (with the 2 s threshold)
 * below, and server CPU on the latency panel's right axis. Written by hand, no dependencies.
 */
import type { TimelinePoint } from '../run/driver.js';

const W = 960;
const PANEL_H = 230;
const M = { left: 64, right: 64, top: 56, gap: 64, bottom: 40 };

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** A "nice" upper bound and step for an axis from 0 to max. */
function niceScale(max: number, ticks = 5): { top: number; step: number } {
  if (!(max > 0)) return { top: 1, step: 0.2 };
  const raw = max / ticks;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw)!;
  return { top: Math.ceil(max / step) * step, step };
}

function fmt(v: number): string {
  if (v >= 10_000) return `${Math.round(v / 1000)}k`;
  if (v >= 1000) return `${(v / 1000).toFixed(1)}k`;
  return Number.isInteger(v) ? String(v) : v.toFixed(1);
}

interface Series {
  values: Array<[number, number]>;
  color: string;
  label: string;
  dash?: string;
  width?: number;
  axis?: 'left' | 'right';
}

function panel(opts: {
  y0: number;
  title: string;
  xMax: number;
  leftLabel: string;
  rightLabel?: string;
  series: Series[];
  hlines?: Array<{ y: number; color: string; label: string; axis?: 'left' | 'right' }>;
}): string {
  const plotW = W - M.left - M.right;
  const h = PANEL_H;
  const { y0, xMax } = opts;
  const leftMax = Math.max(
    1e-9,
    ...opts.series.filter((s) => s.axis !== 'right').flatMap((s) => s.values.map((v) => v[1])),
    ...(opts.hlines ?? []).filter((l) => l.axis !== 'right').map((l) => l.y),
  );
  const rightMax = Math.max(1e-9, ...opts.series.filter((s) => s.axis === 'right').flatMap((s) => s.values.map((v) => v[1])));
  const ls = niceScale(leftMax);
  const rs = niceScale(rightMax);
  const xs = niceScale(xMax, 8);
  const X = (t: number) => M.left + (t / xs.top) * plotW;
  const YL = (v: number) => y0 + h - (v / ls.top) * h;
  const YR = (v: number) => y0 + h - (v / rs.top) * h;
  const out: string[] = [];
  out.push(`<text x="${M.left}" y="${y0 - 12}" class="title">${esc(opts.title)}</text>`);
  out.push(`<rect x="${M.left}" y="${y0}" width="${plotW}" height="${h}" class="frame"/>`);
  for (let v = 0; v <= ls.top + 1e-9; v += ls.step) {
    out.push(`<line x1="${M.left}" x2="${M.left + plotW}" y1="${YL(v)}" y2="${YL(v)}" class="grid"/>`);
    out.push(`<text x="${M.left - 6}" y="${YL(v) + 4}" class="tick" text-anchor="end">${fmt(v)}</text>`);
  }
  if (opts.rightLabel) {
    for (let v = 0; v <= rs.top + 1e-9; v += rs.step) out.push(`<text x="${M.left + plotW + 6}" y="${YR(v) + 4}" class="tick">${fmt(v)}</text>`);
  }
  for (let t = 0; t <= xs.top + 1e-9; t += xs.step) {
    out.push(`<line x1="${X(t)}" x2="${X(t)}" y1="${y0}" y2="${y0 + h}" class="grid"/>`);
    out.push(`<text x="${X(t)}" y="${y0 + h + 16}" class="tick" text-anchor="middle">${fmt(t)}</text>`);
  }
  out.push(`<text x="${M.left + plotW / 2}" y="${y0 + h + 32}" class="axis" text-anchor="middle">seconds since start</text>`);
  out.push(`<text transform="translate(${M.left - 46} ${y0 + h / 2}) rotate(-90)" class="axis" text-anchor="middle">${esc(opts.leftLabel)}</text>`);
  if (opts.rightLabel)
    out.push(`<text transform="translate(${M.left + plotW + 50} ${y0 + h / 2}) rotate(90)" class="axis" text-anchor="middle">${esc(opts.rightLabel)}</text>`);
  for (const l of opts.hlines ?? []) {
    const y = l.axis === 'right' ? YR(l.y) : YL(l.y);
    out.push(`<line x1="${M.left}" x2="${M.left + plotW}" y1="${y}" y2="${y}" stroke="${l.color}" stroke-dasharray="6 4" stroke-width="1.5"/>`);
    out.push(`<text x="${M.left + plotW - 4}" y="${y - 5}" class="tick" text-anchor="end" fill="${l.color}">${esc(l.label)}</text>`);
  }
  let legendX = M.left + 8;
  for (const s of opts.series) {
    const Y = s.axis === 'right' ? YR : YL;
    const pts = s.values
      .filter(([, v]) => Number.isFinite(v))
      .map(([t, v]) => `${X(t).toFixed(1)},${Y(Math.min(v, s.axis === 'right' ? rs.top : ls.top)).toFixed(1)}`);
    if (pts.length)
      out.push(
        `<polyline points="${pts.join(' ')}" fill="none" stroke="${s.color}" stroke-width="${s.width ?? 2}"${s.dash ? ` stroke-dasharray="${s.dash}"` : ''}/>`,
      );
    out.push(
      `<rect x="${legendX}" y="${y0 + 8}" width="14" height="4" fill="${s.color}"/><text x="${legendX + 18}" y="${y0 + 14}" class="tick">${esc(s.label)}</text>`,
    );
    legendX += 34 + s.label.length * 7;
  }
  return out.join('\n');
}

export function renderChart(opts: {
  title: string;
  subtitle: string;
  timeline: TimelinePoint[];
  supportedUsers?: number;
  p99ThresholdMs: number;
  avgThresholdMs?: number;
  measuredFromSec?: number;
}): string {
  const tl = opts.timeline;
  const xMax = Math.max(1, ...tl.map((p) => p.t));
  const top = M.top + 24;
  const usersPanel = panel({
    y0: top,
    title: 'Simulated users',
    xMax,
    leftLabel: 'users',
    rightLabel: 'requests/s',
    series: [
      { values: tl.map((p) => [p.t, p.users]), color: '#1f5fbf', label: 'active users', width: 2.5 },
      { values: tl.map((p) => [p.t, p.ready]), color: '#7aa7e8', label: 'logged in and in a team', dash: '4 3' },
      { values: tl.map((p) => [p.t, p.reqPerSec]), color: '#999999', label: 'requests/s (right)', axis: 'right', width: 1 },
    ],
    hlines: opts.supportedUsers !== undefined ? [{ y: opts.supportedUsers, color: '#2a9d3a', label: `supported users: ${opts.supportedUsers}` }] : [],
  });
  const latencyPanel = panel({
    y0: top + PANEL_H + M.gap,
    title: 'Request latency over the last minute, server CPU',
    xMax,
    leftLabel: 'ms',
    rightLabel: 'server CPU % of one core',
    series: [
      { values: tl.map((p) => [p.t, p.p99Ms]), color: '#c0392b', label: 'p99', width: 2.5 },
      { values: tl.map((p) => [p.t, p.avgMs]), color: '#e67e22', label: 'average' },
      { values: tl.map((p) => [p.t, p.resources.serverCpuPercent]), color: '#8e44ad', label: 'server CPU (right)', axis: 'right', width: 1 },
    ],
    hlines: [
      { y: opts.p99ThresholdMs, color: '#c0392b', label: `p99 threshold ${opts.p99ThresholdMs} ms` },
      ...(opts.avgThresholdMs ? [{ y: opts.avgThresholdMs, color: '#e67e22', label: `average threshold ${opts.avgThresholdMs} ms` }] : []),
    ],
  });
  const height = top + 2 * PANEL_H + M.gap + M.bottom + 8;
  return `<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${height}" viewBox="0 0 ${W} ${height}" font-family="Helvetica, Arial, sans-serif">
<style>
  .title { font-size: 14px; font-weight: bold; fill: #222; }
  .tick { font-size: 11px; fill: #555; }
  .axis { font-size: 12px; fill: #333; }
  .grid { stroke: #e6e6e6; stroke-width: 1; }
  .frame { fill: #fcfcfc; stroke: #bbb; }
</style>
<rect width="100%" height="100%" fill="white"/>
<text x="${M.left}" y="22" font-size="17" font-weight="bold" fill="#111">${esc(opts.title)}</text>
<text x="${M.left}" y="40" font-size="12" fill="#444">${esc(opts.subtitle)}</text>
${usersPanel}
${latencyPanel}
</svg>
`;
}
