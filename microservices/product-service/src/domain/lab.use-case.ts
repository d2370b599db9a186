import { withTransaction } from '@checkout-lab/shared';
import type pg from 'pg';
import { catalogRepository } from '../data-access/catalog.repository';
import { seedCatalog } from '../data-access/seed';

/** The lab's internal operations, reached only through the gateway's admin endpoints. */
export function labUseCases(pool: pg.Pool) {
  return {
    /** Back to the seed catalogue and its stock, exactly: ids from 1, no reviews, no reservations. */
    reset: () => withTransaction(pool, (client) => seedCatalog(client, 'restore')),
    /** The stock truth the invariant checker compares with the orders, payments and emails. */
    audit: async () => ({ products: await catalogRepository.stockLevels(pool) }),
  };
}
