import { TARGET_NAMES, type TargetName } from './options';
import type { OrderSample, Report } from './report';

/** Vega specs of the report's charts; rendered to SVG by vega itself (no hand-drawn paths). */

/** Short enough for the distribution's axis labels; the fixed monolith is the monolith with every fix switch on. */
const STACK_LABEL = { monolith: 'monolith', 'monolith-fixed': 'fixed monolith', micro: 'microservices' } as const;
/**
 * One colour per target, told apart also by colour-blind readers: red, reddish purple (Okabe-Ito), blue; none of them
 * the green of a confirmed order's line in the timeline, which the answer's dot sits on.
 */
export const COLORS = { monolith: '#d62728', 'monolith-fixed': '#cc79a7', micro: '#1f77b4' } as const;
/** Charts stay readable (and their files small) with at most this many orders per stack. */
const MAX_POINTS = 2000;

function thin<T>(items: T[]): T[] {
  if (items.length <= MAX_POINTS) return items;
  const step = items.length / MAX_POINTS;
  return Array.from({ length: MAX_POINTS }, (_, i) => items[Math.floor(i * step)]);
}

/** A Vega mark drawn once per row of a data set, placed and coloured by the encodings it gets when it enters. */
function markEach(type: 'rect' | 'rule' | 'symbol', data: string, enter: Record<string, object>): object {
  return { type, from: { data }, encode: { enter } };
}

function ordersOf(report: Report): { stack: TargetName; orders: OrderSample[] }[] {
  return TARGET_NAMES.filter((s) => report.targets[s]).map((stack) => ({
    stack,
    orders: report.targets[stack]!.orders,
  }));
}

/**
 * The distribution of processing_duration_ms (what the buyer waited, by the server's clock) for both stacks, and the
 * microservices' completion_duration_ms: one tick per order on a log scale, with p50 and p99 marked.
 */
export function distributionSpec(report: Report): object | null {
  const rows: { series: string; ms: number; stack: string }[] = [];
  for (const { stack, orders } of ordersOf(report)) {
    for (const o of thin(orders.filter((x) => x.accepted))) {
      if (o.processing_duration_ms !== null)
        rows.push({
          series: `${STACK_LABEL[stack]}: processing`,
          ms: Math.max(0.01, o.processing_duration_ms),
          stack,
        });
      // Where the answer comes before the order is final: the microservices, and the fixed monolith's 202.
      if (stack !== 'monolith' && o.completion_duration_ms !== null)
        rows.push({
          series: `${STACK_LABEL[stack]}: completion`,
          ms: Math.max(0.01, o.completion_duration_ms),
          stack,
        });
    }
  }
  if (rows.length === 0) return null;
  const quantiles: { series: string; p: string; ms: number }[] = [];
  for (const series of [...new Set(rows.map((r) => r.series))]) {
    const sorted = rows
      .filter((r) => r.series === series)
      .map((r) => r.ms)
      .sort((a, b) => a - b);
    for (const [p, q] of [
      ['p50', 0.5],
      ['p99', 0.99],
    ] as const) {
      quantiles.push({ series, p, ms: sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)] });
    }
  }
  return {
    $schema: 'https://vega.github.io/schema/vega/v6.json',
    description: 'Distribution of processing_duration_ms per stack',
    width: 640,
    height: 60 * new Set(rows.map((r) => r.series)).size,
    padding: 10,
    title: {
      text: `${report.scenario}: how long the buyer waited (processing_duration_ms), one tick per order`,
      subtitle: 'log scale; black: p50, orange: p99',
      fontSize: 13,
    },
    data: [
      { name: 'orders', values: rows },
      { name: 'quantiles', values: quantiles },
    ],
    scales: [
      { name: 'x', type: 'log', domain: { data: 'orders', field: 'ms' }, range: 'width', nice: true },
      { name: 'y', type: 'band', domain: { data: 'orders', field: 'series' }, range: 'height', padding: 0.2 },
      {
        name: 'color',
        type: 'ordinal',
        domain: [...TARGET_NAMES],
        range: TARGET_NAMES.map((t) => COLORS[t]),
      },
    ],
    axes: [
      { orient: 'bottom', scale: 'x', title: 'milliseconds', grid: true, format: '~s' },
      { orient: 'left', scale: 'y', labelLimit: 260 },
    ],
    marks: [
      markEach('rect', 'orders', {
        xc: { scale: 'x', field: 'ms' },
        width: { value: 1.5 },
        y: { scale: 'y', field: 'series' },
        height: { scale: 'y', band: 1 },
        fill: { scale: 'color', field: 'stack' },
        fillOpacity: { value: 0.35 },
      }),
      markEach('rect', 'quantiles', {
        xc: { scale: 'x', field: 'ms' },
        width: { value: 3 },
        y: { scale: 'y', field: 'series', offset: -4 },
        height: { scale: 'y', band: 1, offset: 8 },
        fill: { signal: "datum.p === 'p50' ? '#000000' : '#ff7f0e'" },
      }),
    ],
  };
}

/**
 * Each order's duration against its start time: a line from when the buyer sent the checkout to when the order was
 * final, orders stacked by when they finished, one panel per stack on a shared time axis. The monolith's lock makes
 * a staircase; the microservices answer at once (dot) and finish together.
 */
export function timelineSpec(report: Report): object | null {
  const rows: Record<string, unknown>[] = [];
  for (const { stack, orders } of ordersOf(report)) {
    const withEnd = orders.map((o) => {
      const answered = o.started_at_ms + o.client_latency_ms;
      const final =
        o.accepted && o.completion_duration_ms !== null
          ? o.started_at_ms + Math.max(o.completion_duration_ms, o.client_latency_ms)
          : answered;
      return { o, answered, final };
    });
    withEnd.sort((a, b) => a.final - b.final);
    thin(withEnd).forEach(({ o, answered, final }, rank) => {
      rows.push({
        stack: STACK_LABEL[stack],
        order: TARGET_NAMES.indexOf(stack),
        color: COLORS[stack],
        rank: rank + 1,
        start: o.started_at_ms,
        answered,
        final,
        outcome: o.accepted ? (o.final_status ?? 'pending') : `refused (${o.http_status})`,
      });
    });
  }
  if (rows.length === 0) return null;
  return {
    $schema: 'https://vega.github.io/schema/vega/v6.json',
    description: 'Each order from its start to its final status',
    padding: 10,
    title: {
      text: `${report.scenario}: each order from checkout sent to final status`,
      subtitle:
        "one line per order, sorted by when it was final; dot (in the target's colour): when the buyer got the answer",
      fontSize: 13,
    },
    layout: { columns: Math.min(3, new Set(rows.map((r) => r.stack)).size), padding: 30 },
    data: [{ name: 'orders', values: rows }],
    scales: [
      {
        name: 'x',
        type: 'linear',
        domain: { data: 'orders', field: 'final' },
        range: [0, 380],
        nice: true,
        zero: true,
      },
      {
        name: 'color',
        type: 'ordinal',
        domain: ['confirmed', 'cancelled', 'pending', 'refused (409)'],
        range: ['#2ca02c', '#9467bd', '#ff7f0e', '#7f7f7f'],
      },
    ],
    legends: [{ fill: 'color', title: 'outcome', orient: 'right' }],
    marks: [
      {
        type: 'group',
        from: { facet: { name: 'panel', data: 'orders', groupby: ['stack', 'order', 'color'] } },
        sort: { field: 'datum.order', order: 'ascending' },
        title: { text: { signal: 'parent.stack' }, fontSize: 12, color: { signal: 'parent.color' } },
        encode: { update: { width: { value: 380 }, height: { value: 260 } } },
        // Inside a facet the "height" range would be the (unset) outer height: the panel's pixels are given outright.
        scales: [{ name: 'y', type: 'linear', domain: { data: 'panel', field: 'rank' }, range: [260, 0], zero: true }],
        axes: [
          { orient: 'bottom', scale: 'x', title: 'ms since the rush began', grid: true },
          { orient: 'left', scale: 'y', title: 'order (by finish)', tickMinStep: 1 },
        ],
        marks: [
          markEach('rule', 'panel', {
            x: { scale: 'x', field: 'start' },
            x2: { scale: 'x', field: 'final' },
            y: { scale: 'y', field: 'rank' },
            stroke: { scale: 'color', field: 'outcome' },
            strokeWidth: { value: 1.5 },
          }),
          markEach('symbol', 'panel', {
            x: { scale: 'x', field: 'answered' },
            y: { scale: 'y', field: 'rank' },
            size: { value: 12 },
            // The answer's dot in the target's colour: three series told apart at a glance.
            fill: { field: 'color' },
          }),
        ],
      },
    ],
  };
}

/** Renders a Vega spec to an SVG string with vega's own renderer, headless (no canvas, no browser). */
export async function renderSvg(spec: object): Promise<string> {
  const vega = await import('vega');
  const view = new vega.View(vega.parse(spec as never), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
