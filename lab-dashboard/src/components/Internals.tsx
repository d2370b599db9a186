import { useCallback, useState } from 'react';
import { usePolling } from '../hooks/usePolling';
import { labApi } from '../lib/api';
import { formatClock, formatMs } from '../lib/format';
import type { HealthReport, Internals as InternalsData, QueueState } from '../../shared/types';
import { TableHead } from './TableHead';

/** Sampled about once a second: PostgreSQL's lock queue and connections, RabbitMQ's queues, the mailbox. */
export function Internals({ intervalMs = 1000 }: { intervalMs?: number }) {
  const [data, setData] = useState<InternalsData | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [health, setHealth] = useState<HealthReport | null>(null);

  const sample = useCallback(async (mounted: () => boolean) => {
    const [result, processes] = await Promise.all([
      labApi.get<InternalsData>('/internals'),
      labApi.get<HealthReport>('/health'),
    ]);
    if (!mounted()) return;
    if (processes.ok) setHealth(processes.body);
    if (result.ok) {
      setData(result.body);
      setError(null);
    } else setError(result.error?.message ?? 'the lab API does not answer');
  }, []);
  usePolling(sample, intervalMs);

  if (!data) return <p className="muted">{error ?? 'Sampling the internals…'}</p>;
  const queues = data.queues.filter((q) => q.exists);
  return (
    <div className="internals" data-testid="internals">
      <div className="internals-box">
        <h4>PostgreSQL lock waits ({data.lock_waits.length})</h4>
        {data.postgres_error && <p className="error">{data.postgres_error}</p>}
        {data.lock_waits.length === 0 ? (
          <p className="muted">Nobody waits on a lock right now.</p>
        ) : (
          <table className="compact" data-testid="lock-waits">
            <TableHead columns={['waiter', 'waits on', 'for', 'database']} />
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
        <p className="muted small-text">
          The monolith has one database; each microservice has its own (…_orders, …_products, …_payments…).
        </p>
        <table className="compact">
          <TableHead columns={['database', 'active', 'idle in tx', 'idle']} />
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
        <h4>RabbitMQ queues{data.rabbit_prefix ? ` (prefix ${data.rabbit_prefix})` : ''}</h4>
        {data.rabbit_error && <p className="error">{data.rabbit_error}</p>}
        {!data.rabbit_error && queues.length === 0 && (
          <p className="muted">
            No queues of the microservices yet: are they started with RABBIT_PREFIX=
            {data.rabbit_prefix.replace(/\.$/, '') || '(empty)'}?
          </p>
        )}
        {queues.length > 0 && <QueueTable queues={queues} />}
        <p className="muted small-text">
          <b>ready</b>: events waiting for the service; <b>retrying</b>: parked until their backoff ends;{' '}
          <b>dead letters</b>: given up after the retries, kept in the service's DLQ until redriven.
        </p>
        <h4>Processes</h4>
        <ProcessTable health={health} />
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

/** One block of rows per service: its consumer queues, and beside them its dead-letter queue. */
function QueueTable({ queues }: { queues: QueueState[] }) {
  const services = [...new Set(queues.map((q) => q.service))];
  return (
    <table className="compact queues" data-testid="queues">
      <TableHead columns={['service', 'queue', 'ready', 'retrying', 'consumers', 'dead letters']} />
      <tbody>
        {services.map((service) => {
          const work = queues.filter((q) => q.service === service && !q.dead_letter);
          const dlq = queues.find((q) => q.service === service && q.dead_letter);
          return work.map((q, i) => (
            <tr key={q.name} title={q.name} data-testid={`queue-${q.service}-${q.purpose}`}>
              {i === 0 && <td rowSpan={work.length}>{service.replace('-service', '')}</td>}
              <td className="queue-name">{breakAtDots(q.purpose)}</td>
              <td className={q.messages > 0 ? 'busy' : ''}>{q.messages}</td>
              <td className={q.retrying > 0 ? 'busy' : ''}>{q.retrying}</td>
              <td className={q.consumers === 0 ? 'error' : ''}>{q.consumers}</td>
              {i === 0 && (
                <td
                  rowSpan={work.length}
                  title={dlq?.name}
                  className={dlq && dlq.messages > 0 ? 'dead-letters' : ''}
                  data-testid={`dlq-${service}`}
                >
                  {dlq ? dlq.messages : '–'}
                </td>
              )}
            </tr>
          ));
        })}
      </tbody>
    </table>
  );
}

/** The monolith, the gateway and every service the gateway's /health reports. */
function ProcessTable({ health }: { health: HealthReport | null }) {
  if (!health) return <p className="muted">Asking every /health…</p>;
  return (
    <table className="compact" data-testid="processes">
      <tbody>
        {health.processes.map((p) => (
          <tr key={p.name} title={p.detail ?? p.url}>
            <td>
              <span className={`health-${p.status}`}>
                <span className="dot" />
              </span>{' '}
              {p.name}
            </td>
            <td className={p.status === 'ok' ? '' : 'error'}>{p.status}</td>
            <td className="muted">{p.url}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Lets a long queue name such as payment.payment.processed wrap after a dot, never inside a word. */
function breakAtDots(name: string) {
  return name.split('.').map((part, i, parts) => (
    // biome-ignore lint/suspicious/noArrayIndexKey: the parts of one fixed name
    <span key={i}>
      {part}
      {i < parts.length - 1 && (
        <>
          .<wbr />
        </>
      )}
    </span>
  ));
}
