import { useCallback, useState } from 'react';
import { usePolling } from '../hooks/usePolling';
import { labApi } from '../lib/api';
import { STACK_LABELS } from '../lib/format';
import { useLabSession } from '../lib/session';
import { type FaultsAnswer, type FaultsByStack, PATTERNS, type StackId } from '../../shared/types';
import { LoginHint } from './AdminLogin';
import { DeadLetters } from './DeadLetters';
import { FaultTable, faultErrorInWords } from './FaultControls';
import { FaultSchedulerPanel } from './FaultScheduler';
import { LastVerdicts } from './LastVerdicts';
import { Processes } from './Processes';
import { Switches } from './Switches';

/** Each stack's faults, read back every intervalMs (the scheduler and other pages change them too). */
function FaultSwitches({
  byStack,
  onChanged,
}: {
  byStack: FaultsByStack;
  onChanged: (stack: StackId, answer: FaultsAnswer) => void;
}) {
  const session = useLabSession();
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<string | null>(null);

  const set = async (stack: StackId, name: string, value: boolean | number | string) => {
    setBusy(true);
    const result = await labApi.put<FaultsAnswer>(`/lab/faults?target=${stack}`, { [name]: value });
    setBusy(false);
    const { [`${stack}:${name}`]: _, ...others } = errors;
    if (result.ok) onChanged(stack, result.body);
    setErrors(
      result.ok
        ? others
        : { ...others, [`${stack}:${name}`]: faultErrorInWords(result.error ?? { code: '', message: 'failed' }) },
    );
  };
  const reset = async (stack: StackId) => {
    setBusy(true);
    const result = await labApi.post<FaultsByStack>(`/lab/faults/reset?target=${stack}`);
    setBusy(false);
    const answer = result.ok ? result.body[stack] : null;
    if (answer && !('error' in answer)) {
      onChanged(stack, answer);
      setErrors(Object.fromEntries(Object.entries(errors).filter(([key]) => !key.startsWith(`${stack}:`))));
      setMessage(`${STACK_LABELS[stack]}: every fault is off.`);
    } else setMessage(answer?.error.message ?? result.error?.message ?? 'failed');
  };

  return (
    <div className="card" data-testid="fault-switches">
      <h3>Faults</h3>
      <p className="small-text">
        Each switch breaks one real part of a stack for the next checkouts. The list is each stack's own catalog: a
        fault whose effect is not built yet says so when you switch it.
      </p>
      {!session.logged_in && <LoginHint what="switch faults on and off" />}
      <FaultTable
        byStack={byStack}
        errors={errors}
        canChange={session.logged_in}
        busy={busy}
        onSet={(stack, name, value) => void set(stack, name, value)}
        onReset={(stack) => void reset(stack)}
      />
      {message && <p className="notice small-text">{message}</p>}
    </div>
  );
}

/**
 * The microservices' reliability patterns as switches (the gateway's /api/lab/patterns): off runs the naive variant,
 * and the breakage the pattern prevents shows in the next run's verdict.
 */
function PatternSwitches() {
  return (
    <Switches
      path="/lab/patterns"
      title="Reliability patterns (microservices)"
      switches={PATTERNS.map((pattern) => ({ ...pattern, prevents: `prevents ${pattern.prevents}` }))}
      testId="patterns"
      itemTestId="pattern"
      unavailableText="not available: the gateway has no pattern switches"
    />
  );
}

/**
 * The Faults view: break a stack on purpose (by hand or with the scheduler), kill its processes, switch its patterns,
 * then read the verdict of the next run and redrive what ended in the dead letters.
 */
export function Faults({ intervalMs = 2000 }: { intervalMs?: number }) {
  const [byStack, setByStack] = useState<FaultsByStack>({});
  const read = useCallback(async (mounted: () => boolean) => {
    const result = await labApi.get<FaultsByStack>('/lab/faults');
    if (mounted() && result.ok) setByStack(result.body);
  }, []);
  usePolling(read, intervalMs);

  return (
    <div className="faults-view" data-testid="faults-view">
      <FaultSwitches
        byStack={byStack}
        onChanged={(stack, answer) => setByStack((now) => ({ ...now, [stack]: answer }))}
      />
      <FaultSchedulerPanel byStack={byStack} />
      <PatternSwitches />
      <LastVerdicts />
      <Processes />
      <DeadLetters />
    </div>
  );
}
