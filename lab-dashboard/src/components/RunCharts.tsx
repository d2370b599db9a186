import {
  Bar,
  BarChart,
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  ResponsiveContainer,
  Scatter,
  ScatterChart,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import { durationChart, type HistogramRow, histogram, serverDurations, throughputRows } from '../lib/chart-data';
import { formatMs, STACK_LABELS } from '../lib/format';
import type { TargetId, TargetResult } from '../../shared/types';

/** Red and blue for the two stacks; the fixed monolith in Okabe-Ito reddish purple, as the benchmark's report draws it. */
export const TARGET_COLORS: Record<TargetId, string> = {
  monolith: '#dc2626',
  'monolith-fixed': '#CC79A7',
  micro: '#2563eb',
};
const HEIGHT = 230;

/** One of the server's durations of every order, per target of the run. */
function durationsByTarget(results: TargetResult[], field: 'processing' | 'completion') {
  return Object.fromEntries(results.map((r) => [r.target, serverDurations(r, field)])) as Partial<
    Record<TargetId, number[]>
  >;
}

/** The four charts of a run: distribution, the staircase, completion times, throughput; a series per target. */
export function RunCharts({ results }: { results: TargetResult[] }) {
  const processing = histogram(durationsByTarget(results, 'processing'));
  const completion = histogram(durationsByTarget(results, 'completion'));
  const throughput = throughputRows(results);
  const durations = durationChart(results);
  const present = results.map((r) => r.target);

  return (
    <div className="charts" data-testid="run-charts">
      <DurationHistogram
        caption="What the buyer waited: processing_duration_ms of every order"
        bins={processing}
        present={present}
        yLabel="orders"
      />
      <figure data-testid="duration-chart" data-axis={durations.axis}>
        <figcaption>
          Each order's wait against {durations.axis === 'start' ? 'when it started' : 'its place in the queue'}: the
          monolith's staircase, the microservices' flat line
        </figcaption>
        <ResponsiveContainer width="100%" height={HEIGHT}>
          <ScatterChart margin={{ bottom: 12 }}>
            <CartesianGrid strokeDasharray="3 3" />
            <XAxis
              type="number"
              dataKey="x"
              name={durations.axis === 'start' ? 'started at' : 'served'}
              allowDecimals={false}
              domain={durations.axis === 'start' ? [0, 'auto'] : [1, 'dataMax']}
              padding={{ left: 12, right: 12 }}
              fontSize={11}
              label={{ value: durations.label, position: 'insideBottom', offset: -8, fontSize: 11 }}
            />
            <YAxis type="number" dataKey="duration_ms" name="waited" unit=" ms" fontSize={11} width={70} />
            <Tooltip
              formatter={(value, name) =>
                name === 'waited' ? formatMs(Number(value)) : name === 'served' ? `#${value}` : `${value} ms`
              }
            />
            {/* The legends keep the run's order (recharts sorts them by name otherwise). */}
            <Legend verticalAlign="top" itemSorter={null} />
            {durations.series.map((s) => (
              <Scatter
                key={s.target}
                name={STACK_LABELS[s.target]}
                data={s.points}
                fill={TARGET_COLORS[s.target]}
                isAnimationActive={false}
              />
            ))}
          </ScatterChart>
        </ResponsiveContainer>
      </figure>
      <DurationHistogram
        caption="When the order was final: completion_duration_ms (checkout start to confirmed or cancelled)"
        bins={completion}
        present={present}
      />
      <figure>
        <figcaption>Throughput: responses completed per second of the run</figcaption>
        <ResponsiveContainer width="100%" height={HEIGHT}>
          <LineChart data={throughput}>
            <CartesianGrid strokeDasharray="3 3" />
            <XAxis dataKey="second" unit=" s" fontSize={11} />
            <YAxis allowDecimals={false} fontSize={11} />
            <Tooltip />
            <Legend itemSorter={null} />
            {present.map((s) => (
              <Line
                key={s}
                dataKey={s}
                name={STACK_LABELS[s]}
                stroke={TARGET_COLORS[s]}
                dot={{ r: 3, fill: TARGET_COLORS[s] }}
                connectNulls
                isAnimationActive={false}
              />
            ))}
          </LineChart>
        </ResponsiveContainer>
      </figure>
    </div>
  );
}

/** A histogram of one of the server's durations: how many orders fell in each bin, one bar per stack of the run. */
function DurationHistogram(props: { caption: string; bins: HistogramRow[]; present: TargetId[]; yLabel?: string }) {
  return (
    <figure>
      <figcaption>{props.caption}</figcaption>
      <ResponsiveContainer width="100%" height={HEIGHT}>
        <BarChart data={props.bins}>
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis dataKey="label" fontSize={11} />
          <YAxis
            allowDecimals={false}
            fontSize={11}
            label={props.yLabel && { value: props.yLabel, angle: -90, position: 'insideLeft' }}
          />
          <Tooltip />
          <Legend itemSorter={null} />
          {props.present.map((s) => (
            <Bar key={s} dataKey={s} name={STACK_LABELS[s]} fill={TARGET_COLORS[s]} isAnimationActive={false} />
          ))}
        </BarChart>
      </ResponsiveContainer>
    </figure>
  );
}
