import { useEffect, useState } from 'react';
import { labApi } from '../lib/api';
import { formatClock, targetChoiceLabel } from '../lib/format';
import type { RunRecord } from '../../shared/types';
import { RunCharts } from './RunCharts';
import { RunSummary } from './RunSummary';

/** Every run kept in the lab's database; pick two to compare them side by side. */
export function History({ version }: { version: number }) {
  const [runs, setRuns] = useState<RunRecord[]>([]);
  const [picked, setPicked] = useState<number[]>([]);
  const [compared, setCompared] = useState<RunRecord[]>([]);

  useEffect(() => {
    void version;
    void labApi.get<RunRecord[]>('/runs').then((r) => r.ok && setRuns(r.body));
  }, [version]);

  useEffect(() => {
    void Promise.all(picked.map((id) => labApi.get<RunRecord>(`/runs/${id}`))).then((all) =>
      setCompared(all.filter((r) => r.ok).map((r) => r.body)),
    );
  }, [picked]);

  const toggle = (id: number) => setPicked((p) => (p.includes(id) ? p.filter((x) => x !== id) : [...p, id].slice(-2)));

  if (!runs.length) return <p className="muted">No runs yet: start one under Load runs, or press Black Friday demo.</p>;
  return (
    <div className="history">
      <p className="muted">
        Tick two runs to compare them side by side. <a href="/api/runs.csv">Download every run as CSV</a>
      </p>
      <table className="compact">
        <thead>
          <tr>
            <th />
            <th>run</th>
            <th>time</th>
            <th>scenario</th>
            <th>stacks</th>
            <th>status</th>
            <th>export</th>
          </tr>
        </thead>
        <tbody>
          {runs.map((r) => (
            <tr key={r.id}>
              <td>
                <input
                  type="checkbox"
                  checked={picked.includes(r.id)}
                  onChange={() => toggle(r.id)}
                  aria-label={`compare run ${r.id}`}
                />
              </td>
              <td>#{r.id}</td>
              <td>{formatClock(r.created_at)}</td>
              <td>{r.settings.scenario}</td>
              <td>{targetChoiceLabel(r.settings.target)}</td>
              <td>{r.status}</td>
              <td>
                <a href={`/api/runs/${r.id}/export.json`}>JSON</a> · <a href={`/api/runs/${r.id}/export.csv`}>CSV</a>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {compared.length > 0 && (
        <div className="compare">
          {compared.map((run) => (
            <div key={run.id} className="compare-column">
              <RunSummary run={run} />
              {compared.length === 1 && run.results.length > 0 && <RunCharts results={run.results} />}
            </div>
          ))}
        </div>
      )}
    </div>
  );
}
