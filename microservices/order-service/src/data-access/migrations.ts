import { type Migration, messagingMigrations } from '@checkout-lab/shared';

export const migrations: Migration[] = [
  ...messagingMigrations,
  {
    id: '001_orders',
    sql: `CREATE TABLE orders (
            id serial PRIMARY KEY,
            user_id integer NOT NULL,
            user_email text NOT NULL,
            status text NOT NULL,
            total numeric(12, 2) NOT NULL,
            failure_reason text,
            idempotency_key text,
            correlation_id text NOT NULL,
            created_at timestamptz NOT NULL,
            processing_duration_ms double precision NOT NULL,
            completion_duration_ms double precision,
            email_sent_at timestamptz,
            steps jsonb NOT NULL DEFAULT '[]',
            updated_at timestamptz NOT NULL DEFAULT now(),
            UNIQUE (user_id, idempotency_key)
          );
          CREATE INDEX orders_user ON orders (user_id, id);
          CREATE INDEX orders_created ON orders (created_at);
          CREATE TABLE order_items (
            order_id integer NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
            product_id integer NOT NULL,
            quantity integer NOT NULL CHECK (quantity > 0),
            unit_price numeric(12, 2) NOT NULL,
            PRIMARY KEY (order_id, product_id)
          );`,
  },
  {
    // The cart hold checkout took the lines from (cart-service): cart-service asks by it whether an order was written.
    id: '002_orders_cart_hold',
    sql: `ALTER TABLE orders ADD COLUMN cart_hold_id uuid UNIQUE;`,
  },
  {
    // Every duration of the contract is whole milliseconds, rounded down, as on the monolith: the columns say so,
    // and the steps already written are rounded down the same way.
    id: '003_orders_whole_milliseconds',
    sql: `ALTER TABLE orders
            ALTER COLUMN processing_duration_ms TYPE integer USING floor(processing_duration_ms),
            ALTER COLUMN completion_duration_ms TYPE integer USING floor(completion_duration_ms);
          UPDATE orders SET steps = (
            SELECT COALESCE(jsonb_agg(
                     CASE WHEN jsonb_typeof(step -> 'duration_ms') = 'number'
                       THEN jsonb_set(step, '{duration_ms}', to_jsonb(floor((step ->> 'duration_ms')::numeric)::bigint))
                       ELSE step END
                     ORDER BY position), '[]'::jsonb)
            FROM jsonb_array_elements(steps) WITH ORDINALITY AS s(step, position));`,
  },
];
