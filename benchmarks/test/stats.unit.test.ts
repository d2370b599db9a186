import { describe, expect, it } from 'vitest';
import { percentile, ratio, summarize } from '../src/stats';

describe('percentile', () => {
  it('when the values are 1..100, then p50 is 50, p90 is 90, p99 is 99 (nearest rank)', () => {
    const values = Array.from({ length: 100 }, (_, i) => 100 - i);
    expect(percentile(values, 50)).toBe(50);
    expect(percentile(values, 90)).toBe(90);
    expect(percentile(values, 99)).toBe(99);
    expect(percentile(values, 100)).toBe(100);
    expect(percentile(values, 0)).toBe(1);
  });

  it('when there are few values, then the percentile is one of them, never an interpolation', () => {
    expect(percentile([10, 20, 30], 50)).toBe(20);
    expect(percentile([10, 20, 30, 40], 50)).toBe(20);
    expect(percentile([10, 20, 30, 40], 99)).toBe(40);
    expect(percentile([7], 99)).toBe(7);
  });

  it('when the list is empty or not finite, then the percentile is null', () => {
    expect(percentile([], 50)).toBeNull();
    expect(percentile([Number.NaN, Number.POSITIVE_INFINITY], 50)).toBeNull();
  });

  it('when p is outside 0..100, then it throws', () => {
    expect(() => percentile([1], 101)).toThrow(RangeError);
    expect(() => percentile([1], -1)).toThrow(RangeError);
  });
});

describe('summarize', () => {
  it('when given values, then it reports count, min, percentiles, max and mean', () => {
    const s = summarize([5, 1, 3, 2, 4]);
    expect(s).toEqual({ count: 5, min: 1, p50: 3, p90: 5, p99: 5, max: 5, mean: 3 });
  });

  it('when one outlier dominates, then p50 stays with the crowd while the mean moves', () => {
    const s = summarize([...Array(99).fill(10), 10_000]);
    expect(s.p50).toBe(10);
    expect(s.p99).toBe(10);
    expect(s.max).toBe(10_000);
    expect(s.mean).toBeCloseTo(109.9, 5);
  });

  it('when empty, then every figure is null and the count is 0', () => {
    expect(summarize([])).toEqual({ count: 0, min: null, p50: null, p90: null, p99: null, max: null, mean: null });
  });
});

describe('ratio', () => {
  it('when the divisor is zero or missing, then the ratio is null', () => {
    expect(ratio(1, 0)).toBeNull();
    expect(ratio(null, 2)).toBeNull();
    expect(ratio(1, 4)).toBe(0.25);
  });
});
