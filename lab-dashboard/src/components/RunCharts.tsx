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
import type { StackId, TargetResult } from '../../shared/types';

const COLORS = { monolith: '#dc2626', micro: '#2563eb' } as const;
const HEIGHT = 230;

function byStack(results: TargetResult[]) {
  return { monolith: results.find((r) => r.target === 'monolith'), micro: results.find((r) => r.target === 'micro') };
}

/** The four charts of a run: distribution, the staircase, completion times, throughput. */
export function RunCharts({ results }: { results: TargetResult[] }) {
  const { monolith, micro } = byStack(results);
  const processing = histogram({
    monolith: serverDurations(monolith, 'processing'),
    micro: serverDurations(micro, 'processing'),
  });
  const completion = histogram({
    monolith: serverDurations(monolith, 'completion'),
    micro: serverDurations(micro, 'completion'),
  });
  const throughput = throughputRows(results);
  const durations = durationChart({ monolith, micro });
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
            <Legend verticalAlign="top" />
            {monolith && (
              <Scatter name="Monolith" data={durations.monolith} fill={COLORS.monolith} isAnimationActive={false} />
            )}
            {micro && (
              <Scatter name="Microservices" data={durations.micro} fill={COLORS.micro} isAnimationActive={false} />
            )}
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
            <Legend />
            {present.map((s) => (
              <Line
                key={s}
                dataKey={s}
                name={STACK_LABELS[s]}
                stroke={COLORS[s]}
                dot={{ r: 3, fill: COLORS[s] }}
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
function DurationHistogram(props: { caption: string; bins: HistogramRow[]; present: StackId[]; yLabel?: string }) {
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
          <Legend />
          {props.present.map((s) => (
            <Bar key={s} dataKey={s} name={STACK_LABELS[s]} fill={COLORS[s]} isAnimationActive={false} />
          ))}
        </BarChart>
      </ResponsiveContainer>
    </figure>
  );
}
