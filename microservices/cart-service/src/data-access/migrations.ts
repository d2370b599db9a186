import { type Migration, messagingMigrations } from '@checkout-lab/shared';

/**
 * The carts' own database. A line keeps the product's name and price as product-service last reported them (at add
 * or change), so reading a cart, which checkout does on every order, needs no call to another service.
 */
export const migrations: Migration[] = [
  ...messagingMigrations,
  {
    id: '001_cart_items',
    sql: `
      CREATE TABLE cart_items (
        user_id    INTEGER NOT NULL,
        product_id INTEGER NOT NULL,
        name       VARCHAR(255) NOT NULL,
        unit_price NUMERIC(10, 2) NOT NULL,
        quantity   INTEGER NOT NULL CHECK (quantity > 0),
        created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
        updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
        PRIMARY KEY (user_id, product_id)
      );`,
  },
  {
    // The orders whose quantities already left a cart: a replay of the same order (under another event id) takes
    // nothing a second time.
    id: '002_cleared_orders',
    sql: `
      CREATE TABLE cleared_orders (
        order_id   INTEGER PRIMARY KEY,
        cleared_at TIMESTAMPTZ NOT NULL DEFAULT now()
      );`,
  },
  {
    // Checkout takes the cart into a hold (see cartRepository.take); order.order.created settles it, and a hold
    // whose order never came is put back. The holds replace cleared_orders, which served the clearing that used to
    // wait for order.order.created.
    id: '003_cart_holds',
    sql: `
      CREATE TABLE cart_holds (
        id         UUID PRIMARY KEY,
        user_id    INTEGER NOT NULL,
        lines      JSONB NOT NULL,
        -- The checkout's Idempotency-Key: its retry after a crash finds the lines here, not an empty cart.
        idempotency_key TEXT,
        created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
        UNIQUE (user_id, idempotency_key)
      );
      CREATE INDEX cart_holds_created ON cart_holds (created_at);
      DROP TABLE cleared_orders;`,
  },
];
