import { type TestDatabase, createTestDatabase } from '@checkout-lab/kit/testing';
import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDataSource } from '../src/db/data-source';
import { inventoryRepository } from '../src/modules/products';

/**
 * The migration is the schema's source; the entities describe the same tables to TypeORM. If they drift (a money
 * column typed as a float, a timestamp without its zone, a missing foreign key), TypeORM's own schema builder has
 * something to change, and this fails with the SQL it would run.
 */
describe('the monolith entities and its migration', () => {
  let database: TestDatabase;
  let db: DataSource;
  beforeAll(async () => {
    database = await createTestDatabase('mono_orm');
    db = createDataSource(database.url, 2);
    await db.initialize();
    await db.runMigrations({ transaction: 'each' });
  });
  afterAll(async () => {
    await db?.destroy();
    await database?.drop();
  });

  it('when the migration has run, then TypeORM finds nothing to change in the eleven tables', async () => {
    expect(db.entityMetadatas).toHaveLength(11);
    const pending = await db.driver.createSchemaBuilder().log();
    expect(pending.upQueries.map((query) => query.query)).toEqual([]);
  });

  it('when step 3 reads the stock with the pessimistic lock, then the SQL it emits ends in FOR UPDATE', async () => {
    const [sql, parameters] = inventoryRepository(db.manager)
      .stockQuery([1, 3], 'pessimistic_write')
      .getQueryAndParameters();
    expect(sql).toMatch(/^SELECT .* FROM "inventory" "inventory" WHERE .* IN \(\$1, \$2\) ORDER BY .* ASC FOR UPDATE$/);
    expect(parameters).toEqual([1, 3]);
    // The plain read of step 2 is the same query without the lock.
    const [plain] = inventoryRepository(db.manager).stockQuery([1, 3]).getQueryAndParameters();
    expect(plain).toBe(sql.replace(/ FOR UPDATE$/, ''));
  });
});
