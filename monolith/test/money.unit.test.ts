import { describe, expect, it } from 'vitest';
import { fromCents, toCents } from '../src/shared/money';

describe('money in cents', () => {
  it('when decimal strings go to cents and back, then nothing drifts', () => {
    expect(toCents('149.99')).toBe(14999);
    expect(toCents('45.5')).toBe(4550);
    expect(toCents('7')).toBe(700);
    expect(toCents('0.10')).toBe(10);
    expect(fromCents(14999 * 3 + 4550)).toBe('495.47');
    expect(fromCents(5)).toBe('0.05');
    expect(fromCents(0)).toBe('0.00');
    // The float way gets this wrong: 0.1 + 0.2 !== 0.3.
    expect(fromCents(toCents('0.1') + toCents('0.2'))).toBe('0.30');
  });
});
