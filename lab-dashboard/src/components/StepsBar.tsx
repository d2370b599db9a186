import { stepSegments } from '../lib/chart-data';
import { formatMs } from '../lib/format';
import type { OrderStep } from '../lib/shop-types';

const COLORS = [
  '#64748b',
  '#0ea5e9',
  '#f97316',
  '#22c55e',
  '#a855f7',
  '#ef4444',
  '#eab308',
  '#14b8a6',
  '#ec4899',
  '#84cc16',
  '#6366f1',
];

/** The checkout's steps as one bar: the width of a step is its share of the time the buyer waited. */
export function StepsBar({ steps }: { steps: OrderStep[] }) {
  const segments = stepSegments(steps);
  if (!segments.length) return null;
  return (
    <div className="steps" data-testid="steps-bar">
      <div className="steps-bar">
        {segments.map((s, i) => (
          <div
            key={s.name}
            className="steps-segment"
            style={{ width: `${Math.max(s.share * 100, 0.6)}%`, background: COLORS[i % COLORS.length] }}
            title={`${s.name}: ${formatMs(s.duration_ms)}`}
          />
        ))}
      </div>
      <ol className="steps-legend">
        {segments.map((s, i) => (
          <li key={s.name}>
            <span className="swatch" style={{ background: COLORS[i % COLORS.length] }} />
            {s.name.replace(/_/g, ' ')} <b>{formatMs(s.duration_ms)}</b>
          </li>
        ))}
      </ol>
    </div>
  );
}
