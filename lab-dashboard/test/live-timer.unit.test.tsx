// @vitest-environment jsdom
import { act, cleanup, render, screen } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { useLiveTimer } from '../src/hooks/useLiveTimer';
import { formatTimer } from '../src/lib/format';

function Timer({ running }: { running: boolean }) {
  // The fake clock moves with vi.advanceTimersByTime, so the test controls time completely.
  const elapsed = useLiveTimer(running, 100, () => Date.now());
  return <span data-testid="timer">{formatTimer(elapsed)}</span>;
}

describe('the live checkout timer', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    cleanup();
    vi.useRealTimers();
  });

  it('when a checkout is waiting, then the timer ticks every 100 ms', () => {
    render(<Timer running={true} />);
    expect(screen.getByTestId('timer').textContent).toBe('0.0 s');
    act(() => vi.advanceTimersByTime(100));
    expect(screen.getByTestId('timer').textContent).toBe('0.1 s');
    act(() => vi.advanceTimersByTime(2300));
    expect(screen.getByTestId('timer').textContent).toBe('2.4 s');
  });

  it('when the answer arrives, then the timer freezes at the final value', () => {
    const { rerender } = render(<Timer running={true} />);
    act(() => vi.advanceTimersByTime(1500));
    rerender(<Timer running={false} />);
    const frozen = screen.getByTestId('timer').textContent;
    expect(frozen).toBe('1.5 s');
    act(() => vi.advanceTimersByTime(5000));
    expect(screen.getByTestId('timer').textContent).toBe(frozen);
  });

  it('when a new checkout starts, then the timer starts again from zero', () => {
    const { rerender } = render(<Timer running={true} />);
    act(() => vi.advanceTimersByTime(900));
    rerender(<Timer running={false} />);
    rerender(<Timer running={true} />);
    expect(screen.getByTestId('timer').textContent).toBe('0.0 s');
    act(() => vi.advanceTimersByTime(300));
    expect(screen.getByTestId('timer').textContent).toBe('0.3 s');
  });
});
