import { describe, expect, test } from 'vitest';
import { AppError, LoginLimiter } from '../src/index';

function refusal(run: () => unknown): AppError {
  try {
    run();
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('the failed-login limiter', () => {
  const limits = { perAccount: 3, perAddress: 5, windowS: 60 };

  test('when an account fails perAccount times, then the next try is 429 with Retry-After until its window ends', () => {
    let now = 1_000_000;
    const limiter = new LoginLimiter(limits, () => now);
    for (let i = 0; i < 3; i++) limiter.begin('a@x.test', '10.0.0.1');
    now += 20_000;
    const refused = refusal(() => limiter.begin('a@x.test', '10.0.0.2'));
    expect(refused).toMatchObject({ status: 429, code: 'RATE_LIMITED', headers: { 'Retry-After': '40' } });
    // Another account from the same address still may try.
    expect(() => limiter.begin('b@x.test', '10.0.0.1')).not.toThrow();
    now += 40_000;
    expect(() => limiter.begin('a@x.test', '10.0.0.2')).not.toThrow();
  });

  test('when an address fails perAddress times across accounts, then it is refused; IPv4-mapped is the same address', () => {
    const limiter = new LoginLimiter(limits, () => 0);
    for (let i = 0; i < 5; i++) limiter.begin(`user${i}@x.test`, '10.0.0.9');
    expect(refusal(() => limiter.begin('fresh@x.test', '::ffff:10.0.0.9')).status).toBe(429);
    expect(() => limiter.begin('fresh@x.test', '10.0.0.10')).not.toThrow();
  });

  test('when logins succeed, then they do not count, and a success clears the account', () => {
    const limiter = new LoginLimiter(limits, () => 0);
    for (let i = 0; i < 10; i++) limiter.begin('ok@x.test', '10.0.0.3').succeeded();
    limiter.begin('ok@x.test', '10.0.0.3');
    limiter.begin('ok@x.test', '10.0.0.3');
    limiter.begin('ok@x.test', '10.0.0.3').succeeded();
    for (let i = 0; i < 2; i++) limiter.begin('ok@x.test', '10.0.0.3');
    expect(() => limiter.begin('ok@x.test', '10.0.0.3')).not.toThrow();
    expect(refusal(() => limiter.begin('ok@x.test', '10.0.0.3')).status).toBe(429);
  });
});
