import type { RunRecord } from '../../shared/types';

const ORDER_COLUMNS = [
  'run_id',
  'target',
  'order_id',
  'status',
  'created_at',
  'processing_duration_ms',
  'completion_duration_ms',
  'failure_reason',
] as const;

function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = String(value);
  return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** One line per order, the server's own truth, ready for a spreadsheet. */
export function runToCsv(run: RunRecord): string {
  const lines = [ORDER_COLUMNS.join(',')];
  for (const result of run.results) {
    for (const order of result.orders) {
      lines.push(
        [
          run.id,
          result.target,
          order.id,
          order.status,
          order.created_at,
          order.processing_duration_ms,
          order.completion_duration_ms,
          order.failure_reason,
        ]
          .map(csvCell)
          .join(','),
      );
    }
  }
  return `${lines.join('\n')}\n`;
}

const SUMMARY_COLUMNS = [
  'run_id',
  'created_at',
  'scenario',
  'target',
  'status',
  'connections',
  'buyers',
  'duration_s',
  'payment_delay_ms',
  'email_delay_ms',
  'payment_failure_rate',
  'requests',
  'requests_per_sec',
  'errors',
  'non_2xx',
  'p50_ms',
  'p90_ms',
  'p99_ms',
  'max_ms',
  'lab_cpu_ms',
] as const;

/** One line per run and stack: the run history as a table. */
export function runsToCsv(runs: RunRecord[]): string {
  const lines = [SUMMARY_COLUMNS.join(',')];
  for (const run of runs) {
    const s = run.settings;
    const cpu = run.cost ? run.cost.cpu_user_ms + run.cost.cpu_system_ms : '';
    const rows = run.results.length ? run.results : [null];
    for (const r of rows) {
      lines.push(
        [
          run.id,
          run.created_at,
          s.scenario,
          r?.target ?? s.target,
          run.status,
          s.connections,
          s.buyers,
          s.duration_s,
          s.payment_delay_ms,
          s.email_delay_ms,
          s.payment_failure_rate,
          r?.requests,
          r?.requests_per_sec,
          r?.errors,
          r?.non_2xx,
          r?.latency_ms.p50,
          r?.latency_ms.p90,
          r?.latency_ms.p99,
          r?.latency_ms.max,
          cpu,
        ]
          .map(csvCell)
          .join(','),
      );
    }
  }
  return `${lines.join('\n')}\n`;
}
