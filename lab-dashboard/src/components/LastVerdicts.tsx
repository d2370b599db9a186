import { useCallback, useState } from 'react';
import { usePolling } from '../hooks/usePolling';
import { labApi } from '../lib/api';
import { formatClock, STACK_LABELS } from '../lib/format';
import type { RunRecord, StackId, TargetResult, Verdict, VerdictIds } from '../../shared/types';
import { STACKS } from './FaultControls';

/** The checker's counts in the order docs/conventions.md ("The verdict") defines them, with what each means. */
const COUNTS: { name: keyof Verdict; means: string; ids: 'orders' | 'products' | 'charges' | null }[] = [
  { name: 'accepted', means: 'orders the buyers were told were accepted', ids: null },
  { name: 'final', means: 'accepted orders confirmed or cancelled', ids: null },
  { name: 'lost', means: 'accepted orders the shop does not have', ids: 'orders' },
  { name: 'stuck', means: 'orders of the run not final when checked', ids: 'orders' },
  { name: 'duplicated_charges', means: 'orders charged more than once', ids: 'orders' },
  { name: 'duplicated_emails', means: 'orders confirmed by more than one email', ids: 'orders' },
  { name: 'unexpected', means: 'effects that contradict the status (a cancelled order charged…)', ids: 'orders' },
  { name: 'orphan_charges', means: 'charges at the provider for no order the shop kept', ids: 'charges' },
  { name: 'recovered', means: 'orders that exist although their buyer saw an error or a timeout', ids: 'orders' },
  { name: 'stock_drift', means: 'products whose stock does not add up', ids: 'products' },
];
const FAILING = new Set(['lost', 'stuck', 'duplicated_charges', 'duplicated_emails', 'unexpected', 'stock_drift']);
const SHOWN_IDS = 20;

/** The newest run that measured this stack and carries the checker's verdict. */
export function lastVerdict(runs: RunRecord[], stack: StackId): { run: RunRecord; result: TargetResult } | null {
  for (const run of [...runs].sort((a, b) => b.id - a.id)) {
    const result = run.results.find((r) => r.target === stack && r.verdict);
    if (result) return { run, result };
  }
  return null;
}

function Ids({
  stack,
  kind,
  ids,
}: {
  stack: StackId;
  kind: 'orders' | 'products' | 'charges';
  ids: (number | string)[];
}) {
  return (
    <span className="verdict-ids">
      {ids.slice(0, SHOWN_IDS).map((id) =>
        kind === 'orders' && typeof id === 'number' ? (
          // The order as the stack's admin reads it, through the lab API (the lab admin's login).
          <a key={id} href={`/api/lab/orders/${stack}/${id}`} target="_blank" rel="noreferrer">
            #{id}
          </a>
        ) : (
          <span key={String(id)}>{kind === 'products' ? `product ${id}` : String(id)}</span>
        ),
      )}
      {ids.length > SHOWN_IDS && <span className="muted"> and {ids.length - SHOWN_IDS} more</span>}
    </span>
  );
}

/** The verdict of each stack's last run, a column per stack; the ids behind a count link to their orders. */
export function VerdictTable({ runs }: { runs: RunRecord[] }) {
  const last = STACKS.map((stack) => ({ stack, found: lastVerdict(runs, stack) }));
  if (last.every(({ found }) => !found))
    return <p className="muted">No run with a verdict yet: start one under Load runs.</p>;
  return (
    <table className="compact" data-testid="verdicts">
      <thead>
        <tr>
          <th>count</th>
          {last.map(({ stack, found }) => (
            <th key={stack}>
              {STACK_LABELS[stack]}{' '}
              <span className="muted">
                {found ? `run #${found.run.id}, ${formatClock(found.result.finished_at)}` : 'no run yet'}
              </span>
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {COUNTS.map(({ name, means, ids }) => (
          <tr key={name}>
            <th scope="row" title={means}>
              {name}
            </th>
            {last.map(({ stack, found }) => {
              const count = found?.result.verdict?.[name];
              const behind = ids ? (found?.result.verdict_ids?.[name as keyof VerdictIds] ?? []) : [];
              const bad = FAILING.has(name) && (count ?? 0) > 0;
              return (
                <td key={stack} className={bad ? 'error' : undefined} data-testid={`verdict-${stack}-${name}`}>
                  {count ?? '–'} {ids && behind.length > 0 && <Ids stack={stack} kind={ids} ids={behind} />}
                </td>
              );
            })}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** GET /api/runs (the newest first, without their orders; the verdicts are kept): the last verdict per stack. */
export function LastVerdicts({ intervalMs = 5000 }: { intervalMs?: number }) {
  const [runs, setRuns] = useState<RunRecord[] | null>(null);
  const read = useCallback(async (mounted: () => boolean) => {
    const result = await labApi.get<RunRecord[]>('/runs');
    if (mounted() && result.ok) setRuns(result.body);
  }, []);
  usePolling(read, intervalMs);
  return (
    <div className="card" data-testid="last-verdicts">
      <h3>Verdict of the last run</h3>
      <p className="small-text">
        The checker's counts for each stack's last load run: lost, stuck, duplicated and unexpected must be 0. The order
        ids behind a count open the order as the shop keeps it (log in first).
      </p>
      {runs && <VerdictTable runs={runs} />}
    </div>
  );
}
