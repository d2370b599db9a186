import type { Knobs } from '@checkout-lab/contract';
import { useEffect, useState } from 'react';
import { labApi } from '../lib/api';
import { STACK_LABELS } from '../lib/format';
import { useLabSession } from '../lib/session';
import type { StackId } from '../../shared/types';
import { LoginHint } from './AdminLogin';

type PerStack<T> = Partial<Record<StackId, T | { error: { message: string } }>>;

function isError(value: unknown): value is { error: { message: string } } {
  return !!value && typeof value === 'object' && 'error' in value;
}

/** Reset both shops, change the knobs on both, launch the Black Friday demo. */
export function Instructor({
  onBlackFriday,
  onInstructorMode,
}: {
  onBlackFriday: () => void;
  onInstructorMode?: () => void;
}) {
  const [config, setConfig] = useState<PerStack<Knobs>>({});
  const [knobs, setKnobs] = useState<Knobs>({ payment_delay_ms: 1000, email_delay_ms: 2000, payment_failure_rate: 0 });
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const session = useLabSession();
  const locked = busy || !session.logged_in;

  const load = async () => {
    const result = await labApi.get<PerStack<Knobs>>('/lab/config');
    if (!result.ok) return setMessage(result.error?.message ?? 'failed');
    setConfig(result.body);
    const first = Object.values(result.body).find((v) => v && !isError(v)) as Knobs | undefined;
    if (first) setKnobs(first);
  };
  // biome-ignore lint/correctness/useExhaustiveDependencies: once, on opening the view
  useEffect(() => {
    void load();
  }, []);

  const describe = (result: PerStack<unknown>) =>
    (Object.entries(result) as [StackId, unknown][])
      .map(([stack, r]) => `${STACK_LABELS[stack]}: ${isError(r) ? r.error.message : 'done'}`)
      .join(' · ');

  const apply = async () => {
    setBusy(true);
    const result = await labApi.put<PerStack<Knobs>>('/lab/config', knobs);
    setBusy(false);
    setMessage(result.ok ? `Knobs applied. ${describe(result.body)}` : (result.error?.message ?? 'failed'));
    void load();
  };
  const reset = async () => {
    setBusy(true);
    setMessage('Resetting both shops…');
    const result = await labApi.post<PerStack<unknown>>('/lab/reset');
    setBusy(false);
    setMessage(result.ok ? `Reset: ${describe(result.body)}` : (result.error?.message ?? 'failed'));
  };

  const field = (key: keyof Knobs, label: string, step: number, max: number) => (
    <label>
      {label}
      <input
        type="number"
        min={0}
        max={max}
        step={step}
        value={knobs[key]}
        onChange={(e) => setKnobs({ ...knobs, [key]: Number(e.target.value) })}
      />
    </label>
  );

  return (
    <div className="instructor">
      {!session.logged_in && <LoginHint what="run the demo, change the knobs or reset the shops" />}
      <div className="card">
        <h3>Black Friday demo</h3>
        <p>
          One click: 20 buyers rush the doorbuster (stock 10) on the monolith, then the same on the microservices, with
          500 ms payment and 500 ms email delays. The progress shows under Load runs; open Internals meanwhile to watch
          the monolith's lock waits pile up and the queues drain, then compare the staircase with the flat line.
        </p>
        <button type="button" disabled={locked} onClick={onBlackFriday} data-testid="black-friday-demo">
          Run the Black Friday demo
        </button>{' '}
        {onInstructorMode && (
          <button type="button" onClick={onInstructorMode} data-testid="instructor-mode">
            Instructor mode: the demo step by step
          </button>
        )}
      </div>
      <div className="card">
        <h3>Knobs, on both stacks</h3>
        <table className="compact">
          <thead>
            <tr>
              <th />
              <th>payment delay</th>
              <th>email delay</th>
              <th>failure rate</th>
            </tr>
          </thead>
          <tbody>
            {(['monolith', 'micro'] as const).map((s) => {
              const c = config[s];
              return (
                <tr key={s}>
                  <th scope="row">{STACK_LABELS[s]}</th>
                  {!c ? (
                    <td colSpan={3}>–</td>
                  ) : isError(c) ? (
                    <td colSpan={3} className="error">
                      {c.error.message}
                    </td>
                  ) : (
                    <>
                      <td>{c.payment_delay_ms} ms</td>
                      <td>{c.email_delay_ms} ms</td>
                      <td>{c.payment_failure_rate}</td>
                    </>
                  )}
                </tr>
              );
            })}
          </tbody>
        </table>
        <div className="row">
          {field('payment_delay_ms', 'Payment delay (ms)', 100, 30000)}
          {field('email_delay_ms', 'Email delay (ms)', 100, 30000)}
          {field('payment_failure_rate', 'Failure rate (0–1)', 0.05, 1)}
        </div>
        <button type="button" disabled={locked} onClick={() => void apply()}>
          Apply to both stacks
        </button>
      </div>
      <div className="card">
        <h3>Reset the data</h3>
        <p>
          Clears orders, carts, payments, notifications and this lab's emails on both stacks, and restores the seed
          catalogue.
        </p>
        <button type="button" className="danger" disabled={locked} onClick={() => void reset()}>
          Reset both stacks
        </button>
      </div>
      {message && <p className="notice">{message}</p>}
    </div>
  );
}
