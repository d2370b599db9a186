// What other modules may use of the catalogue: they import from here, never from its folders.
export {
  CategoryEntity,
  InventoryEntity,
  type InventoryRow,
  ProductEntity,
  ReviewEntity,
} from './data-access/catalog.entity';
export type { Product } from './data-access/catalog.repository';
export { inventoryRepository, readStock } from './data-access/inventory.repository';
export { getProduct } from './domain/catalog.use-case';
export { catalogRoutes } from './entry-points/catalog.routes';
