// @vitest-environment jsdom
import { cleanup, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { StepsBar } from '../src/components/StepsBar';

describe('the steps bar', () => {
  afterEach(cleanup);

  it('when an order has steps, then each step is a segment whose width is its share, with its duration', () => {
    const steps = [
      { name: '6_process_payment', service: 'monolith', started_at: '', duration_ms: 750 },
      { name: '9_send_email', service: 'monolith', started_at: '', duration_ms: 250 },
    ];
    render(<StepsBar steps={steps} />);
    const bar = screen.getByTestId('steps-bar');
    const segments = bar.querySelectorAll<HTMLElement>('.steps-segment');
    expect([...segments].map((s) => s.style.width)).toEqual(['75%', '25%']);
    expect(bar.textContent).toContain('6 process payment');
    expect(bar.textContent).toContain('750 ms');
  });

  it('when an order has no steps, then nothing is drawn', () => {
    const { container } = render(<StepsBar steps={[]} />);
    expect(container.innerHTML).toBe('');
  });
});
