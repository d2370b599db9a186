import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestShop, startTestShop } from '@checkout-lab/stacks/testing';

/** The reliability patterns are the gateway's (docs/api.md): the monolith has none to switch, and says so. */
describe('the reliability patterns on the monolith', () => {
  let shop: TestShop;
  beforeAll(async () => {
    shop = await startTestShop();
  });
  afterAll(async () => {
    await shop?.stop();
  });

  it('when the admin reads or switches the patterns, then 404 NOT_APPLICABLE', async () => {
    const read = await shop.api('GET', '/api/lab/patterns', { token: shop.adminToken });
    expect(read.status).toBe(404);
    expect(read.body.error.code).toBe('NOT_APPLICABLE');
    const put = await shop.api('PUT', '/api/lab/patterns', { token: shop.adminToken, body: { outbox: false } });
    expect(put.status).toBe(404);
    expect(put.body.error.code).toBe('NOT_APPLICABLE');
  });

  it('when someone other than the admin asks, then 401 without a token and 403 for a buyer', async () => {
    const buyer = await shop.buyer();
    expect((await shop.api('GET', '/api/lab/patterns')).status).toBe(401);
    expect((await shop.api('GET', '/api/lab/patterns', { token: buyer.token })).status).toBe(403);
  });
});
