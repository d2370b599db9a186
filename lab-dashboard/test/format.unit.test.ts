import { describe, expect, it } from 'vitest';
import {
  formatClock,
  formatCount,
  formatMoney,
  formatMs,
  formatPercent,
  formatRate,
  formatTimer,
  targetChoiceLabel,
} from '../src/lib/format';

describe('formatting', () => {
  it('when a run names its targets, then one reads as its label, two as both stacks, three as all three', () => {
    expect(targetChoiceLabel('monolith')).toBe('Monolith');
    expect(targetChoiceLabel('monolith-fixed')).toBe('Monolith, fixed');
    expect(targetChoiceLabel('micro')).toBe('Microservices');
    expect(targetChoiceLabel('both')).toBe('both stacks');
    expect(targetChoiceLabel('all')).toBe('all three');
  });

  it('when a duration is under a second, then it reads in whole milliseconds', () => {
    expect(formatMs(0)).toBe('0 ms');
    expect(formatMs(4.6)).toBe('5 ms');
    expect(formatMs(999)).toBe('999 ms');
  });

  it('when a duration is a second or more, then it reads in seconds with two decimals, then minutes', () => {
    expect(formatMs(1000)).toBe('1.00 s');
    expect(formatMs(3210)).toBe('3.21 s');
    expect(formatMs(125_000)).toBe('2 min 5 s');
  });

  it('when a value is missing, then it reads as a dash rather than 0 or NaN', () => {
    for (const f of [formatMs, formatRate, formatCount, formatPercent]) {
      expect(f(null)).toBe('–');
      expect(f(undefined)).toBe('–');
      expect(f(Number.NaN)).toBe('–');
    }
    expect(formatMoney('')).toBe('–');
    expect(formatMoney('abc')).toBe('–');
    expect(formatClock('not a date')).toBe('–');
  });

  it('when the timer ticks, then it shows tenths of a second and never a negative time', () => {
    expect(formatTimer(0)).toBe('0.0 s');
    expect(formatTimer(2349)).toBe('2.3 s');
    expect(formatTimer(-5)).toBe('0.0 s');
  });

  it('when money arrives as the contract decimal string, then it reads with a dollar sign and two places', () => {
    expect(formatMoney('1299.99')).toBe('$1,299.99');
    expect(formatMoney('5')).toBe('$5.00');
    expect(formatMoney(12.5)).toBe('$12.50');
  });

  it('when rates are large, then they are whole numbers; small ones keep a decimal', () => {
    expect(formatRate(1234.56)).toBe('1235/s');
    expect(formatRate(3.14159)).toBe('3.1/s');
    expect(formatPercent(0.256)).toBe('26%');
    expect(formatPercent(0.256, 1)).toBe('25.6%');
  });
});
