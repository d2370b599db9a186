// @vitest-environment jsdom
import { faultCatalog } from '@checkout-lab/contract';
import { cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { FaultsAnswer, FaultsByStack, RunRecord, SchedulerEvent, TargetResult, VerdictIds } from '../shared/types';
import { FaultTable, faultErrorInWords } from '../src/components/FaultControls';
import { SchedulerHistory } from '../src/components/FaultScheduler';
import { VerdictTable } from '../src/components/LastVerdicts';

function answer(stack: 'monolith' | 'microservices', values: Record<string, boolean | number | string> = {}) {
  const catalog = faultCatalog(stack);
  return {
    faults: Object.fromEntries(catalog.map((f) => [f.name, values[f.name] ?? f.default])),
    catalog,
  } satisfies FaultsAnswer;
}

const BOTH: FaultsByStack = { monolith: answer('monolith', { smtp_down: true }), micro: answer('microservices') };

describe('the fault controls', () => {
  afterEach(cleanup);

  it('when both stacks answer, then every fault of either catalog has a row, marked with its stacks and step, and a fault of the other stack says so', () => {
    render(<FaultTable byStack={BOTH} errors={{}} canChange busy={false} onSet={() => {}} onReset={() => {}} />);
    const rows = screen.getByTestId('fault-rows').querySelectorAll('tbody tr');
    expect(rows).toHaveLength(faultCatalog('microservices').length);
    const broker = screen.getByTestId('fault-row-broker_down');
    expect(broker.textContent).toContain('microservices');
    expect(broker.textContent).not.toContain('monolith');
    expect(within(broker).getByText('not on this stack')).toBeTruthy();
    expect(screen.getByTestId('fault-row-smtp_down').textContent).toContain('step 9_send_email');
    // The monolith's smtp_down is on, as its answer says; the microservices' is off.
    expect((screen.getByTestId('fault-monolith-smtp_down') as HTMLInputElement).checked).toBe(true);
    expect((screen.getByTestId('fault-micro-smtp_down') as HTMLInputElement).checked).toBe(false);
    // Each stack's own crash points.
    const crashPoints = (stack: string) =>
      [...(screen.getByTestId(`fault-${stack}-crash`) as HTMLSelectElement).options].map((o) => o.value);
    expect(crashPoints('monolith')).toEqual(['none', 'mid_checkout']);
    expect(crashPoints('micro')).toEqual(['none', 'after_commit_before_publish', 'after_effect_before_ack']);
  });

  it('when a switch, a number and a reset are used, then each calls back with its stack, fault and value', () => {
    const set: unknown[] = [];
    const reset: string[] = [];
    render(
      <FaultTable
        byStack={BOTH}
        errors={{}}
        canChange
        busy={false}
        onSet={(stack, name, value) => set.push([stack, name, value])}
        onReset={(stack) => reset.push(stack)}
      />,
    );
    fireEvent.click(screen.getByTestId('fault-micro-smtp_down'));
    fireEvent.change(screen.getByTestId('fault-micro-hop_delay_ms'), { target: { value: '250' } });
    fireEvent.click(screen.getByTestId('fault-micro-hop_delay_ms-set'));
    fireEvent.change(screen.getByTestId('fault-monolith-crash'), { target: { value: 'mid_checkout' } });
    fireEvent.click(screen.getByTestId('faults-reset-micro'));
    expect(set).toEqual([
      ['micro', 'smtp_down', true],
      ['micro', 'hop_delay_ms', 250],
      ['monolith', 'crash', 'mid_checkout'],
    ]);
    expect(reset).toEqual(['micro']);
  });

  it('when a stack refused a fault, then the refusal is shown next to that control in words', () => {
    const errors = {
      'micro:broker_down': faultErrorInWords({ code: 'FAULT_NOT_IMPLEMENTED', message: 'Not built yet: broker_down' }),
      'monolith:smtp_down': faultErrorInWords({ code: 'FAULT_NOT_APPLICABLE', message: 'Not a fault of the monolith' }),
    };
    render(<FaultTable byStack={BOTH} errors={errors} canChange busy={false} onSet={() => {}} onReset={() => {}} />);
    expect(screen.getByTestId('fault-error-micro-broker_down').textContent).toBe('not built yet');
    expect(screen.getByTestId('fault-error-monolith-smtp_down').textContent).toBe('not on this stack');
    expect(screen.queryByTestId('fault-error-micro-smtp_down')).toBeNull();
  });

  it('when nobody is logged in, then every control is disabled and no reset is offered; a stack that does not answer shows its error', () => {
    const oneDown: FaultsByStack = {
      monolith: BOTH.monolith,
      micro: { error: { code: 'STACK_ERROR', message: 'Microservices does not answer' } },
    };
    render(
      <FaultTable byStack={oneDown} errors={{}} canChange={false} busy={false} onSet={() => {}} onReset={() => {}} />,
    );
    expect((screen.getByTestId('fault-monolith-smtp_down') as HTMLInputElement).disabled).toBe(true);
    expect(screen.queryByTestId('faults-reset-monolith')).toBeNull();
    expect(screen.getByText('Microservices does not answer')).toBeTruthy();
    // Only the monolith's catalog is known: its faults only.
    expect(screen.getByTestId('fault-rows').querySelectorAll('tbody tr')).toHaveLength(faultCatalog('monolith').length);
  });
});

describe("the scheduler's history", () => {
  afterEach(cleanup);

  const at = (s: number) => new Date(Date.UTC(2026, 11, 1, 10, 0, s)).toISOString();
  const HISTORY: SchedulerEvent[] = [
    { at: at(1), stack: 'monolith', fault: 'smtp_down', value: true, action: 'on', error: null },
    { at: at(9), stack: 'monolith', fault: 'smtp_down', value: false, action: 'off', error: null },
    { at: at(15), stack: 'micro', fault: 'hop_delay_ms', value: 300, action: 'on', error: 'FAULT_NOT_IMPLEMENTED' },
    { at: at(20), stack: 'micro', fault: 'crash', value: 'after_effect_before_ack', action: 'on', error: null },
    { at: at(22), stack: 'micro', fault: 'crash', value: 'none', action: 'revert', error: null },
  ];

  it('when the scheduler has acted, then each step is a row, newest first, with its time, stack, fault, value and what it did', () => {
    render(<SchedulerHistory history={HISTORY} />);
    const rows = [...screen.getByTestId('scheduler-history').querySelectorAll('tbody tr')].map((row) =>
      [...row.querySelectorAll('td')].map((cell) => cell.textContent),
    );
    expect(rows.map((cells) => cells.slice(1))).toEqual([
      ['Microservices', 'crash', 'none', 'reverted (the scheduler stopped)'],
      ['Microservices', 'crash', 'after_effect_before_ack', 'switched on'],
      ['Microservices', 'hop_delay_ms', '300', 'switched on – refused: not built yet'],
      ['Monolith', 'smtp_down', 'false', 'switched off (its time ended)'],
      ['Monolith', 'smtp_down', 'true', 'switched on'],
    ]);
    // The time is the viewer's clock time of the step.
    expect(rows[4][0]).toBe(new Date(at(1)).toLocaleTimeString('en-GB', { hour12: false }));
  });

  it('when it has done nothing yet, then it says so instead of an empty table', () => {
    render(<SchedulerHistory history={[]} />);
    expect(screen.queryByTestId('scheduler-history')).toBeNull();
    expect(screen.getByText(/has not switched any fault/)).toBeTruthy();
  });
});

describe('the verdict of the last run', () => {
  afterEach(cleanup);

  const NONE: VerdictIds = {
    lost: [],
    stuck: [],
    duplicated_charges: [],
    duplicated_emails: [],
    unexpected: [],
    orphan_charges: [],
    recovered: [],
    stock_drift: [],
  };
  const counts = (ids: VerdictIds, accepted: number) => ({
    accepted,
    final: accepted - ids.stuck.length,
    ...(Object.fromEntries(Object.entries(ids).map(([name, list]) => [name, list.length])) as Record<
      keyof VerdictIds,
      number
    >),
  });
  function result(target: 'monolith' | 'micro', ids: VerdictIds, accepted: number): TargetResult {
    return {
      target,
      started_at: '2026-12-01T10:00:00.000Z',
      finished_at: '2026-12-01T10:01:00.000Z',
      requests: 0,
      requests_per_sec: 0,
      errors: 0,
      non_2xx: 0,
      latency_ms: { p50: 0, p90: 0, p99: 0, max: 0 },
      throughput: [],
      orders: [],
      samples: [],
      invariants: [],
      verdict: counts(ids, accepted),
      verdict_ids: ids,
    };
  }
  const run = (id: number, results: TargetResult[]): RunRecord => ({
    id,
    created_at: '2026-12-01T10:00:00.000Z',
    settings: {} as RunRecord['settings'],
    status: 'finished',
    error: null,
    results,
    cost: null,
  });

  it("when runs are kept, then each stack shows its newest run's counts, and the order ids behind a count link to the orders", () => {
    const runs = [
      run(3, [result('micro', { ...NONE, lost: [41, 42], stock_drift: [2] }, 6)]),
      run(2, [result('monolith', { ...NONE, stuck: [] }, 3), result('micro', NONE, 6)]),
      run(1, [result('monolith', { ...NONE, unexpected: [9] }, 3)]),
    ];
    render(<VerdictTable runs={runs} />);
    expect(screen.getByTestId('verdicts').querySelector('thead')?.textContent).toContain('run #3');
    expect(screen.getByTestId('verdicts').querySelector('thead')?.textContent).toContain('run #2');
    expect(screen.getByTestId('verdict-micro-lost').textContent).toBe('2 #41#42');
    const links = [...screen.getByTestId('verdict-micro-lost').querySelectorAll('a')].map((a) =>
      a.getAttribute('href'),
    );
    expect(links).toEqual(['/api/lab/orders/micro/41', '/api/lab/orders/micro/42']);
    expect(screen.getByTestId('verdict-micro-lost').className).toBe('error');
    // Product ids are not orders: shown, not linked.
    expect(screen.getByTestId('verdict-micro-stock_drift').textContent).toContain('product 2');
    expect(screen.getByTestId('verdict-micro-stock_drift').querySelector('a')).toBeNull();
    // The monolith's newest run is #2, where nothing was unexpected (run #1's 9 is older).
    expect(screen.getByTestId('verdict-monolith-unexpected').textContent?.trim()).toBe('0');
    expect(screen.getByTestId('verdict-monolith-accepted').textContent?.trim()).toBe('3');
  });

  it('when no run carries a verdict, then it says where to start one', () => {
    render(<VerdictTable runs={[]} />);
    expect(screen.queryByTestId('verdicts')).toBeNull();
    expect(screen.getByText(/No run with a verdict yet/)).toBeTruthy();
  });
});
