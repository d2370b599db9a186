import { DataSource } from 'typeorm';
import { CartEntity, CartItemEntity } from '../modules/cart';
import { CategoryEntity, InventoryEntity, ProductEntity, ReviewEntity } from '../modules/products';
import { NotificationEntity } from '../modules/email';
import { OrderEntity, OrderItemEntity } from '../modules/orders';
import { PaymentEntity } from '../modules/payments';
import { UserEntity } from '../modules/users';
import { CreateShopSchema1732400000000 } from './migrations/1732400000000-CreateShopSchema';

/** The application_name every monolith connection shows in pg_stat_activity (see LESSONS.md, "Watch the lock"). */
export const PG_APPLICATION_NAME = 'checkout-monolith';

/**
 * One database, one pool. The schema comes from migrations with explicit SQL, never from synchronize, so a student
 * can read exactly what runs.
 */
export function createDataSource(databaseUrl: string, poolSize: number): DataSource {
  return new DataSource({
    type: 'postgres',
    url: databaseUrl,
    entities: [
      UserEntity,
      CategoryEntity,
      ProductEntity,
      InventoryEntity,
      ReviewEntity,
      CartEntity,
      CartItemEntity,
      OrderEntity,
      OrderItemEntity,
      PaymentEntity,
      NotificationEntity,
    ],
    migrations: [CreateShopSchema1732400000000],
    migrationsTableName: 'migrations',
    synchronize: false,
    logging: false,
    // LESSON: Black Friday (LESSONS.md#black-friday). Every checkout holds one of these connections for its whole transaction (seconds), so
    // the pool size caps how many buyers can be inside checkout at once; everyone else waits for a connection.
    poolSize,
    extra: { application_name: PG_APPLICATION_NAME },
  });
}
