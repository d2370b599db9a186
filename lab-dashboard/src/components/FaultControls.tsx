import type { FaultSpec } from '@checkout-lab/contract';
import { useEffect, useState } from 'react';
import type { ApiError } from '../lib/api';
import { STACK_LABELS } from '../lib/format';
import type { FaultsAnswer, FaultsByStack, StackId } from '../../shared/types';

export const STACKS: StackId[] = ['monolith', 'micro'];
type FaultValue = boolean | number | string;

/** The catalog's stack names are the contract's; the page's are the lab API's. */
const APPLIES_TO_LABEL: Record<string, string> = { monolith: 'monolith', microservices: 'microservices' };

/** A stack's refusal of a fault in words: the stack's code where the lab knows it, else its message. */
export function faultErrorInWords(error: Pick<ApiError, 'code' | 'message'>): string {
  if (error.code === 'FAULT_NOT_IMPLEMENTED') return 'not built yet';
  if (error.code === 'FAULT_NOT_APPLICABLE') return 'not on this stack';
  return error.message;
}

export function answerOf(byStack: FaultsByStack, stack: StackId): FaultsAnswer | null {
  const answer = byStack[stack];
  return answer && !('error' in answer) ? answer : null;
}

/** Every fault of both catalogs, once each, in catalog order (the microservices' holds the monolith's and more). */
export function faultRows(byStack: FaultsByStack): FaultSpec[] {
  const rows = new Map<string, FaultSpec>();
  for (const stack of ['micro', 'monolith'] as const)
    for (const spec of answerOf(byStack, stack)?.catalog ?? []) if (!rows.has(spec.name)) rows.set(spec.name, spec);
  return [...rows.values()];
}

/** One fault's control on one stack: a checkbox, a number with Set, or a choice of crash points. */
function FaultInput({
  id,
  spec,
  value,
  disabled,
  onSet,
}: {
  id: string;
  spec: FaultSpec;
  value: FaultValue;
  disabled: boolean;
  onSet: (value: FaultValue) => void;
}) {
  const [draft, setDraft] = useState(String(value));
  // A change made elsewhere (the scheduler, another page) shows once it is read back.
  useEffect(() => setDraft(String(value)), [value]);

  if (spec.type === 'boolean')
    return (
      <label className="inline">
        <input
          type="checkbox"
          checked={value === true}
          disabled={disabled}
          onChange={(e) => onSet(e.target.checked)}
          data-testid={id}
        />{' '}
        {value === true ? 'on' : 'off'}
      </label>
    );
  if (spec.type === 'enum')
    return (
      <select value={String(value)} disabled={disabled} onChange={(e) => onSet(e.target.value)} data-testid={id}>
        {(spec.values ?? []).map((point) => (
          <option key={point} value={point}>
            {point}
          </option>
        ))}
      </select>
    );
  return (
    <span className="row">
      <input
        type="number"
        className="fault-number"
        min={spec.min}
        max={spec.max}
        step={spec.max !== undefined && spec.max <= 1 ? 0.05 : 100}
        value={draft}
        disabled={disabled}
        onChange={(e) => setDraft(e.target.value)}
        aria-label={`${spec.name} value`}
        data-testid={id}
      />
      <button
        type="button"
        className="secondary small"
        disabled={disabled || draft === '' || Number(draft) === value}
        onClick={() => onSet(Number(draft))}
        data-testid={`${id}-set`}
      >
        Set
      </button>
    </span>
  );
}

/**
 * Every fault of each stack's catalog, as the stacks answer it (a fault built later shows here without a change to
 * the page): where it acts, on which stacks, and a control per stack. A change the stack refuses says why beside the
 * control: "not built yet" (422 FAULT_NOT_IMPLEMENTED), "not on this stack" (FAULT_NOT_APPLICABLE).
 */
export function FaultTable({
  byStack,
  errors,
  canChange,
  busy,
  onSet,
  onReset,
}: {
  byStack: FaultsByStack;
  /** By `${stack}:${fault}`, the words of the stack's last refusal. */
  errors: Record<string, string>;
  canChange: boolean;
  busy: boolean;
  onSet: (stack: StackId, name: string, value: FaultValue) => void;
  onReset: (stack: StackId) => void;
}) {
  return (
    <table className="compact faults" data-testid="fault-rows">
      <thead>
        <tr>
          <th>fault</th>
          {STACKS.map((stack) => {
            const answer = byStack[stack];
            return (
              <th key={stack}>
                {STACK_LABELS[stack]}{' '}
                {canChange && answer && !('error' in answer) && (
                  <button
                    type="button"
                    className="secondary small"
                    disabled={busy}
                    onClick={() => onReset(stack)}
                    data-testid={`faults-reset-${stack}`}
                  >
                    Reset all faults
                  </button>
                )}
                {answer && 'error' in answer && <div className="error small-text">{answer.error.message}</div>}
              </th>
            );
          })}
        </tr>
      </thead>
      <tbody>
        {faultRows(byStack).map((spec) => (
          <tr key={spec.name} data-testid={`fault-row-${spec.name}`}>
            <td className="fault-about">
              <b>{spec.name}</b> <span className="muted">{spec.step ? `step ${spec.step}` : 'no one step'}</span>{' '}
              {spec.applies_to.map((stack) => (
                <span key={stack} className={`badge badge-${stack}`}>
                  {APPLIES_TO_LABEL[stack] ?? stack}
                </span>
              ))}
              <div className="small-text">{spec.description}</div>
            </td>
            {STACKS.map((stack) => {
              const answer = answerOf(byStack, stack);
              const own = answer?.catalog.find((entry) => entry.name === spec.name);
              const id = `fault-${stack}-${spec.name}`;
              const error = errors[`${stack}:${spec.name}`];
              return (
                <td key={stack}>
                  {!answer ? (
                    '–'
                  ) : !own ? (
                    <span className="muted">not on this stack</span>
                  ) : (
                    <FaultInput
                      id={id}
                      spec={own}
                      value={answer.faults[spec.name] ?? own.default}
                      disabled={!canChange || busy}
                      onSet={(value) => onSet(stack, spec.name, value)}
                    />
                  )}
                  {error && (
                    <div className="error small-text" data-testid={`fault-error-${stack}-${spec.name}`}>
                      {error}
                    </div>
                  )}
                </td>
              );
            })}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
