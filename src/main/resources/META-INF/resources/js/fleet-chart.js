// The overview's chart (uPlot, served from its WebJar): connected clients at each bucket's end as a line, the
// bucket's disconnects as bars stacked by initiator, from one /fleet/timeline answer (docs/api.md §10.2).
import uPlot from '../webjars/uplot/dist/uPlot.esm.js';
import { localTime, utc } from './dom.js';

// Okabe–Ito colours (distinct under the common colour-vision deficiencies); the line and the bars differ in shape too
const CONNECTED = '#0072B2';
const COMPACT = new Intl.NumberFormat(undefined, { notation: 'compact', maximumFractionDigits: 1 });
const STACK = [  // bottom to top
  { key: 'client', label: 'disconnects by the client', color: '#009E73' },
  { key: 'server', label: 'disconnects by the server', color: '#E69F00' },
  { key: 'network', label: 'connections lost', color: '#D55E00' },
  { key: 'unknown', label: 'disconnects, initiator unknown', color: '#8c8c8c' },
];

/** The chart's columns: x = bucket ends (s), connected, and per initiator the raw and the stacked counts. */
export function columns(timeline) {
  const buckets = timeline.buckets;
  const x = buckets.map(b => Date.parse(b.end) / 1000);
  const connected = buckets.map(b => b.connected);
  const raw = STACK.map(s => buckets.map(b => b.disconnects[s.key] ?? 0));
  const stacked = raw.map((_, i) => buckets.map((b, j) => raw.slice(0, i + 1).reduce((sum, r) => sum + r[j], 0)));
  return { x, connected, raw, stacked };
}

export class FleetChart {
  constructor(container) {
    this.container = container;
    this.plot = null;
    this.resize = new ResizeObserver(() => this.plot?.setSize(this.size()));
    this.resize.observe(container);
  }

  size() {
    const width = Math.max(200, this.container.clientWidth);
    return { width, height: width < 600 ? 220 : 280 };
  }

  /** Draws the timeline; a step over an hour labels days, under it minutes. */
  draw(timeline) {
    const { x, connected, raw, stacked } = columns(timeline);
    this.raw = raw;  // the legend shows each initiator's own count, not the stack's height
    const shown = STACK.map((s, i) => i).filter(i => STACK[i].key !== 'unknown' || raw[i].some(v => v > 0));
    // each bar spans the middle 80 % of its own bucket (the last, shorter one too), whatever the spacing of the x
    // values: uPlot would otherwise size every bar by the shortest gap, which the partial last bucket makes tiny
    this.starts = timeline.buckets.map(b => Date.parse(b.start) / 1000);
    this.step = timeline.buckets.length ? (Date.parse(timeline.buckets[0].end) - Date.parse(timeline.buckets[0].start)) / 1000 : 60;
    const bars = uPlot.paths.bars({ disp: {
      x0: { unit: 1, values: () => this.starts.map(start => start + this.step * 0.1) },
      size: { unit: 1, values: () => [this.step * 0.8] },
    } });
    const narrow = this.container.clientWidth < 600;
    // a phone's narrow axes would cut "6,000" to "6,00": there the ticks read 6K
    const format = narrow ? COMPACT.format : v => v.toLocaleString();
    const ticks = (u, splits) => splits.map(v => Number.isInteger(v) ? format(v) : '');
    const known = connected.filter(v => v != null).length;
    const series = [
      { value: (u, ts) => ts == null ? '–' : `${localTime(ts * 1000)} (${utc(ts * 1000).slice(11, 16)} UTC)` },
      { label: 'connected', scale: 'n', stroke: CONNECTED, width: 2.5, fill: 'rgba(0,114,178,0.08)',
        // a lone count (connmon just started) is a dot: a line needs two
        points: { show: known < 3, size: 7, fill: CONNECTED }, spanGaps: false,
        value: (u, v) => v == null ? 'no record' : v.toLocaleString() },
      // drawn tallest first, so that each lower part of a stack is painted over the one above it
      ...shown.slice().reverse().map(i => ({
        label: STACK[i].label, scale: 'd', stroke: STACK[i].color, fill: STACK[i].color, width: 0, paths: bars,
        points: { show: false },
        value: (u, v, si, idx) => idx == null ? '–' : String(this.raw[i][idx] ?? '–'),
      })),
    ];
    const data = [x, connected, ...shown.slice().reverse().map(i => stacked[i])];
    const options = {
      ...this.size(),
      series,
      cursor: { drag: { x: false, y: false }, points: { size: 7 } },
      legend: { live: true },
      scales: {
        x: { time: true, range: [Date.parse(timeline.since) / 1000, Date.parse(timeline.until) / 1000] },
        n: { range: (u, min, max) => [0, Math.max(1, (max ?? 0) * 1.1)] },
        d: { range: (u, min, max) => [0, Math.max(4, (max ?? 0) * 2.2)] },
      },
      axes: [
        { stroke: '#5b6170', grid: { stroke: '#e7e9ee' }, ticks: { stroke: '#e7e9ee' } },
        { scale: 'n', label: narrow ? null : 'connected', stroke: CONNECTED, grid: { stroke: '#e7e9ee' },
          ticks: { show: false }, size: narrow ? 40 : 56, values: ticks },
        { scale: 'd', side: 1, label: narrow ? null : 'disconnects', stroke: '#8a4b00', grid: { show: false },
          ticks: { show: false }, size: narrow ? 32 : 50, values: ticks },
      ],
    };
    const key = `${shown.join()}|${narrow}|${known < 3}`;
    if (this.plot && this.key === key) {
      this.plot.setData(data);
      this.plot.setScale('x', { min: options.scales.x.range[0], max: options.scales.x.range[1] });
      return;
    }
    this.plot?.destroy();
    this.key = key;
    this.plot = new uPlot(options, data, this.container);
  }

  destroy() {
    this.resize.disconnect();
    this.plot?.destroy();
    this.plot = null;
  }
}
