import type { Migration } from '@checkout-lab/shared';

/**
 * user-service's own database: the users table lives here and nowhere else (database per service).
 * Plain SQL migrations, applied once each by the shared runner.
 */
export const migrations: Migration[] = [
  {
    id: '001_users',
    sql: `
      CREATE TABLE users (
        id            SERIAL PRIMARY KEY,
        email         VARCHAR(255) NOT NULL UNIQUE,
        password_hash VARCHAR(255) NOT NULL,
        full_name     VARCHAR(255) NOT NULL,
        is_admin      BOOLEAN NOT NULL DEFAULT FALSE,
        created_at    TIMESTAMPTZ NOT NULL DEFAULT now()
      )`,
  },
];
