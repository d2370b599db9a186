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
  {
    // PERF: the gateway keeps the users it has looked up while it hears of every change (user-changes.feed.ts).
    // The database itself announces each change, at commit, so a change made by any client (user-service, a psql
    // session, a migration) reaches the gateway: no code path can forget to.
    id: '002_users_changed_notify',
    sql: `
      CREATE FUNCTION users_changed() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'TRUNCATE' THEN
          PERFORM pg_notify('users_changed', '*');
        ELSE
          PERFORM pg_notify('users_changed', OLD.id::text);
        END IF;
        RETURN NULL;
      END $$;
      CREATE TRIGGER users_changed_row AFTER UPDATE OR DELETE ON users
        FOR EACH ROW EXECUTE FUNCTION users_changed();
      CREATE TRIGGER users_changed_all AFTER TRUNCATE ON users
        FOR EACH STATEMENT EXECUTE FUNCTION users_changed()`,
  },
];
