import { useCallback, useEffect, useState } from 'react';
import { labApi } from '../lib/api';
import { formatClock } from '../lib/format';
import { useLabSession } from '../lib/session';
import type { DeadLetter } from '../../shared/types';
import { LoginHint } from './AdminLogin';
import { TableHead } from './TableHead';

/**
 * The microservices' dead letters, through the lab API to the gateway: what failed every retry, why, and a redrive
 * that sends a letter (or all) back to its queue once. A letter that fails again comes back here for the next try.
 */
export function DeadLetters() {
  const session = useLabSession();
  const [letters, setLetters] = useState<DeadLetter[] | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const load = useCallback(async () => {
    const result = await labApi.get<DeadLetter[]>('/lab/dead-letters');
    if (result.ok) setLetters(result.body);
    else setMessage(result.error?.message ?? 'The dead letters could not be read');
  }, []);

  useEffect(() => {
    if (session.logged_in) void load();
    else setLetters(null);
  }, [session.logged_in, load]);

  const redrive = async (ids?: string[]) => {
    setBusy(true);
    const result = await labApi.post<{ redriven: number }>('/lab/dead-letters/redrive', ids ? { ids } : {});
    // The list first, then the count: what the message says is already what the table shows.
    await load();
    setBusy(false);
    setMessage(
      result.ok
        ? `Redriven: ${result.body.redriven}. A letter that fails again comes back here.`
        : (result.error?.message ?? 'failed'),
    );
  };

  return (
    <div className="internals-box dead-letters-panel" data-testid="dead-letters">
      <div className="row between">
        <h4>Dead letters{letters ? ` (${letters.length})` : ''}</h4>
        {session.logged_in && (
          <div className="row">
            <button type="button" className="secondary small" disabled={busy} onClick={() => void load()}>
              Refresh
            </button>
            <button
              type="button"
              className="small"
              disabled={busy || !letters?.length}
              onClick={() => void redrive()}
              data-testid="redrive-all"
            >
              Redrive all
            </button>
          </div>
        )}
      </div>
      {!session.logged_in && (
        <LoginHint what="see the dead letters (their events carry buyers' emails) and redrive them" />
      )}
      {letters && letters.length === 0 && <p className="muted">No dead letters: every event was handled.</p>}
      {letters && letters.length > 0 && (
        <table className="compact" data-testid="dead-letter-rows">
          <TableHead columns={['service', 'event', 'reason', 'attempts', 'parked at', '']} />
          <tbody>
            {letters.map((letter) => (
              <tr key={letter.id} title={JSON.stringify(letter.event)}>
                <td>{letter.service.replace('-service', '')}</td>
                <td className="queue-name">{letter.routing_key ?? '–'}</td>
                <td className="dead-letters">{letter.reason ?? '–'}</td>
                <td>{letter.attempts}</td>
                <td>{letter.dead_lettered_at ? formatClock(letter.dead_lettered_at) : '–'}</td>
                <td>
                  <button
                    type="button"
                    className="secondary small"
                    disabled={busy}
                    onClick={() => void redrive([letter.id])}
                    data-testid={`redrive-${letter.id}`}
                  >
                    Redrive
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {message && <p className="notice small-text">{message}</p>}
    </div>
  );
}
