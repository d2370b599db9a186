import { SEED_PRODUCTS } from '@checkout-lab/kit';
import type { LabHandle, Order } from '../lab-handle';
import { type CheckResult, fail, type Lesson, pass } from '../lesson';
import { checkOutAndWait, describeOrder, hasProduct, newestOrders } from './shared';

// LESSON: Database per service (LESSONS.md#database-per-service)

const PRODUCT = 2;
const SEED_PRICE = SEED_PRODUCTS[PRODUCT - 1].price;
/** What the admin changes the price to (and back from) in step 3. */
const NEW_PRICE = '199.99';

/** Every service's own database, by the key lab.query knows it by, and who owns it. */
const OWNERS = {
  users: 'user-service',
  products: 'product-service',
  carts: 'cart-service',
  orders: 'order-service',
  payments: 'payment-service',
  emails: 'email-service',
} as const;
type ServiceDatabase = keyof typeof OWNERS;

/** Tables every service has of its own: the messaging adapter's and the migrations' bookkeeping. */
const EVERY_SERVICE_HAS = new Set(['outbox', 'processed_events', 'schema_migrations']);

/** The newest microservices order of the lesson's product, confirmed; else what was seen. */
async function confirmedOrder(lab: LabHandle): Promise<Order | CheckResult> {
  const [order] = await newestOrders(lab, 'microservices', 1, hasProduct(PRODUCT));
  if (!order)
    return fail(`The microservices have no order of product ${PRODUCT}: check out one of it through the gateway.`);
  if (order.status !== 'confirmed')
    return fail(`The newest order of product ${PRODUCT} is ${describeOrder(order)}: poll it until it is confirmed.`);
  return order;
}

const count = async (lab: LabHandle, database: ServiceDatabase, sql: string, params: unknown[]) =>
  (await lab.query<{ count: number }>(database, sql, params))[0].count;

/** The order's rows in the databases of the services it went through, each found by the order id alone. */
async function rowsEverywhere(lab: LabHandle): Promise<CheckResult> {
  const order = await confirmedOrder(lab);
  if ('pass' in order) return order;
  const found = {
    'order-service (orders, order_items)': await count(
      lab,
      'orders',
      'SELECT count(*)::int AS count FROM order_items WHERE order_id = $1',
      [order.id],
    ),
    'product-service (reservations)': await count(
      lab,
      'products',
      'SELECT count(*)::int AS count FROM reservations WHERE order_id = $1',
      [order.id],
    ),
    'payment-service (payments)': await count(
      lab,
      'payments',
      'SELECT count(*)::int AS count FROM payments WHERE order_id = $1',
      [order.id],
    ),
    'email-service (notifications)': await count(
      lab,
      'emails',
      'SELECT count(*)::int AS count FROM notifications WHERE order_id = $1',
      [order.id],
    ),
  };
  const missing = Object.entries(found).filter(([, rows]) => rows === 0);
  if (missing.length > 0)
    return fail(
      `Order #${order.id} is confirmed but has no rows in ${missing.map(([where]) => where).join(', ')}: ` +
        'each service should have written its part in its own database.',
    );
  return pass(
    `Order #${order.id} is in four databases, each its owner's: ${Object.entries(found)
      .map(([where, rows]) => `${where}: ${rows} row(s)`)
      .join('; ')}. No foreign key joins them: only the order id.`,
  );
}

/** The tables of each service's database, but those every service has. */
async function ownTables(lab: LabHandle): Promise<Record<ServiceDatabase, string[]>> {
  const tables = {} as Record<ServiceDatabase, string[]>;
  for (const database of Object.keys(OWNERS) as ServiceDatabase[]) {
    const rows = await lab.query<{ table_name: string }>(
      database,
      "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name",
    );
    tables[database] = rows.map((row) => row.table_name).filter((name) => !EVERY_SERVICE_HAS.has(name));
  }
  return tables;
}

/** The price really changed after the order was sold (products.updated_at is later than the order). */
async function changedAfterSale(lab: LabHandle, order: Order): Promise<boolean> {
  const [product] = await lab.query<{ updated_at: Date }>('products', 'SELECT updated_at FROM products WHERE id = $1', [
    PRODUCT,
  ]);
  return product !== undefined && product.updated_at.getTime() > Date.parse(order.created_at);
}

async function soldAt(lab: LabHandle, order: Order): Promise<string> {
  const [line] = await lab.query<{ unit_price: string }>(
    'orders',
    'SELECT unit_price::text AS unit_price FROM order_items WHERE order_id = $1 AND product_id = $2',
    [order.id, PRODUCT],
  );
  return line.unit_price;
}

async function priceNow(lab: LabHandle): Promise<string> {
  const answer = await lab.api<{ price: string }>('microservices', 'GET', `/api/products/${PRODUCT}`, { token: null });
  if (answer.status !== 200) throw new Error(`GET /api/products/${PRODUCT} on the gateway answered ${answer.status}`);
  return answer.body.price;
}

export const databasePerService: Lesson = {
  id: 'database-per-service',
  title: 'Database per service',
  anchor: 'database-per-service',
  stacks: ['microservices'],
  goal:
    "Find one order's rows in each service's own database, see that no table is in two of them, and that " +
    'order-service copied the price it sold at instead of joining the catalogue.',
  steps: [
    {
      instructions:
        `Check out one of product ${PRODUCT} through the gateway and poll it until it is confirmed. Then find it in ` +
        "each service's own database by its order id: order_items in checkout_orders, reservations in " +
        'checkout_products, payments in checkout_payments, notifications in checkout_emails.',
      uses: {
        view: 'Storefronts (the Microservices pane)',
        command: "psql -U postgres -d checkout_payments -c 'SELECT order_id, amount, status FROM payments'",
      },
      check: rowsEverywhere,
      hints: [
        'psql -U postgres -l | grep checkout_ lists the databases; \\dt in each lists its tables.',
        'No database has a foreign key to another: the order id is all they share.',
      ],
      async solve(lab) {
        await checkOutAndWait(lab, PRODUCT, 1, 'dbs');
      },
    },
    {
      instructions:
        "List each service's tables (\\dt in checkout_users, checkout_products, checkout_carts, checkout_orders, " +
        'checkout_payments, checkout_emails): apart from outbox, processed_events and schema_migrations, which each ' +
        'has of its own, no table is in two databases.',
      uses: { command: "psql -U postgres -d checkout_orders -c '\\dt'" },
      async check(lab) {
        const rows = await rowsEverywhere(lab);
        if (!rows.pass) return rows;
        const tables = await ownTables(lab);
        const owners = new Map<string, ServiceDatabase[]>();
        for (const [database, names] of Object.entries(tables) as [ServiceDatabase, string[]][]) {
          for (const name of names) owners.set(name, [...(owners.get(name) ?? []), database]);
        }
        const shared = [...owners].filter(([, databases]) => databases.length > 1);
        if (shared.length > 0)
          return fail(
            `A table in two databases: ${shared
              .map(([name, databases]) => `${name} in ${databases.join(' and ')}`)
              .join('; ')}.`,
          );
        return pass(
          `Six databases, no table in two: ${Object.entries(tables)
            .map(([database, names]) => `${OWNERS[database as ServiceDatabase]} ${names.join(', ')}`)
            .join('; ')}.`,
        );
      },
      hints: [
        'The orders table is only in checkout_orders; products only in checkout_products; users in checkout_users.',
      ],
      async solve() {
        // Reading the tables is the step; the check lists them.
      },
    },
    {
      instructions:
        `As the admin, change product ${PRODUCT}'s price to ${NEW_PRICE} (PATCH /api/products/${PRODUCT} through the ` +
        "gateway). The order's line keeps the price it was sold at: order-service copied it at checkout, it " +
        "cannot join product-service's table.",
      uses: {
        command: `curl -X PATCH $G/api/products/${PRODUCT} -H "$AUTH" -H "$JSON" -d '{"price": "${NEW_PRICE}"}'`,
      },
      async check(lab) {
        const order = await confirmedOrder(lab);
        if ('pass' in order) return order;
        const [line, now] = [await soldAt(lab, order), await priceNow(lab)];
        if (line === now)
          return fail(
            `Product ${PRODUCT} costs ${now}, the price order #${order.id}'s line was sold at: change it as the ` +
              `admin (PATCH /api/products/${PRODUCT} {"price": "${NEW_PRICE}"}).`,
          );
        if (!(await changedAfterSale(lab, order)))
          return fail(`Product ${PRODUCT} has not changed since order #${order.id}: change its price now.`);
        return pass(
          `Product ${PRODUCT} now costs ${now} in product-service's database; order #${order.id}'s line in ` +
            `order-service's still says ${line}: the price it was sold at, copied, not joined.`,
        );
      },
      hints: [
        'PATCH /api/products/:id takes any of name, description, price, category_id, stock.',
        "psql -d checkout_orders -c 'SELECT order_id, product_id, unit_price FROM order_items'.",
      ],
      async solve(lab) {
        await lab.expect('microservices', 'PATCH', `/api/products/${PRODUCT}`, { price: NEW_PRICE });
      },
    },
    {
      instructions: `Put the price back: product ${PRODUCT} at ${SEED_PRICE}, as the seed has it.`,
      uses: {
        command: `curl -X PATCH $G/api/products/${PRODUCT} -H "$AUTH" -H "$JSON" -d '{"price": "${SEED_PRICE}"}'`,
      },
      async check(lab) {
        const order = await confirmedOrder(lab);
        if ('pass' in order) return order;
        if (!(await changedAfterSale(lab, order)))
          return fail(`Product ${PRODUCT} has not changed since order #${order.id}: change its price first (step 3).`);
        const now = await priceNow(lab);
        if (now !== SEED_PRICE)
          return fail(`Product ${PRODUCT} still costs ${now}: PATCH its price back to ${SEED_PRICE}.`);
        const line = await soldAt(lab, order);
        return pass(`Product ${PRODUCT} costs ${SEED_PRICE} again; order #${order.id}'s line said ${line} all along.`);
      },
      hints: ['The same PATCH, with the seed price.'],
      async solve(lab) {
        await lab.expect('microservices', 'PATCH', `/api/products/${PRODUCT}`, { price: SEED_PRICE });
      },
    },
  ],
};
