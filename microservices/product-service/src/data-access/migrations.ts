import { type Migration, messagingMigrations } from '@checkout-lab/shared';

/**
 * The catalogue's own database. Stock is a column with a CHECK (stock >= 0): the reservation's conditional UPDATE
 * and this constraint together make overselling impossible, whatever the concurrency.
 */
export const migrations: Migration[] = [
  ...messagingMigrations,
  {
    id: '001_catalog',
    sql: `
      CREATE TABLE categories (
        id          SERIAL PRIMARY KEY,
        name        VARCHAR(100) NOT NULL UNIQUE,
        description TEXT NOT NULL DEFAULT ''
      );
      CREATE TABLE products (
        id          SERIAL PRIMARY KEY,
        name        VARCHAR(255) NOT NULL,
        description TEXT NOT NULL DEFAULT '',
        price       NUMERIC(10, 2) NOT NULL CHECK (price >= 0),
        category_id INTEGER NOT NULL REFERENCES categories (id),
        created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
        updated_at  TIMESTAMPTZ NOT NULL DEFAULT now()
      );
      CREATE INDEX products_category_id_idx ON products (category_id);
      CREATE TABLE inventory (
        product_id INTEGER PRIMARY KEY REFERENCES products (id) ON DELETE CASCADE,
        stock      INTEGER NOT NULL CHECK (stock >= 0),
        updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
      );
      CREATE TABLE reviews (
        id         SERIAL PRIMARY KEY,
        product_id INTEGER NOT NULL REFERENCES products (id) ON DELETE CASCADE,
        user_id    INTEGER NOT NULL,
        rating     INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 5),
        comment    TEXT NOT NULL DEFAULT '',
        created_at TIMESTAMPTZ NOT NULL DEFAULT now()
      );
      CREATE INDEX reviews_product_id_idx ON reviews (product_id);`,
  },
  {
    // What was reserved for which order: the release (compensation) puts back exactly this, once.
    id: '002_reservations',
    sql: `
      CREATE TABLE reservations (
        order_id    INTEGER PRIMARY KEY,
        status      VARCHAR(20) NOT NULL CHECK (status IN ('reserved', 'released')),
        created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
        released_at TIMESTAMPTZ
      );
      CREATE TABLE reservation_lines (
        order_id   INTEGER NOT NULL REFERENCES reservations (order_id) ON DELETE CASCADE,
        product_id INTEGER NOT NULL,
        quantity   INTEGER NOT NULL CHECK (quantity > 0),
        PRIMARY KEY (order_id, product_id)
      );
      CREATE INDEX reservation_lines_product_idx ON reservation_lines (product_id);`,
  },
];
