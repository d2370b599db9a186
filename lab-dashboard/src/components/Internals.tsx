import { useEffect, useState } from 'react';
import { labApi } from '../lib/api';
import { formatClock, formatMs } from '../lib/format';
import type { Internals as InternalsData } from '../lib/types';

/** Sampled about once a second: PostgreSQL's lock queue and connections, RabbitMQ's queues, the mailbox. */
export function Internals({ intervalMs = 1000 }: { intervalMs?: number }) {
  const [data, setData] = useState<InternalsData | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let stopped = false;
    const tick = async () => {
      const result = await labApi.get<InternalsData>('/internals');
      if (stopped) return;
      if (result.ok) {
        setData(result.body);
        setError(null);
      } else setError(result.error?.message ?? 'the lab API does not answer');
    };
    void tick();
    const timer = setInterval(tick, intervalMs);
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, [intervalMs]);

  if (!data) return <p className="muted">{error ?? 'Sampling the internals…'}</p>;
  const queues = data.queues.filter((q) => q.exists);
  const busiest = [...queues].sort((a, b) => b.messages - a.messages);
  return (
    <div className="internals" data-testid="internals">
      <div className="internals-box">
        <h4>PostgreSQL lock waits ({data.lock_waits.length})</h4>
        {data.postgres_error && <p className="error">{data.postgres_error}</p>}
        {data.lock_waits.length === 0 ? (
          <p className="muted">Nobody waits on a lock right now.</p>
        ) : (
          <table className="compact" data-testid="lock-waits">
            <thead>
              <tr>
                <th>waiter</th>
                <th>waits on</th>
                <th>for</th>
                <th>database</th>
              </tr>
            </thead>
            <tbody>
              {data.lock_waits.slice(0, 12).map((w) => (
                <tr key={w.pid} title={w.query}>
                  <td>pid {w.pid}</td>
                  <td>{w.blocked_by.join(', ') || '–'}</td>
                  <td>{formatMs(w.wait_ms)}</td>
                  <td>{w.database}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <h4>Connections per database</h4>
        <table className="compact">
          <thead>
            <tr>
              <th>database</th>
              <th>active</th>
              <th>idle in tx</th>
              <th>idle</th>
            </tr>
          </thead>
          <tbody>
            {data.connections.map((c) => (
              <tr key={c.database}>
                <td>{c.database}</td>
                <td>{c.active}</td>
                <td>{c.idle_in_transaction}</td>
                <td>{c.idle}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <div className="internals-box">
        <h4>RabbitMQ queues</h4>
        {data.rabbit_error && <p className="error">{data.rabbit_error}</p>}
        {!data.rabbit_error && queues.length === 0 && (
          <p className="muted">No queues of the microservices yet: are they started with this RABBIT_PREFIX?</p>
        )}
        {queues.length > 0 && (
          <table className="compact" data-testid="queues">
            <thead>
              <tr>
                <th>queue</th>
                <th>ready</th>
                <th>consumers</th>
              </tr>
            </thead>
            <tbody>
              {busiest.map((q) => (
                <tr key={q.name} className={q.dead_letter && q.messages > 0 ? 'dead-letters' : ''}>
                  <td>{q.name}</td>
                  <td>{q.messages}</td>
                  <td>{q.dead_letter ? 'dead letters' : q.consumers}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
      <div className="internals-box">
        <h4>Mailbox ({data.mail.total})</h4>
        {data.mail.error && <p className="error">{data.mail.error}</p>}
        <ul className="mail" data-testid="mailbox">
          {data.mail.latest.map((m, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: the catcher's newest mail, in order
            <li key={i}>
              <span className="muted">{formatClock(m.time)}</span> {m.subject}
            </li>
          ))}
        </ul>
        <p className="muted small-text">
          Lab API CPU since start: {formatMs(data.lab_cpu.user_ms + data.lab_cpu.system_ms)} in {data.lab_cpu.uptime_s}{' '}
          s
        </p>
      </div>
    </div>
  );
}
