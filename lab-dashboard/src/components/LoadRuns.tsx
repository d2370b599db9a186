import { useEffect, useState } from 'react';
import { labApi } from '../lib/api';
import { formatPercent, STACK_LABELS } from '../lib/format';
import { BLACK_FRIDAY_DEMO } from '../lib/presets';
import { useLabSession } from '../lib/session';
import {
  DEFAULT_RUN_SETTINGS,
  type RunProgress,
  type RunRecord,
  type RunSettings,
  SCENARIOS,
  type TargetChoice,
} from '../../shared/types';
import { LoginHint } from './AdminLogin';
import { Internals } from './Internals';
import { RunCharts } from './RunCharts';
import { RunSummary } from './RunSummary';

/** What a run can be against, as the form offers it. */
export const TARGET_OPTIONS: { value: TargetChoice; label: string }[] = [
  { value: 'both', label: 'both, one after the other' },
  { value: 'all', label: 'all three: monolith, monolith with every fix, microservices' },
  { value: 'monolith', label: 'the monolith' },
  { value: 'monolith-fixed', label: 'the monolith with every fix' },
  { value: 'micro', label: 'the microservices' },
];

/** Starts a run in the lab API (never in the browser); the caller learns the run id or the error. */
export async function startRun(settings: RunSettings): Promise<{ run: RunRecord | null; error: string | null }> {
  const result = await labApi.post<RunRecord>('/runs', settings);
  return result.ok ? { run: result.body, error: null } : { run: null, error: result.error?.message ?? 'failed' };
}

/** Follows the active run over Server-Sent Events. */
function useRunProgress(): RunProgress | null {
  const [progress, setProgress] = useState<RunProgress | null>(null);
  useEffect(() => {
    const source = new EventSource('/api/runs/progress');
    source.onmessage = (event) => {
      const value = JSON.parse(event.data) as RunProgress | null;
      if (value) setProgress(value);
    };
    return () => source.close();
  }, []);
  return progress;
}

export function LoadRuns({ onRunsChanged }: { onRunsChanged?: () => void }) {
  const [settings, setSettings] = useState<RunSettings>(DEFAULT_RUN_SETTINGS);
  const [error, setError] = useState<string | null>(null);
  const [run, setRun] = useState<RunRecord | null>(null);
  const progress = useRunProgress();
  const running = progress?.status === 'running';
  const session = useLabSession();

  // When a run ends, fetch it whole (orders included) to draw its charts.
  // biome-ignore lint/correctness/useExhaustiveDependencies: reacts to the run's end only
  useEffect(() => {
    if (!progress || progress.status === 'running') return;
    void labApi.get<RunRecord>(`/runs/${progress.run_id}`).then((r) => {
      if (r.ok) setRun(r.body);
      onRunsChanged?.();
    });
  }, [progress?.status, progress?.run_id]);

  // On first load, show the latest finished run.
  useEffect(() => {
    void labApi.get<RunRecord[]>('/runs').then(async (list) => {
      const latest = list.ok ? list.body.find((r) => r.status !== 'running') : undefined;
      if (!latest) return;
      const whole = await labApi.get<RunRecord>(`/runs/${latest.id}`);
      if (whole.ok) setRun((current) => current ?? whole.body);
    });
  }, []);

  const start = async (s: RunSettings) => {
    setError(null);
    setSettings(s);
    const { error } = await startRun(s);
    if (error) setError(error);
  };

  const set = <K extends keyof RunSettings>(key: K, value: RunSettings[K]) =>
    setSettings({ ...settings, [key]: value });
  const num = (key: keyof RunSettings, label: string, min: number, max: number, step = 1) => (
    <label>
      {label}
      <input
        type="number"
        min={min}
        max={max}
        step={step}
        value={settings[key] as number}
        onChange={(e) => set(key, Number(e.target.value) as never)}
        data-testid={`run-${key}`}
      />
    </label>
  );
  const byBuyers = settings.scenario !== 'steady';

  return (
    <div className="runs">
      <form
        className="run-form"
        onSubmit={(e) => {
          e.preventDefault();
          void start(settings);
        }}
      >
        <label className="span-2">
          Scenario
          <select
            value={settings.scenario}
            onChange={(e) => set('scenario', e.target.value as RunSettings['scenario'])}
            data-testid="run-scenario"
          >
            {SCENARIOS.map((s) => (
              <option key={s.id} value={s.id}>
                {s.label}
              </option>
            ))}
          </select>
        </label>
        <label>
          Against
          <select
            value={settings.target}
            onChange={(e) => set('target', e.target.value as RunSettings['target'])}
            data-testid="run-target"
          >
            {TARGET_OPTIONS.map((o) => (
              <option key={o.value} value={o.value}>
                {o.label}
              </option>
            ))}
          </select>
        </label>
        {byBuyers ? num('buyers', 'Buyers', 1, 1000) : num('connections', 'Connections', 1, 200)}
        {settings.scenario === 'steady' ? num('duration_s', 'Seconds', 1, 600) : num('stock', 'Stock', 0, 100000)}
        {num('payment_delay_ms', 'Payment delay (ms)', 0, 30000, 50)}
        {num('email_delay_ms', 'Email delay (ms)', 0, 30000, 50)}
        {num('payment_failure_rate', 'Failure rate (0–1)', 0, 1, 0.05)}
        <div className="row run-buttons">
          <button type="submit" disabled={running || !session.logged_in} data-testid="run-start">
            Start run
          </button>
          <button
            type="button"
            className="secondary"
            disabled={running || !session.logged_in}
            onClick={() => void start(BLACK_FRIDAY_DEMO)}
          >
            Black Friday demo
          </button>
        </div>
      </form>
      {!session.logged_in && <LoginHint what="start or cancel a run" />}
      <p className="muted small-text">{SCENARIOS.find((s) => s.id === settings.scenario)?.hint}</p>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {progress && (
        <div className="progress-row" data-testid="run-progress">
          <progress value={progress.fraction} max={1} />
          <span>
            Run #{progress.run_id}: {progress.status === 'running' ? progress.phase : progress.status}
            {progress.target ? ` (${STACK_LABELS[progress.target]})` : ''} · {formatPercent(progress.fraction)}
          </span>
          {running && (
            <button
              type="button"
              className="danger small"
              onClick={() => void labApi.post(`/runs/${progress.run_id}/cancel`)}
              data-testid="run-cancel"
            >
              Cancel
            </button>
          )}
        </div>
      )}
      {running && (
        <>
          <h3>Live internals</h3>
          <Internals />
        </>
      )}
      {run && !running && (
        <>
          <RunSummary run={run} />
          {run.results.length > 0 && <RunCharts results={run.results} />}
        </>
      )}
    </div>
  );
}
