// What other modules may use of the products module (product-service's counterpart): they import from here, never
// from its folders.
export {
  CategoryEntity,
  InventoryEntity,
  type InventoryRow,
  ProductEntity,
  ReviewEntity,
} from './data-access/catalog.entity';
export { inventoryRepository, readStock } from './data-access/inventory.repository';
export { getProduct } from './domain/catalog.use-case';
export { catalogRoutes } from './entry-points/catalog.routes';
