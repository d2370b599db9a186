import { createTestDatabase, type TestDatabase, uniqueName } from '@checkout-lab/kit/testing';
import { listCharges, PaymentUnavailable, type PaymentProvider, refundCharge, requestCharge } from '@checkout-lab/kit';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningProvider, startPaymentProvider } from '../src/server';

describe('the payment provider', () => {
  let database: TestDatabase;
  let provider: RunningProvider;
  let sql: pg.Pool;
  const shop = (): PaymentProvider => ({ url: provider.url, merchant: uniqueName('shop'), timeoutMs: 3000 });
  const ledgerRows = async (merchant: string) =>
    (await sql.query('SELECT count(*)::int AS n FROM charges WHERE merchant = $1', [merchant])).rows[0].n as number;
  const post = (body: unknown, headers: Record<string, string> = { 'idempotency-key': uniqueName('key') }) =>
    fetch(`${provider.url}/v1/charges`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });

  beforeAll(async () => {
    database = await createTestDatabase('provider_test');
    provider = await startPaymentProvider({ databaseUrl: database.url, logLevel: 'silent' });
    sql = new pg.Pool({ connectionString: database.url, max: 2 });
  });
  afterAll(async () => {
    await sql?.end();
    await provider?.stop();
    await database?.drop();
  });

  it('when a charge is asked, then it is decided after the delay and kept in the ledger', async () => {
    const merchant = shop();
    const started = Date.now();
    const charge = await requestCharge(merchant, {
      idempotencyKey: 'order-1',
      orderRef: '1',
      amount: '12.50',
      simulate: { delay_ms: 200, failure_rate: 0 },
    });
    expect(Date.now() - started).toBeGreaterThanOrEqual(200);
    expect(charge).toMatchObject({ merchant: merchant.merchant, order_ref: '1', amount: '12.50', status: 'succeeded' });
    expect(await listCharges(merchant)).toEqual([charge]);
  });

  it('when the failure rate is 1, then the charge is declined and holds no money', async () => {
    const merchant = shop();
    const charge = await requestCharge(merchant, {
      idempotencyKey: 'order-2',
      orderRef: '2',
      amount: '5.00',
      simulate: { delay_ms: 0, failure_rate: 1 },
    });
    expect(charge.status).toBe('declined');
    expect(await listCharges(merchant)).toEqual([]);
    expect(await listCharges(merchant, { status: 'declined' })).toHaveLength(1);
  });

  it('when the same Idempotency-Key comes again, even at once, then one charge answers both', async () => {
    const merchant = shop();
    const ask = () =>
      requestCharge(merchant, {
        idempotencyKey: 'order-3',
        orderRef: '3',
        amount: '7.00',
        simulate: { delay_ms: 300, failure_rate: 0 },
      });
    // The second arrives while the first is being decided: it is told to come back, and charges nothing.
    const answers = await Promise.allSettled([ask(), ask()]);
    const decided = answers.flatMap((answer) => (answer.status === 'fulfilled' ? [answer.value] : []));
    const refused = answers.flatMap((answer) =>
      answer.status === 'rejected' ? [answer.reason as PaymentUnavailable] : [],
    );
    expect(decided).toHaveLength(1);
    expect(refused.map((error) => error.reason)).toEqual(['in_progress']);
    const replay = await fetch(`${provider.url}/v1/charges`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': 'order-3' },
      body: JSON.stringify({ merchant: merchant.merchant, order_ref: '3', amount: '7.00' }),
    });
    expect(replay.status).toBe(200);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect((await replay.json()).id).toBe(decided[0].id);
    expect(await ledgerRows(merchant.merchant)).toBe(1);
  });

  it('when a key is reused for another amount, then 409 IDEMPOTENCY_KEY_REUSED and nothing more is charged', async () => {
    const merchant = shop();
    await requestCharge(merchant, {
      idempotencyKey: 'k',
      orderRef: '4',
      amount: '1.00',
      simulate: { delay_ms: 0, failure_rate: 0 },
    });
    const reused = await post(
      { merchant: merchant.merchant, order_ref: '4', amount: '2.00' },
      { 'idempotency-key': 'k' },
    );
    expect(reused.status).toBe(409);
    expect((await reused.json()).error.code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(await ledgerRows(merchant.merchant)).toBe(1);
  });

  it('when a charge request cannot be parsed, then a 4xx JSON error and nothing is charged', async () => {
    const merchant = uniqueName('shop');
    const cases: [unknown, Record<string, string> | undefined, number, string][] = [
      ['{"merchant":', undefined, 400, 'MALFORMED_JSON'],
      [{ merchant, order_ref: '1', amount: '-1.00' }, undefined, 422, 'VALIDATION_ERROR'],
      [{ merchant, order_ref: '1', amount: '1.5' }, undefined, 422, 'VALIDATION_ERROR'],
      [{ merchant, order_ref: '1', amount: '0.00' }, undefined, 422, 'VALIDATION_ERROR'],
      [{ merchant, order_ref: '1', amount: '1.00', extra: true }, undefined, 422, 'VALIDATION_ERROR'],
      [{ merchant, order_ref: '1', amount: '1.00', simulate: { delay_ms: -5 } }, undefined, 422, 'VALIDATION_ERROR'],
      [{ merchant: 'Not A Merchant', order_ref: '1', amount: '1.00' }, undefined, 422, 'VALIDATION_ERROR'],
      [{ merchant, order_ref: 'a\u0000b', amount: '1.00' }, undefined, 422, 'VALIDATION_ERROR'],
      [{ merchant, order_ref: '1', amount: '1.00' }, {}, 400, 'IDEMPOTENCY_KEY_REQUIRED'],
      [{ merchant, order_ref: '1', amount: '1.00' }, { 'idempotency-key': 'has space' }, 422, 'VALIDATION_ERROR'],
    ];
    for (const [body, headers, status, code] of cases) {
      const answer = await post(body, headers);
      expect({ body, status: answer.status }).toEqual({ body, status });
      const json = await answer.json();
      expect(json.error).toMatchObject({ code });
      expect(JSON.stringify(json)).not.toMatch(/at .*\.ts:\d+/);
    }
    expect(await ledgerRows(merchant)).toBe(0);
  });

  it('when the charge hangs, then the money is taken, the shop times out, and a retry with the key finds the charge', async () => {
    const merchant = { ...shop(), timeoutMs: 500 };
    const charge = { idempotencyKey: 'order-5', orderRef: '5', amount: '9.99' };
    const hung = await requestCharge(merchant, {
      ...charge,
      simulate: { delay_ms: 0, failure_rate: 0, hang: true },
    }).catch((error: unknown) => error);
    expect(hung).toBeInstanceOf(PaymentUnavailable);
    expect((hung as PaymentUnavailable).reason).toBe('timeout');
    const retried = await requestCharge(merchant, { ...charge, simulate: { delay_ms: 0, failure_rate: 0 } });
    expect(retried.status).toBe('succeeded');
    expect(await listCharges(merchant)).toEqual([retried]);
  });

  it('when a succeeded charge is refunded, then it holds no money; again is the same refund; a declined one is refused', async () => {
    const merchant = shop();
    const paid = await requestCharge(merchant, {
      idempotencyKey: 'order-6',
      orderRef: '6',
      amount: '3.00',
      simulate: { delay_ms: 0, failure_rate: 0 },
    });
    expect((await refundCharge(merchant, paid.id)).status).toBe('refunded');
    expect((await refundCharge(merchant, paid.id)).status).toBe('refunded');
    expect(await listCharges(merchant)).toEqual([]);
    const declined = await requestCharge(merchant, {
      idempotencyKey: 'order-7',
      orderRef: '7',
      amount: '3.00',
      simulate: { delay_ms: 0, failure_rate: 1 },
    });
    await expect(refundCharge(merchant, declined.id)).rejects.toThrow(/409 NOT_REFUNDABLE/);
    await expect(refundCharge(shop(), paid.id)).rejects.toThrow(/404 NOT_FOUND/);
    await expect(refundCharge(merchant, 'not-a-charge')).rejects.toThrow(/422 VALIDATION_ERROR/);
  });
});
