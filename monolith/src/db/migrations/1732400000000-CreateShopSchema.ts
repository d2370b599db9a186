import type { MigrationInterface, QueryRunner } from 'typeorm';

// LESSON: Black Friday (LESSONS.md#black-friday)
// LESSON: Database per service (LESSONS.md#database-per-service)
/**
 * The whole shop in one database: eleven tables tied together by foreign keys.
 * The coupling is the point: an order row points at a user, its items point at products, a
 * payment points at its order, and one transaction in checkout touches seven of these tables at once.
 */
export class CreateShopSchema1732400000000 implements MigrationInterface {
  name = 'CreateShopSchema1732400000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE users (
        id            SERIAL PRIMARY KEY,
        email         VARCHAR(255) NOT NULL UNIQUE,
        password_hash VARCHAR(255) NOT NULL,
        full_name     VARCHAR(255) NOT NULL,
        is_admin      BOOLEAN NOT NULL DEFAULT FALSE,
        created_at    TIMESTAMPTZ NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`
      CREATE TABLE categories (
        id          SERIAL PRIMARY KEY,
        name        VARCHAR(100) NOT NULL UNIQUE,
        description TEXT NOT NULL DEFAULT ''
      )`);
    await queryRunner.query(`
      CREATE TABLE products (
        id          SERIAL PRIMARY KEY,
        name        VARCHAR(255) NOT NULL,
        description TEXT NOT NULL DEFAULT '',
        price       NUMERIC(10, 2) NOT NULL CHECK (price >= 0),
        category_id INTEGER NOT NULL REFERENCES categories (id),
        created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
        updated_at  TIMESTAMPTZ NOT NULL DEFAULT now()
      )`);
    await queryRunner.query('CREATE INDEX products_category_id_idx ON products (category_id)');
    // Stock lives in its own table, one row per product: checkout locks these rows with SELECT ... FOR UPDATE.
    await queryRunner.query(`
      CREATE TABLE inventory (
        product_id INTEGER PRIMARY KEY REFERENCES products (id) ON DELETE CASCADE,
        quantity   INTEGER NOT NULL CHECK (quantity >= 0),
        updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`
      CREATE TABLE carts (
        id         SERIAL PRIMARY KEY,
        user_id    INTEGER NOT NULL UNIQUE REFERENCES users (id) ON DELETE CASCADE,
        created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
        updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`
      CREATE TABLE cart_items (
        id         SERIAL PRIMARY KEY,
        cart_id    INTEGER NOT NULL REFERENCES carts (id) ON DELETE CASCADE,
        product_id INTEGER NOT NULL REFERENCES products (id) ON DELETE CASCADE,
        quantity   INTEGER NOT NULL CHECK (quantity > 0),
        created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
        UNIQUE (cart_id, product_id)
      )`);
    await queryRunner.query(`
      CREATE TABLE orders (
        id                     SERIAL PRIMARY KEY,
        user_id                INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        status                 VARCHAR(20) NOT NULL,
        total                  NUMERIC(12, 2) NOT NULL,
        failure_reason         VARCHAR(50),
        idempotency_key        VARCHAR(255),
        processing_duration_ms INTEGER,
        completion_duration_ms INTEGER,
        email_sent_at          TIMESTAMPTZ,
        steps                  JSONB NOT NULL DEFAULT '[]'::jsonb,
        created_at             TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
        UNIQUE (user_id, idempotency_key)
      )`);
    await queryRunner.query('CREATE INDEX orders_user_id_idx ON orders (user_id)');
    await queryRunner.query('CREATE INDEX orders_created_at_idx ON orders (created_at)');
    await queryRunner.query(`
      CREATE TABLE order_items (
        id         SERIAL PRIMARY KEY,
        order_id   INTEGER NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
        product_id INTEGER NOT NULL REFERENCES products (id),
        quantity   INTEGER NOT NULL CHECK (quantity > 0),
        unit_price NUMERIC(10, 2) NOT NULL
      )`);
    await queryRunner.query('CREATE INDEX order_items_order_id_idx ON order_items (order_id)');
    await queryRunner.query(`
      CREATE TABLE payments (
        id           SERIAL PRIMARY KEY,
        order_id     INTEGER NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
        amount       NUMERIC(12, 2) NOT NULL,
        status       VARCHAR(20) NOT NULL,
        provider_ref VARCHAR(100) NOT NULL,
        created_at   TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp()
      )`);
    await queryRunner.query('CREATE INDEX payments_order_id_idx ON payments (order_id)');
    await queryRunner.query(`
      CREATE TABLE reviews (
        id         SERIAL PRIMARY KEY,
        product_id INTEGER NOT NULL REFERENCES products (id) ON DELETE CASCADE,
        user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        rating     INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 5),
        comment    TEXT NOT NULL DEFAULT '',
        created_at TIMESTAMPTZ NOT NULL DEFAULT now()
      )`);
    await queryRunner.query('CREATE INDEX reviews_product_id_idx ON reviews (product_id)');
    await queryRunner.query(`
      CREATE TABLE notifications (
        id         SERIAL PRIMARY KEY,
        user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        order_id   INTEGER REFERENCES orders (id) ON DELETE CASCADE,
        type       VARCHAR(50) NOT NULL,
        message    TEXT NOT NULL,
        read       BOOLEAN NOT NULL DEFAULT FALSE,
        created_at TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp()
      )`);
    await queryRunner.query('CREATE INDEX notifications_user_id_idx ON notifications (user_id)');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of [
      'notifications',
      'reviews',
      'payments',
      'order_items',
      'orders',
      'cart_items',
      'carts',
      'inventory',
      'products',
      'categories',
      'users',
    ]) {
      await queryRunner.query(`DROP TABLE IF EXISTS ${table}`);
    }
  }
}
