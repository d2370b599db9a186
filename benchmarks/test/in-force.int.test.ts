import { DEFAULT_ADMIN } from '@checkout-lab/kit';
import { startTestShop, type TestShop } from '@checkout-lab/stacks/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeInForce, readInForce } from '../src/in-force';
import { DEFAULT_BENCH_OPTIONS } from '../src/options';

/** A report says what was broken when it ran: the faults not at their default, the patterns off. */
describe('what a run finds switched on a stack', () => {
  let shop: TestShop;
  beforeAll(async () => {
    shop = await startTestShop();
  });
  afterAll(async () => {
    await shop?.stop();
  });
  const options = () => ({ ...DEFAULT_BENCH_OPTIONS, monolithUrl: shop.monolith.url, admin: { ...DEFAULT_ADMIN } });

  it('when a fault is on at the start of a run, then the run records it; when none is, then none', async () => {
    expect(await readInForce(options(), 'monolith')).toEqual({ faults: {}, patterns_off: [] });
    expect(describeInForce({ faults: {}, patterns_off: [] })).toBe('none');
    await shop.api('PUT', '/api/lab/faults', {
      token: shop.adminToken,
      body: { smtp_down: true, stock_db_delay_ms: 50 },
    });
    try {
      const inForce = await readInForce(options(), 'monolith');
      expect(inForce).toEqual({ faults: { smtp_down: true, stock_db_delay_ms: 50 }, patterns_off: [] });
      expect(describeInForce(inForce)).toBe('smtp_down=true; stock_db_delay_ms=50');
    } finally {
      await shop.api('POST', '/api/lab/faults/reset', { token: shop.adminToken });
    }
    expect(describeInForce({ faults: {}, patterns_off: ['outbox'] })).toBe('patterns off: outbox');
    // A stack that does not answer (here: nothing listens) records nothing, and the run goes on.
    expect(await readInForce({ ...options(), monolithUrl: 'http://127.0.0.1:1' }, 'monolith')).toBeUndefined();
  });
});
