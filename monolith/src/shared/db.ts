import { DataSource, type EntityManager } from 'typeorm';

/**
 * What a repository runs on: the data source (each query takes a pooled connection for itself) or the manager of a
 * transaction (every query on the connection that transaction holds). Inside a transaction, pass its manager: a query
 * sent through the data source there would wait for a second pooled connection while the first is held.
 */
export type Db = DataSource | EntityManager;

export function managerOf(db: Db): EntityManager {
  return db instanceof DataSource ? db.manager : db;
}
