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
];
