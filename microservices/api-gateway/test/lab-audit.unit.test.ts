import { describe, expect, test } from 'vitest';
import type { DeadLettersRepository } from '../src/data-access/dead-letters.repository';
import type { ServiceClient, ServiceName } from '../src/data-access/service.client';
import { labUseCases } from '../src/domain/lab.use-case';
import { isPublic } from '../src/entry-points/http/identity.middleware';

/** Canned answers of the services' /internal/lab endpoints: only the gateway's joining logic is under test here. */
function servicesAnswering(answers: Partial<Record<ServiceName, unknown>>, calls: string[] = []): ServiceClient {
  return {
    call: async (service: ServiceName, method: string, path: string) => {
      calls.push(`${service} ${method} ${path}`);
      return answers[service];
    },
  } as unknown as ServiceClient;
}

/** These tests never touch the broker. */
const noDeadLetters: DeadLettersRepository = {
  list: async () => [],
  redrive: async () => 0,
};

describe('the audit join', () => {
  test('when payments are declined or emails duplicated, then only succeeded payments count and every email counts', async () => {
    const lab = labUseCases(
      servicesAnswering({
        'order-service': {
          orders: [
            { id: 1, status: 'confirmed', failure_reason: null },
            { id: 2, status: 'cancelled', failure_reason: 'payment_declined' },
            { id: 3, status: 'cancelled', failure_reason: 'out_of_stock' },
          ],
        },
        'payment-service': {
          payments: [
            { order_id: 1, status: 'succeeded', count: 1 },
            { order_id: 2, status: 'declined', count: 1 },
          ],
          // The provider's ledger of this stack: order 1's charge, and one for an order the shop does not have.
          provider_charges: [
            {
              id: 'ch_0000000000000001',
              merchant: 'm',
              order_ref: '1',
              amount: '10.00',
              status: 'succeeded',
              created_at: '2026-12-01T10:00:00.000Z',
            },
            {
              id: 'ch_0000000000000002',
              merchant: 'm',
              order_ref: '99',
              amount: '5.00',
              status: 'succeeded',
              created_at: '2026-12-01T10:00:01.000Z',
            },
          ],
        },
        'email-service': { emails: [{ order_id: 1, count: 2 }] },
        'product-service': { products: [{ id: 1, name: 'Console', stock: 9 }] },
      }),
      noDeadLetters,
    );
    expect(await lab.audit('', 'req-1')).toEqual({
      orders: [
        { id: 1, status: 'confirmed', failure_reason: null, payments: 1, emails: 2, provider_charges: 1 },
        { id: 2, status: 'cancelled', failure_reason: 'payment_declined', payments: 0, emails: 0, provider_charges: 0 },
        { id: 3, status: 'cancelled', failure_reason: 'out_of_stock', payments: 0, emails: 0, provider_charges: 0 },
      ],
      products: [{ id: 1, name: 'Console', stock: 9 }],
      orphan_charges: [{ provider_charge_id: 'ch_0000000000000002', order_ref: '99', amount: '5.00' }],
    });
  });

  test('when only the email delay changes, then payment-service is not asked to change anything', async () => {
    const calls: string[] = [];
    const lab = labUseCases(
      servicesAnswering(
        {
          'payment-service': { payment_delay_ms: 1000, payment_failure_rate: 0 },
          'email-service': { email_delay_ms: 5 },
        },
        calls,
      ),
      noDeadLetters,
    );
    expect(await lab.updateConfig({ email_delay_ms: 5 }, 'req-2')).toEqual({
      payment_delay_ms: 1000,
      email_delay_ms: 5,
      payment_failure_rate: 0,
    });
    expect(calls.filter((call) => call.includes('PUT'))).toEqual(['email-service PUT /internal/lab/config']);
  });
});

describe('public routes', () => {
  test.each([
    ['POST', '/api/auth/login', true],
    ['POST', '/api/auth/register', true],
    ['GET', '/api/products', true],
    ['GET', '/api/products/3/reviews', true],
    ['GET', '/api/categories', true],
    ['POST', '/api/products/3/reviews', false],
    ['POST', '/api/categories', false],
    ['GET', '/api/auth/me', false],
    ['GET', '/api/productsecret', false],
    ['GET', '/api/cart', false],
    ['GET', '/api/lab/audit', false],
  ])('when %s %s, then public is %s', (method, path, expected) => {
    expect(isPublic(method, path)).toBe(expected);
  });
});
