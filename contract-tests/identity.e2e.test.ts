import net from 'node:net';
import os from 'node:os';
import jwt from 'jsonwebtoken';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { SERVICE_NAMES } from '@checkout-lab/stacks';
import { startTestShop, startTestStack, type TestShop, type TestStack } from '@checkout-lab/stacks/testing';
import { ApiClient } from './src/client';
import { everyServiceExists } from './src/micro-stack';

// LESSON: The gateway is not a wall (LESSONS.md#the-gateway-is-not-a-wall). Both stacks, the same secret, real
// processes: a service's own port, a deleted or invented user, a self-promoted admin and the other stack's tokens.

/** A real token with some claims changed, re-signed with the right secret: what someone holding the secret forges. */
function reSigned(token: string, secret: string, changes: Record<string, unknown>): string {
  const claims = jwt.decode(token) as Record<string, unknown>;
  return jwt.sign({ ...claims, ...changes }, secret, { algorithm: 'HS256' });
}

/** The first IPv4 address of this machine that is not loopback (null on a machine without one). */
function outsideAddress(): string | null {
  for (const addresses of Object.values(os.networkInterfaces())) {
    for (const address of addresses ?? []) if (address.family === 'IPv4' && !address.internal) return address.address;
  }
  return null;
}

function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port, timeout: 3000 });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

async function settled(api: ApiClient, token: string, orderId: number): Promise<string> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const { body } = await api.get(`/api/orders/${orderId}`, { token });
    if (body.status === 'confirmed' || body.status === 'cancelled') return body.status;
    if (Date.now() > deadline) throw new Error(`order ${orderId} is still ${body.status} after 30 s`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe.skipIf(!everyServiceExists)('identity between services and between stacks', () => {
  let micro: TestStack;
  let shop: TestShop;
  let gateway: ApiClient;
  let monolith: ApiClient;
  let microAdmin: string;
  let secret: string;

  beforeAll(async () => {
    micro = await startTestStack({ label: 'identity' });
    secret = micro.jwtSecret;
    shop = await startTestShop({ jwtSecret: secret });
    gateway = new ApiClient(micro.gateway);
    monolith = new ApiClient(shop.monolith.url);
    microAdmin = await gateway.login(micro.admin.email, micro.admin.password);
  }, 180_000);

  afterAll(async () => {
    await shop?.stop();
    await micro?.stop();
  });

  const direct = (service: (typeof SERVICE_NAMES)[number]) =>
    new ApiClient(micro.stack.services[service].url, { checkContract: false });

  describe("the microservices' own ports", () => {
    test('when a service is called on its own port with x-user-* headers and no internal token, then it is anonymous', async () => {
      const victim = await gateway.buyer('victim');
      expect(
        (await gateway.post('/api/cart/items', { token: victim.token, body: { product_id: 1, quantity: 1 } })).status,
      ).toBe(201);
      const checkout = await gateway.post('/api/orders/checkout', { token: victim.token });
      expect(checkout.status).toBe(202);
      expect(await settled(gateway, victim.token, checkout.body.id)).toBe('confirmed');
      const claimed = { 'x-user-id': String(victim.id), 'x-user-email': victim.email, 'x-user-admin': 'true' };

      const orders = await direct('order-service').get('/api/orders', { headers: claimed });
      expect(orders.status).toBe(401);
      expect(JSON.stringify(orders.body)).not.toContain(`"id":${checkout.body.id}`);
      expect((await direct('order-service').get(`/api/orders/${checkout.body.id}`, { headers: claimed })).status).toBe(
        401,
      );
      expect((await direct('email-service').get('/api/notifications', { headers: claimed })).status).toBe(401);
      expect(
        (await direct('user-service').get('/api/auth/me', { headers: { ...claimed, 'x-user-id': '1' } })).status,
      ).toBe(401);
      expect((await direct('cart-service').get('/api/cart', { headers: claimed })).status).toBe(401);
    });

    test('when a product is created or the lab config changed on a service port without an internal token, then 401 and nothing changes', async () => {
      const admin = { 'x-user-id': '1', 'x-user-email': micro.admin.email, 'x-user-admin': 'true' };
      const before = await gateway.get('/api/products?limit=1');
      const created = await direct('product-service').post('/api/products', {
        headers: admin,
        body: { name: 'Walked around the gateway', price: '1.00', category_id: 1, stock: 5 },
      });
      expect(created.status).toBe(401);
      expect((await gateway.get('/api/products?limit=1')).body.total).toBe(before.body.total);

      const changed = await direct('payment-service').put('/internal/lab/config', {
        headers: admin,
        body: { payment_failure_rate: 1 },
      });
      expect(changed.status).toBe(401);
      expect((await gateway.get('/api/lab/config', { token: microAdmin })).body.payment_failure_rate).toBe(0);
    });

    test('when an /internal endpoint is called without a valid internal token, then 401', async () => {
      const forged = jwt.sign({ svc: 'order-service' }, 'not-the-internal-secret', { audience: 'internal' });
      const calls: [(typeof SERVICE_NAMES)[number], string, string][] = [
        ['order-service', 'GET', '/internal/lab/audit'],
        ['payment-service', 'GET', '/internal/lab/audit'],
        ['email-service', 'GET', '/internal/lab/config'],
        ['product-service', 'GET', '/internal/lab/audit'],
        ['cart-service', 'GET', '/internal/carts/1'],
        ['order-service', 'POST', '/internal/lab/reset'],
      ];
      for (const [service, method, path] of calls) {
        expect((await direct(service).call(method, path)).status, `${service} ${path}`).toBe(401);
        const withForged = await direct(service).call(method, path, { headers: { 'x-internal-token': forged } });
        expect(withForged.status, `${service} ${path} with a forged token`).toBe(401);
        expect(withForged.body.error.code).toBe('UNAUTHORIZED');
      }
    });

    test.skipIf(outsideAddress() === null)(
      'when the stack runs with the defaults, then every process listens on loopback only',
      async () => {
        const address = outsideAddress() as string;
        for (const name of SERVICE_NAMES) {
          const { port } = micro.stack.services[name];
          expect(await accepts('127.0.0.1', port), `${name} on 127.0.0.1`).toBe(true);
          expect(await accepts(address, port), `${name} on ${address}`).toBe(false);
        }
      },
    );
  });

  describe.each([
    ['monolith', () => monolith],
    ['microservices', () => gateway],
  ] as const)('the user behind a token, on the %s', (stack, api) => {
    test('when the user of a token is deleted, then checkout is 401 and writes no order', async () => {
      const buyer = await api().buyer('deleted');
      expect(
        (await api().post('/api/cart/items', { token: buyer.token, body: { product_id: 2, quantity: 1 } })).status,
      ).toBe(201);
      const adminToken = stack === 'monolith' ? shop.adminToken : microAdmin;
      const ordersBefore = (await api().get('/api/lab/orders', { token: adminToken })).body.length;
      if (stack === 'monolith') {
        await shop.sql.query('DELETE FROM users WHERE id = $1', [buyer.id]);
      } else {
        const users = new pg.Client({ connectionString: micro.stack.services['user-service'].databaseUrl as string });
        await users.connect();
        await users.query('DELETE FROM users WHERE id = $1', [buyer.id]);
        await users.end();
      }
      const checkout = await api().post('/api/orders/checkout', { token: buyer.token });
      expect(checkout.status).toBe(401);
      expect(checkout.body.error.code).toBe('UNAUTHORIZED');
      expect((await api().get('/api/lab/orders', { token: adminToken })).body.length).toBe(ordersBefore);
    });

    test('when a token names a user id that never existed, then adding to the cart is 401', async () => {
      const buyer = await api().buyer('real');
      const invented = reSigned(buyer.token, secret, { sub: '987654', email: 'nobody@example.test' });
      const added = await api().post('/api/cart/items', { token: invented, body: { product_id: 1, quantity: 1 } });
      expect(added.status).toBe(401);
      expect(added.body.error.code).toBe('UNAUTHORIZED');
    });

    test('when a buyer forges is_admin: true with the right secret, then admin routes are 403', async () => {
      const buyer = await api().buyer('climber');
      const promoted = reSigned(buyer.token, secret, { is_admin: true });
      expect((await api().get('/api/auth/me', { token: promoted })).body.is_admin).toBe(false);
      const product = await api().post('/api/products', {
        token: promoted,
        body: { name: 'Self-promoted', price: '1.00', category_id: 1, stock: 1 },
      });
      expect(product.status).toBe(403);
      expect((await api().put('/api/lab/config', { token: promoted, body: { payment_failure_rate: 1 } })).status).toBe(
        403,
      );
    });
  });

  describe('tokens of the other stack', () => {
    test('when a monolith token is sent to the gateway, then 401, though the same user id exists there', async () => {
      const monolithAdmin = shop.adminToken;
      const microMe = await gateway.get('/api/auth/me', { token: microAdmin });
      expect(String(microMe.body.id)).toBe((jwt.decode(monolithAdmin) as jwt.JwtPayload).sub);
      for (const path of ['/api/auth/me', '/api/cart', '/api/lab/config']) {
        expect((await gateway.get(path, { token: monolithAdmin })).status, path).toBe(401);
      }
    });

    test('when a microservices token is sent to the monolith, then 401, though the same user id exists there', async () => {
      const monolithMe = await monolith.get('/api/auth/me', { token: shop.adminToken });
      expect(String(monolithMe.body.id)).toBe((jwt.decode(microAdmin) as jwt.JwtPayload).sub);
      for (const path of ['/api/auth/me', '/api/cart', '/api/lab/config']) {
        expect((await monolith.get(path, { token: microAdmin })).status, path).toBe(401);
      }
    });
  });
});
