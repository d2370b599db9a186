import type { FaultSpec } from '@checkout-lab/contract';
import { useCallback, useState } from 'react';
import { usePolling } from '../hooks/usePolling';
import { labApi } from '../lib/api';
import { formatClock, STACK_LABELS } from '../lib/format';
import { useLabSession } from '../lib/session';
import type { FaultsByStack, SchedulerEvent, SchedulerState, StackId } from '../../shared/types';
import { answerOf, faultErrorInWords, STACKS } from './FaultControls';
import { TableHead } from './TableHead';

const ACTION_WORDS: Record<SchedulerEvent['action'], string> = {
  on: 'switched on',
  off: 'switched off (its time ended)',
  revert: 'reverted (the scheduler stopped)',
};

/** What the scheduler did, newest first: when, on which stack, which fault, to what, and a stack's refusal. */
export function SchedulerHistory({ history }: { history: SchedulerEvent[] }) {
  if (history.length === 0) return <p className="muted">Nothing yet: the scheduler has not switched any fault.</p>;
  return (
    <table className="compact" data-testid="scheduler-history">
      <TableHead columns={['time', 'stack', 'fault', 'value', 'what']} />
      <tbody>
        {[...history].reverse().map((event, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: the history only grows at its end; a row never moves
          <tr key={history.length - i} className={event.error ? 'error' : undefined}>
            <td>{formatClock(event.at)}</td>
            <td>{STACK_LABELS[event.stack]}</td>
            <td>{event.fault}</td>
            <td>{String(event.value)}</td>
            <td>
              {ACTION_WORDS[event.action]}
              {event.error && ` – refused: ${faultErrorInWords({ code: event.error, message: event.error })}`}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The value a number fault starts with in the scheduler's form: half the rate, or a second of delay. */
function suggestedValue(spec: FaultSpec): number {
  const max = spec.max ?? 1;
  return max <= 1 ? max / 2 : Math.min(1000, max);
}

function NumberField(props: {
  label: string;
  min: number;
  value: number;
  disabled: boolean;
  onChange: (value: number) => void;
  id: string;
}) {
  return (
    <label className="inline">
      {props.label}{' '}
      <input
        type="number"
        className="fault-number"
        min={props.min}
        value={props.value}
        disabled={props.disabled}
        onChange={(e) => props.onChange(Number(e.target.value))}
        data-testid={props.id}
      />
    </label>
  );
}

interface Choice {
  use: boolean;
  value: string;
}

/**
 * The instructor's fault scheduler, which runs in the lab API (so closing this page stops nothing): from a seed it
 * switches one chosen fault on for a time within [min, max] seconds, off again, pauses as long, and picks the next;
 * Stop reverts everything it set.
 */
export function FaultSchedulerPanel({ byStack, intervalMs = 1500 }: { byStack: FaultsByStack; intervalMs?: number }) {
  const session = useLabSession();
  const [state, setState] = useState<SchedulerState | null>(null);
  const [seed, setSeed] = useState(42);
  const [minS, setMinS] = useState(5);
  const [maxS, setMaxS] = useState(20);
  const [choices, setChoices] = useState<Record<string, Choice>>({});
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const read = useCallback(async (mounted: () => boolean) => {
    const result = await labApi.get<SchedulerState>('/lab/scheduler');
    if (mounted() && result.ok) setState(result.body);
  }, []);
  usePolling(read, intervalMs);

  const candidates = STACKS.flatMap((stack) =>
    (answerOf(byStack, stack)?.catalog ?? []).map((spec) => ({ stack, spec, key: `${stack}:${spec.name}` })),
  );
  const choiceOf = (key: string, spec: FaultSpec): Choice =>
    choices[key] ?? { use: false, value: spec.type === 'number' ? String(suggestedValue(spec)) : '' };
  const choose = (key: string, spec: FaultSpec, change: Partial<Choice>) =>
    setChoices({ ...choices, [key]: { ...choiceOf(key, spec), ...change } });

  const start = async () => {
    const faults = candidates
      .filter(({ key, spec }) => choiceOf(key, spec).use)
      .map(({ stack, spec, key }) => {
        const { value } = choiceOf(key, spec);
        if (spec.type === 'number') return { stack, name: spec.name, value: Number(value) };
        return spec.type === 'enum' && value ? { stack, name: spec.name, value } : { stack, name: spec.name };
      });
    setBusy(true);
    const result = await labApi.post<SchedulerState>('/lab/scheduler', { seed, min_s: minS, max_s: maxS, faults });
    setBusy(false);
    if (result.ok) setState(result.body);
    setMessage(result.ok ? null : (result.error?.message ?? 'failed'));
  };
  const stop = async () => {
    setBusy(true);
    const result = await labApi.del<SchedulerState>('/lab/scheduler');
    setBusy(false);
    if (result.ok) setState(result.body);
    setMessage(
      result.ok ? 'Stopped: every fault it had switched on is off again.' : (result.error?.message ?? 'failed'),
    );
  };

  const running = state?.running ?? false;
  const locked = !session.logged_in || busy;
  return (
    <div className="card" data-testid="scheduler">
      <h3>Fault scheduler</h3>
      <p className="small-text">
        Turns the chosen faults on and off by itself, one at a time, from a seed (the same seed replays the same
        outages): each stays on for a time within the bounds, then a pause as long. It runs in the lab API, so closing
        this page does not stop it; Stop reverts every fault it set.
      </p>
      <div className="row">
        <NumberField label="seed" min={0} value={seed} disabled={running} onChange={setSeed} id="scheduler-seed" />
        <NumberField label="min s" min={0.1} value={minS} disabled={running} onChange={setMinS} id="scheduler-min" />
        <NumberField label="max s" min={0.1} value={maxS} disabled={running} onChange={setMaxS} id="scheduler-max" />
      </div>
      <table className="compact">
        <TableHead columns={['use', 'stack', 'fault', 'value when on']} />
        <tbody>
          {candidates.map(({ stack, spec, key }) => {
            const choice = choiceOf(key, spec);
            return (
              <tr key={key}>
                <td>
                  <input
                    type="checkbox"
                    checked={choice.use}
                    disabled={running}
                    onChange={(e) => choose(key, spec, { use: e.target.checked })}
                    aria-label={`schedule ${spec.name} on ${STACK_LABELS[stack as StackId]}`}
                    data-testid={`scheduler-use-${key.replace(':', '-')}`}
                  />
                </td>
                <td>{STACK_LABELS[stack]}</td>
                <td>{spec.name}</td>
                <td>
                  {spec.type === 'boolean' && 'true'}
                  {spec.type === 'number' && (
                    <input
                      type="number"
                      className="fault-number"
                      min={spec.min}
                      max={spec.max}
                      value={choice.value}
                      disabled={running}
                      onChange={(e) => choose(key, spec, { value: e.target.value })}
                    />
                  )}
                  {spec.type === 'enum' && (
                    <select
                      value={choice.value}
                      disabled={running}
                      onChange={(e) => choose(key, spec, { value: e.target.value })}
                    >
                      <option value="">the seed picks</option>
                      {(spec.values ?? [])
                        .filter((point) => point !== spec.default)
                        .map((point) => (
                          <option key={point} value={point}>
                            {point}
                          </option>
                        ))}
                    </select>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <div className="row">
        <button
          type="button"
          disabled={locked || running || !candidates.some(({ key, spec }) => choiceOf(key, spec).use)}
          onClick={() => void start()}
          data-testid="scheduler-start"
        >
          Start
        </button>
        <button
          type="button"
          className="danger"
          disabled={locked || !running}
          onClick={() => void stop()}
          data-testid="scheduler-stop"
        >
          Stop and revert
        </button>
        {state && (
          <span className="muted small-text" data-testid="scheduler-status">
            {running
              ? `Running since ${formatClock(state.started_at ?? '')}, seed ${state.seed}, ${state.min_s}–${state.max_s} s; on now: ${
                  state.active.map((a) => `${a.name} (${STACK_LABELS[a.stack]})`).join(', ') || 'nothing (a pause)'
                }`
              : 'Not running.'}
          </span>
        )}
      </div>
      {message && <p className="notice small-text">{message}</p>}
      {state && <SchedulerHistory history={state.history} />}
    </div>
  );
}
