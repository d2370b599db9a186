// LESSON: Black Friday (LESSONS.md#black-friday)
/**
 * Many buyers, one product, at the same moment: prints each buyer's answer and wait, in the
 * order they finished, so the staircase shows up in the terminal.
 *
 *   npx tsx monolith/scripts/black-friday.ts [--url http://localhost:8000] [--buyers 20] [--product 1] [--reset]
 *
 * --reset first calls POST /api/lab/reset with the admin account (LAB_ADMIN_EMAIL / LAB_ADMIN_PASSWORD or the
 * defaults), which clears every order. Works against either stack (the microservices answer 202 and finish later).
 */
import { parseArgs } from 'node:util';
import { DEFAULT_ADMIN } from '@checkout-lab/kit';

const { values } = parseArgs({
  args: process.argv.slice(2),
  options: {
    url: { type: 'string', default: 'http://localhost:8000' },
    buyers: { type: 'string', default: '20' },
    product: { type: 'string', default: '1' },
    reset: { type: 'boolean', default: false },
  },
});
const base = values.url.replace(/\/$/, '');
const buyers = Number(values.buyers);
const productId = Number(values.product);

async function call(method: string, path: string, token?: string, body?: unknown) {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body ? { 'content-type': 'application/json' } : {}),
    },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}

async function login(email: string, password: string): Promise<string> {
  const response = await call('POST', '/api/auth/login', undefined, { email, password });
  if (response.status !== 200) throw new Error(`login of ${email} failed: ${JSON.stringify(response.body)}`);
  return response.body.access_token;
}

async function main() {
  if (values.reset) {
    const admin = await login(
      process.env.LAB_ADMIN_EMAIL ?? DEFAULT_ADMIN.email,
      process.env.LAB_ADMIN_PASSWORD ?? DEFAULT_ADMIN.password,
    );
    console.log('reset:', (await call('POST', '/api/lab/reset', admin)).status);
  }
  const product = await call('GET', `/api/products/${productId}`);
  console.log(`"${product.body.name}": ${product.body.stock} in stock, ${buyers} buyers`);
  const run = Date.now();
  const tokens: string[] = [];
  for (let i = 0; i < buyers; i += 1) {
    const email = `rush.${run}.${i}@example.test`;
    await call('POST', '/api/auth/register', undefined, { email, password: 'black-friday', full_name: `Buyer ${i}` });
    const token = await login(email, 'black-friday');
    const added = await call('POST', '/api/cart/items', token, { product_id: productId, quantity: 1 });
    if (added.status !== 201) throw new Error(`add to cart failed: ${JSON.stringify(added.body)}`);
    tokens.push(token);
  }
  console.log('all carts filled; everyone presses "Buy" now\n');
  const start = performance.now();
  await Promise.all(
    tokens.map(async (token, i) => {
      const response = await call('POST', '/api/orders/checkout', token);
      const waited = Math.round(performance.now() - start);
      const outcome = response.body?.error?.code ?? `${response.body.status} #${response.body.id}`;
      console.log(
        `buyer ${String(i).padStart(3)}  ${String(response.status)}  ${outcome.padEnd(22)} waited ${waited} ms`,
      );
    }),
  );
  const after = await call('GET', `/api/products/${productId}`);
  console.log(`\nstock left: ${after.body.stock}`);
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
