import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, internalHeaders, login, newBuyer, startTestStack, type TestStack } from '@checkout-lab/stacks/testing';

const ALL_ON = { outbox: true, idempotent_consumers: true, dead_letters: true, compensation: true };

/**
 * The reliability patterns as switches (docs/api.md): the gateway keeps none; it sends each switch to the services
 * that run the pattern and reads it back from them. Off runs the naive variant written beside the real one.
 */
describe('the reliability patterns of the microservices', () => {
  let test: TestStack;
  let admin: string;
  beforeAll(async () => {
    test = await startTestStack({ label: 'patterns' });
    admin = await login(test.gateway, test.admin.email, test.admin.password);
  });
  afterAll(async () => {
    await test?.stop();
  });
  const patterns = (body?: unknown) =>
    call(test.gateway, body === undefined ? 'GET' : 'PUT', '/api/lab/patterns', { token: admin, body });
  /** What one service itself holds, asked as the gateway would. */
  const heldBy = async (service: 'order-service' | 'cart-service') =>
    (
      await call(test.stack.services[service].url, 'GET', '/internal/lab/patterns', {
        headers: internalHeaders(null, { secret: test.internalSecret }),
      })
    ).body;

  describe('the API', () => {
    it('when the admin reads the patterns, then all four are on', async () => {
      const answer = await patterns();
      expect(answer.status).toBe(200);
      expect(answer.body).toEqual(ALL_ON);
    });

    it('when the admin switches a subset, then those change, in the services that run them, and are read back', async () => {
      const answer = await patterns({ compensation: false, dead_letters: false });
      expect(answer.status).toBe(200);
      expect(answer.body).toEqual({ ...ALL_ON, compensation: false, dead_letters: false });
      expect(await heldBy('order-service')).toMatchObject({ compensation: false, dead_letters: false });
      // cart-service runs no saga: only the switch it uses reached it.
      expect(await heldBy('cart-service')).toMatchObject({ compensation: true, dead_letters: false });
      expect((await patterns()).body).toEqual({ ...ALL_ON, compensation: false, dead_letters: false });
      expect((await patterns({ compensation: true, dead_letters: true })).body).toEqual(ALL_ON);
    });

    it('when the body names an unknown pattern or a bad value, then 422 VALIDATION_ERROR and nothing changes', async () => {
      for (const body of [{ outbox: 'off' }, { sagas: false }, { outbox: false, retries: 3 }, [false]]) {
        const answer = await patterns(body);
        expect(answer.status, JSON.stringify(body)).toBe(422);
        expect(answer.body.error.code).toBe('VALIDATION_ERROR');
      }
      expect((await patterns()).body).toEqual(ALL_ON);
    });

    it('when someone other than the admin asks, then 401 without a token and 403 for a buyer', async () => {
      const buyer = await newBuyer(test.gateway);
      expect((await call(test.gateway, 'GET', '/api/lab/patterns')).status).toBe(401);
      expect((await call(test.gateway, 'GET', '/api/lab/patterns', { token: buyer.token })).status).toBe(403);
      const put = await call(test.gateway, 'PUT', '/api/lab/patterns', { token: buyer.token, body: { outbox: false } });
      expect(put.status).toBe(403);
      expect((await patterns()).body).toEqual(ALL_ON);
    });

    it('when a service restarts, then its switches are back on, and the pattern reads off until it is on everywhere', async () => {
      expect((await patterns({ idempotent_consumers: false })).body.idempotent_consumers).toBe(false);
      await test.stack.restart('cart-service');
      // cart-service is back on, the others still off: the pattern is not in force everywhere, so it reads false.
      expect(await heldBy('cart-service')).toMatchObject({ idempotent_consumers: true });
      expect((await patterns()).body.idempotent_consumers).toBe(false);
      expect((await patterns({ idempotent_consumers: true })).body).toEqual(ALL_ON);
    });
  });
});
