import { faultCatalog } from '@checkout-lab/contract';
import { FAULTS_NOT_BUILT } from '@checkout-lab/kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestShop, startTestShop } from '@checkout-lab/stacks/testing';

/** The fault lab's endpoints on the monolith (docs/api.md, "Faults"): the catalog, the checks, the reset. */
/** A fault of the monolith whose effect is not built yet, with a value other than its default; none once all are. */
const notBuilt = faultCatalog('monolith').find((fault) => FAULTS_NOT_BUILT.includes(fault.name));
const notBuiltValue = notBuilt && (notBuilt.type === 'boolean' ? true : notBuilt.type === 'number' ? 1 : 'x');

describe('the fault lab of the monolith', () => {
  let shop: TestShop;
  const faults = () => shop.api('GET', '/api/lab/faults', { token: shop.adminToken });
  const put = (body: unknown) => shop.api('PUT', '/api/lab/faults', { token: shop.adminToken, body });
  beforeAll(async () => {
    shop = await startTestShop();
  });
  afterAll(async () => {
    await shop?.stop();
  });

  it('when the admin reads the faults, then every fault of the monolith is off and its catalog has the monolith crash points', async () => {
    const answer = await faults();
    expect(answer.status).toBe(200);
    expect(answer.body.faults).toEqual({
      payment_hang: false,
      smtp_down: false,
      email_failure_rate: 0,
      stock_db_delay_ms: 0,
      crash: 'none',
    });
    const catalog = answer.body.catalog as { name: string; applies_to: string[]; values?: string[] }[];
    expect(catalog.map((fault) => fault.name)).toEqual(Object.keys(answer.body.faults));
    for (const fault of catalog) expect(fault.applies_to).toContain('monolith');
    expect(catalog.find((fault) => fault.name === 'crash')?.values).toEqual(['none', 'mid_checkout']);
    expect(catalog.find((fault) => fault.name === 'smtp_down')).toMatchObject({
      type: 'boolean',
      default: false,
      step: '9_send_email',
    });
  });

  it('when someone other than the admin asks, then 401 without a token and 403 for a buyer', async () => {
    const buyer = await shop.buyer();
    expect((await shop.api('GET', '/api/lab/faults')).status).toBe(401);
    expect((await shop.api('GET', '/api/lab/faults', { token: buyer.token })).status).toBe(403);
    expect(
      (await shop.api('PUT', '/api/lab/faults', { token: buyer.token, body: { payment_hang: true } })).status,
    ).toBe(403);
    expect((await shop.api('POST', '/api/lab/faults/reset', { token: buyer.token })).status).toBe(403);
  });

  it('when a PUT names an unknown fault, a bad value or a fault of the microservices, then 422 and nothing changes', async () => {
    const before = (await faults()).body.faults;
    for (const body of [{ no_such_fault: true }, { payment_hang: 'yes' }, { email_failure_rate: 2 }, { crash: 'boom' }])
      expect((await put({ payment_hang: true, ...body })).body.error.code, JSON.stringify(body)).toBe(
        'VALIDATION_ERROR',
      );
    for (const body of [{ broker_down: true }, { hop_delay_ms: 10 }, { crash: 'after_effect_before_ack' }]) {
      const answer = await put({ payment_hang: true, ...body });
      expect(answer.status).toBe(422);
      expect(answer.body.error.code, JSON.stringify(body)).toBe('FAULT_NOT_APPLICABLE');
    }
    expect((await faults()).body.faults).toEqual(before);
  });

  it.skipIf(!notBuilt)(
    'when a PUT switches on a fault whose effect is not built yet, then 422 and nothing changes',
    async () => {
      const before = (await faults()).body.faults;
      const name = notBuilt?.name as string;
      const answer = await put({ payment_hang: true, [name]: notBuiltValue });
      expect(answer.status).toBe(422);
      expect(answer.body.error).toMatchObject({
        code: 'FAULT_NOT_IMPLEMENTED',
        message: expect.stringContaining(name),
      });
      expect((await faults()).body.faults).toEqual(before);
    },
  );

  it('when a PUT sets a fault, then GET shows it in force; when reset, then every fault is off again', async () => {
    const changed = await put({ payment_hang: true, crash: 'none' });
    expect(changed.status).toBe(200);
    expect(changed.body.faults).toMatchObject({ payment_hang: true, crash: 'none' });
    expect((await faults()).body.faults.payment_hang).toBe(true);
    const reset = await shop.api('POST', '/api/lab/faults/reset', { token: shop.adminToken });
    expect(reset.status).toBe(200);
    expect(reset.body.faults).toMatchObject({ payment_hang: false, smtp_down: false, stock_db_delay_ms: 0 });
    expect((await faults()).body).toEqual(reset.body);
  });

  it('when /openapi.json is read, then it documents the three fault operations', async () => {
    const paths = (await shop.api('GET', '/openapi.json')).body.paths;
    expect(Object.keys(paths['/api/lab/faults'])).toEqual(expect.arrayContaining(['get', 'put']));
    expect(paths['/api/lab/faults/reset']).toHaveProperty('post');
  });
});
