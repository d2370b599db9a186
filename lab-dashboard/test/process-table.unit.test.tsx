// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { LabProcess } from '../shared/types';
import { ProcessTable } from '../src/components/Processes';

const PROCESSES: LabProcess[] = [
  { name: 'monolith', stack: 'monolith', pid: 101, status: 'running', restarts: 0, url: 'http://127.0.0.1:8000' },
  {
    name: 'order-service',
    stack: 'microservices',
    pid: 102,
    status: 'restarting',
    restarts: 2,
    url: 'http://127.0.0.1:8001',
  },
];

describe('the process table', () => {
  afterEach(cleanup);

  it('when the admin is logged in, then each running process has a Kill that names it, and one restarting has none to press', () => {
    const killed: string[] = [];
    render(<ProcessTable processes={PROCESSES} canKill busy={false} onKill={(name) => killed.push(name)} />);
    const rows = screen.getByTestId('process-rows').querySelectorAll('tbody tr');
    expect([...rows].map((row) => row.textContent)).toEqual([
      'monolithmonolith101 running0Kill',
      'order-servicemicroservices102 restarting2Kill',
    ]);
    fireEvent.click(screen.getByTestId('kill-monolith'));
    expect(killed).toEqual(['monolith']);
    expect((screen.getByTestId('kill-order-service') as HTMLButtonElement).disabled).toBe(true);
  });

  it('when nobody is logged in, then the table shows the processes without any Kill', () => {
    render(<ProcessTable processes={PROCESSES} canKill={false} busy={false} onKill={() => {}} />);
    expect(screen.queryByText('Kill')).toBeNull();
    expect(screen.getByTestId('process-rows').textContent).toContain('order-service');
  });
});
