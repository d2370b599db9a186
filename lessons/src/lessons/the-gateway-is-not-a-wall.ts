import crypto from 'node:crypto';
import { DEFAULT_KNOBS } from '@checkout-lab/kit';
import type { LabHandle } from '../lab-handle';
import { type CheckResult, fail, type Lesson, pass } from '../lesson';
import { config, processUrl } from './shared';

// LESSON: The gateway is not a wall (LESSONS.md#the-gateway-is-not-a-wall)

const GONE = { email: 'gone@example.com', password: 'gone-buyer-passphrase', full_name: 'Gone' };
const PRODUCT = 1;

/** The bare headers a caller who bypasses the gateway would send, claiming to be the admin (user 1). */
const FORGED = { 'x-user-id': '1', 'x-user-email': 'admin@checkout.lab', 'x-user-admin': 'true' };

/** user-service's row of the gone buyer, if it is there. */
async function goneUser(lab: LabHandle): Promise<{ id: number } | undefined> {
  const [user] = await lab.query<{ id: number }>('users', 'SELECT id FROM users WHERE email = $1', [GONE.email]);
  return user;
}

/**
 * gone@example.com logs in, registering first when it is not there (it was deleted by an earlier run, or never
 * made); one left with another password is deleted and made again, as the lesson's own buyer. Its token.
 */
async function goneToken(lab: LabHandle): Promise<string> {
  if (await goneUser(lab)) {
    try {
      return await lab.login('microservices', GONE.email, GONE.password);
    } catch {
      await lab.query('users', 'DELETE FROM users WHERE email = $1', [GONE.email]);
    }
  }
  const registered = await lab.api('microservices', 'POST', '/api/auth/register', { token: null, body: GONE });
  if (registered.status !== 201) throw new Error(`registering ${GONE.email} answered ${registered.status}`);
  return lab.login('microservices', GONE.email, GONE.password);
}

/** The gone buyer's token, with product PRODUCT in its cart. */
async function goneWithCart(lab: LabHandle): Promise<string> {
  const token = await goneToken(lab);
  const cart = await lab.api<{ items?: unknown[] }>('microservices', 'GET', '/api/cart', { token });
  if ((cart.body.items ?? []).length > 0) return token;
  const added = await lab.api('microservices', 'POST', '/api/cart/items', {
    token,
    body: { product_id: PRODUCT, quantity: 1 },
  });
  if (added.status !== 201) throw new Error(`adding product ${PRODUCT} to the cart answered ${added.status}`);
  return token;
}

/**
 * The buyer was deleted after filling a cart, and the checkout never got past the gateway: cart-service still holds
 * the lines of a user id user-service no longer has, and order-service has no order of that id.
 */
async function deletedAndRefused(lab: LabHandle): Promise<CheckResult> {
  if (await goneUser(lab))
    return fail(
      `${GONE.email} is still in checkout_users: delete it with psql (DELETE FROM users WHERE email = ...), ` +
        'then check out with its old token.',
    );
  const carts = await lab.query<{ user_id: number; lines: number }>(
    'carts',
    'SELECT user_id, count(*)::int AS lines FROM cart_items GROUP BY user_id ORDER BY user_id DESC',
  );
  const known = new Set(
    (
      await lab.query<{ id: number }>('users', 'SELECT id FROM users WHERE id = ANY($1)', [
        carts.map((cart) => cart.user_id),
      ])
    ).map((user) => user.id),
  );
  const orphan = carts.find((cart) => !known.has(cart.user_id));
  if (!orphan)
    return fail(
      `No cart belongs to a deleted user: register ${GONE.email} through the gateway, log in, add product ` +
        `${PRODUCT} to its cart (step 1), then delete it.`,
    );
  const orders = await lab.query<{ id: number }>('orders', 'SELECT id FROM orders WHERE user_id = $1', [
    orphan.user_id,
  ]);
  if (orders.length > 0)
    return fail(
      `Deleted user ${orphan.user_id} has order(s) ${orders.map((order) => `#${order.id}`).join(', ')}: its ` +
        'checkout got through. Was it placed before the DELETE?',
    );
  return pass(
    `${GONE.email} is gone from checkout_users; its cart (user ${orphan.user_id}, ${orphan.lines} line(s)) is ` +
      'untouched and order-service has no order of it: the gateway asked user-service and refused the token (401).',
  );
}

/** What a call without the gateway's internal token gets, and what it changed. */
async function forgedCalls(lab: LabHandle): Promise<CheckResult> {
  const productService = await processUrl(lab, 'product-service');
  const paymentService = await processUrl(lab, 'payment-service');
  const name = `Mine ${crypto.randomBytes(3).toString('hex')}`;
  const product = await lab.request<{ id?: number }>(
    `${productService}/api/products`,
    'POST',
    { name, price: '1.00', category_id: 1, stock: 9 },
    FORGED,
  );
  const created = await lab.query<{ id: number; name: string }>(
    'products',
    "SELECT id, name FROM products WHERE name = $1 OR name = 'Mine'",
    [name],
  );
  if (product.status !== 401 || created.length > 0) {
    for (const row of created) await lab.api('microservices', 'DELETE', `/api/products/${row.id}`);
    return fail(
      `POST ${productService}/api/products with x-user-id: 1 and x-user-admin: true answered ${product.status} ` +
        `and products holds ${created.map((row) => `"${row.name}"`).join(', ') || 'nothing new'} (the check ` +
        'removed them): a service must believe only the internal token.',
    );
  }
  const knob = await lab.request(
    `${paymentService}/internal/lab/config`,
    'PUT',
    { payment_failure_rate: 1 },
    { 'x-user-admin': 'true' },
  );
  const rate = (await config(lab, 'microservices')).payment_failure_rate;
  if (knob.status !== 401 || rate !== DEFAULT_KNOBS.payment_failure_rate) {
    await lab.expect('microservices', 'PUT', '/api/lab/config', {
      payment_failure_rate: DEFAULT_KNOBS.payment_failure_rate,
    });
    return fail(
      `PUT ${paymentService}/internal/lab/config with x-user-admin: true answered ${knob.status} and ` +
        `payment_failure_rate reads ${rate} (the check put it back): /internal/* needs the internal token.`,
    );
  }
  const health = await lab.request(`${paymentService}/health`);
  if (health.status !== 200)
    return fail(`${paymentService}/health answered ${health.status}: an orchestrator must reach it without a token.`);
  const monolithToken = await lab.adminToken('monolith');
  const atGateway = await lab.api('microservices', 'GET', '/api/lab/config', { token: monolithToken });
  const gatewayToken = await lab.adminToken('microservices');
  const atMonolith = await lab.api('monolith', 'GET', '/api/lab/config', { token: gatewayToken });
  if (atGateway.status !== 401 || atMonolith.status !== 401)
    return fail(
      `The monolith's admin token at the gateway answered ${atGateway.status}, the gateway's at the monolith ` +
        `${atMonolith.status}: each stack must refuse the other's tokens (iss and aud), 401.`,
    );
  return pass(
    `On their own ports, product-service answered 401 to the forged admin (no product "${name}" or "Mine") and ` +
      `payment-service 401 to /internal/lab/config (payment_failure_rate still ${rate}), while its /health answers ` +
      "200. The monolith's admin token is 401 at the gateway and the gateway's 401 at the monolith.",
  );
}

export const theGatewayIsNotAWall: Lesson = {
  id: 'the-gateway-is-not-a-wall',
  title: 'The gateway is not a wall',
  anchor: 'the-gateway-is-not-a-wall',
  stacks: ['monolith', 'microservices'],
  goal:
    "See that a token stays honoured only while its user exists, that a service believes nothing but the gateway's " +
    'signed internal token, and that one stack refuses the tokens of the other.',
  steps: [
    {
      instructions:
        `Register the buyer ${GONE.email} through the gateway, log in as it and put product ${PRODUCT} ` +
        'in its cart.',
      uses: {
        view: 'Storefronts (the Microservices pane)',
        command: `curl -X POST $G/api/auth/register -d '{"email":"${GONE.email}",...}'; curl -X POST $G/api/cart/items`,
      },
      async check(lab) {
        const user = await goneUser(lab);
        if (!user)
          return fail(
            `checkout_users has no ${GONE.email}: register it through the gateway (POST /api/auth/register).`,
          );
        const [cart] = await lab.query<{ lines: number }>(
          'carts',
          'SELECT count(*)::int AS lines FROM cart_items WHERE user_id = $1',
          [user.id],
        );
        if (cart.lines === 0)
          return fail(`${GONE.email} is user ${user.id} but its cart is empty: log in and add product ${PRODUCT}.`);
        return pass(
          `${GONE.email} is user ${user.id} in checkout_users, with ${cart.lines} line(s) in checkout_carts.`,
        );
      },
      hints: [
        'Keep its token in a shell variable (BUYER_TOKEN): the next step uses it after the buyer is gone.',
        'If it exists from an earlier try, just log in with the same password.',
      ],
      async solve(lab) {
        await goneWithCart(lab);
      },
    },
    {
      instructions:
        `Delete ${GONE.email} in user-service's own database with psql, then check out with the token you kept: ` +
        'the signature is still valid, and the answer is 401; the cart stays as it was.',
      uses: {
        command:
          `psql -U postgres -d checkout_users -c "DELETE FROM users WHERE email = '${GONE.email}'"; ` +
          'curl -X POST $G/api/orders/checkout -H "authorization: Bearer $BUYER_TOKEN"',
      },
      check: deletedAndRefused,
      hints: [
        'The gateway reads the user behind every token from user-service (GET /internal/users/:id), with no cache.',
        'With a lab prefix the database is <prefix>_users.',
      ],
      async solve(lab) {
        const token = await goneWithCart(lab);
        await lab.query('users', 'DELETE FROM users WHERE email = $1', [GONE.email]);
        // A read first, which changes nothing: should the gateway learn of the DELETE a moment later (a user cache
        // told of changes), the checkout waits for that moment instead of placing the deleted buyer's order.
        await lab.until(
          'the gateway refusing the deleted buyer',
          async () => {
            const read = await lab.api('microservices', 'GET', '/api/cart', { token });
            return read.status === 401 ? true : undefined;
          },
          10_000,
        );
        const answer = await lab.api('microservices', 'POST', '/api/orders/checkout', { token });
        if (answer.status !== 401) throw new Error(`the deleted buyer's checkout answered ${answer.status}, not 401`);
      },
    },
    {
      instructions:
        'Call services on their own ports as if you were the gateway: POST /api/products on product-service with ' +
        'x-user-id: 1 and x-user-admin: true, PUT /internal/lab/config on payment-service, and its /health; then the ' +
        "monolith admin's token at $G/api/lab/config. The check makes the same calls and looks at what changed.",
      uses: {
        view: 'Internals → Processes (the URL of each service)',
        command:
          "curl -X POST <product-service URL>/api/products -H 'x-user-id: 1' -H 'x-user-admin: true' " +
          '-d \'{"name":"Mine","price":"1.00","category_id":1,"stock":9}\'',
      },
      async check(lab) {
        const refused = await deletedAndRefused(lab);
        if (!refused.pass) return refused;
        return forgedCalls(lab);
      },
      hints: [
        "GET /api/lab/processes on the dashboard lists each service's URL (8004 and 8002 on npm start's defaults).",
        'x-user-* headers are ignored: without a valid x-internal-token the call is anonymous, /internal/* is 401.',
        'A token names its issuer and audience (checkout-lab/monolith or checkout-lab/microservices).',
      ],
      async solve(lab) {
        // The student's own attempts: each answers 401 and changes nothing.
        const productService = await processUrl(lab, 'product-service');
        const paymentService = await processUrl(lab, 'payment-service');
        await lab.request(
          `${productService}/api/products`,
          'POST',
          { name: 'Mine', price: '1.00', category_id: 1, stock: 9 },
          FORGED,
        );
        await lab.request(`${paymentService}/internal/lab/config`, 'PUT', { payment_failure_rate: 1 }, FORGED);
        await lab.request(`${paymentService}/health`);
        await lab.api('microservices', 'GET', '/api/lab/config', { token: await lab.adminToken('monolith') });
      },
    },
  ],
};
