import { statusCounts } from '../lib/chart-data';
import { formatCount, formatMs, formatRate, STACK_LABELS, targetChoiceLabel } from '../lib/format';
import type { RunRecord } from '../../shared/types';

/** The figures of one run, a column per target (stack, or the fixed monolith): what the load generator saw and what the servers recorded. */
export function RunSummary({ run }: { run: RunRecord }) {
  const s = run.settings;
  return (
    <div className="run-summary" data-testid={`run-summary-${run.id}`}>
      <p className="muted">
        Run #{run.id} · {s.scenario} · {targetChoiceLabel(s.target)} · delays {s.payment_delay_ms}/{s.email_delay_ms} ms
        · failure rate {s.payment_failure_rate} ·{' '}
        {s.scenario === 'steady'
          ? `${s.connections} connections, ${s.duration_s} s`
          : `${s.buyers} buyers, stock ${s.stock}`}{' '}
        · <b className={`run-${run.status}`}>{run.status}</b>
        {run.error && run.status !== 'cancelled' ? `: ${run.error}` : ''}
      </p>
      {run.results.length > 0 && (
        <table className="figures">
          <thead>
            <tr>
              <th />
              {run.results.map((r) => (
                <th key={r.target}>{STACK_LABELS[r.target]}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            <Row label="requests" values={run.results.map((r) => formatCount(r.requests))} />
            <Row label="requests per second" values={run.results.map((r) => formatRate(r.requests_per_sec))} />
            <Row label="errors / non-2xx" values={run.results.map((r) => `${r.errors} / ${r.non_2xx}`)} />
            <Row label="latency p50" values={run.results.map((r) => formatMs(r.latency_ms.p50))} />
            <Row label="latency p90" values={run.results.map((r) => formatMs(r.latency_ms.p90))} />
            <Row label="latency p99" values={run.results.map((r) => formatMs(r.latency_ms.p99))} />
            <Row label="latency max" values={run.results.map((r) => formatMs(r.latency_ms.max))} />
            <Row
              label="orders (server)"
              values={run.results.map(
                (r) =>
                  Object.entries(statusCounts(r))
                    .map(([status, n]) => `${n} ${status}`)
                    .join(', ') || '0',
              )}
            />
            <Row label="faults on / patterns off at the start" values={run.results.map((r) => inForceText(r))} />
            <Row
              label="invariants"
              values={run.results.map((r) => {
                const broken = (r.invariants ?? []).filter((i) => !i.ok);
                if (!r.invariants?.length) return '–';
                return broken.length
                  ? `broken: ${broken.map((b) => b.name).join(', ')}`
                  : `${r.invariants.length} hold`;
              })}
            />
          </tbody>
        </table>
      )}
      {run.cost && (
        <p className="muted" data-testid="lab-cost">
          The lab's own cost (lab API + load generator, one process):{' '}
          {formatMs(run.cost.cpu_user_ms + run.cost.cpu_system_ms)} of CPU over {formatMs(run.cost.wall_ms)},{' '}
          {run.cost.cores_used.toFixed(2)} of a core on average.
        </p>
      )}
    </div>
  );
}

/** "smtp_down=true; patterns off: outbox", "none", or "–" for a run kept before this was recorded. */
function inForceText(result: RunRecord['results'][number]): string {
  if (!result.in_force) return '–';
  const faults = Object.entries(result.in_force.faults).map(([name, value]) => `${name}=${value}`);
  const patterns = result.in_force.patterns_off.length
    ? [`patterns off: ${result.in_force.patterns_off.join(', ')}`]
    : [];
  return [...faults, ...patterns].join('; ') || 'none';
}

function Row({ label, values }: { label: string; values: string[] }) {
  return (
    <tr>
      <th scope="row">{label}</th>
      {values.map((v, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: one cell per target, in a fixed order
        <td key={i}>{v}</td>
      ))}
    </tr>
  );
}
