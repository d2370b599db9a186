import { useCallback, useState } from 'react';
import { usePolling } from '../hooks/usePolling';
import { labApi } from '../lib/api';
import { useLabSession } from '../lib/session';
import type { LabProcess } from '../../shared/types';
import { LoginHint } from './AdminLogin';
import { TableHead } from './TableHead';

const STATUS_CLASS: Record<LabProcess['status'], string> = {
  running: 'health-ok',
  restarting: 'health-degraded',
  stopped: 'health-down',
};

/** The table itself: one row per process, a Kill button on each when the admin is logged in. */
export function ProcessTable({
  processes,
  canKill,
  busy,
  onKill,
}: {
  processes: LabProcess[];
  canKill: boolean;
  busy: boolean;
  onKill: (name: string) => void;
}) {
  return (
    <table className="compact" data-testid="process-rows">
      <TableHead columns={['process', 'stack', 'pid', 'status', 'restarts', '']} />
      <tbody>
        {processes.map((p) => (
          <tr key={p.name} title={p.url}>
            <td>{p.name}</td>
            <td>{p.stack}</td>
            <td>{p.pid}</td>
            <td className={STATUS_CLASS[p.status]}>
              <span className="dot" /> {p.status}
            </td>
            <td>{p.restarts}</td>
            <td>
              {canKill && (
                <button
                  type="button"
                  className="secondary small"
                  disabled={busy || p.status !== 'running'}
                  onClick={() => onKill(p.name)}
                  data-testid={`kill-${p.name}`}
                >
                  Kill
                </button>
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/**
 * The processes the launcher supervises (GET /api/lab/processes). Kill sends SIGKILL, as a crash would, and the
 * launcher restarts the process: watch the monolith take the whole shop with it, and a service only its own part
 * (LESSONS.md, "A crash: one shop down, or one function?").
 */
export function Processes({ intervalMs = 1000 }: { intervalMs?: number }) {
  const session = useLabSession();
  const [processes, setProcesses] = useState<LabProcess[] | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const read = useCallback(async (mounted: () => boolean) => {
    const result = await labApi.get<LabProcess[]>('/lab/processes');
    // While the dashboard itself restarts, the last table stays on the page.
    if (mounted() && result.ok) setProcesses(result.body);
  }, []);
  usePolling(read, intervalMs);

  const kill = async (name: string) => {
    setBusy(true);
    const result = await labApi.post<LabProcess>(`/lab/processes/${encodeURIComponent(name)}/kill`);
    setBusy(false);
    if (!result.ok) setMessage(result.error?.message ?? 'failed');
    else if (name === 'dashboard')
      setMessage('The dashboard was killed: the launcher restarts it, and its restart logs you out.');
    else setMessage(`${name} was killed (SIGKILL): the launcher restarts it.`);
  };

  return (
    <div className="internals-box dead-letters-panel" data-testid="processes">
      <h4>Processes{processes ? ` (${processes.length})` : ''}</h4>
      {processes && processes.length === 0 && (
        <p className="muted">This dashboard was not started by the launcher (npm start): no process to show.</p>
      )}
      {processes && processes.length > 0 && (
        <ProcessTable
          processes={processes}
          canKill={session.logged_in}
          busy={busy}
          onKill={(name) => void kill(name)}
        />
      )}
      {!session.logged_in && processes && processes.length > 0 && (
        <LoginHint what="kill a process and watch the launcher restart it" />
      )}
      {message && <p className="notice small-text">{message}</p>}
    </div>
  );
}
