import { EntitySchema } from 'typeorm';

export interface CategoryRow {
  id: number;
  name: string;
  description: string;
}

export interface ProductRow {
  id: number;
  name: string;
  description: string;
  /** NUMERIC comes back from pg as a string: money stays exact. */
  price: string;
  category_id: number;
  created_at: Date;
  updated_at: Date;
}

export interface InventoryRow {
  product_id: number;
  quantity: number;
  updated_at: Date;
}

export interface ReviewRow {
  id: number;
  product_id: number;
  user_id: number;
  rating: number;
  comment: string;
  created_at: Date;
}

export const CategoryEntity = new EntitySchema<CategoryRow>({
  name: 'Category',
  tableName: 'categories',
  columns: {
    id: { type: 'int', primary: true, generated: 'increment' },
    name: { type: 'varchar', length: 100, unique: true },
    description: { type: 'text', default: '' },
  },
});

export const ProductEntity = new EntitySchema<ProductRow>({
  name: 'Product',
  tableName: 'products',
  columns: {
    id: { type: 'int', primary: true, generated: 'increment' },
    name: { type: 'varchar', length: 255 },
    description: { type: 'text', default: '' },
    price: { type: 'numeric', precision: 10, scale: 2 },
    category_id: { type: 'int' },
    created_at: { type: 'timestamptz', createDate: true },
    updated_at: { type: 'timestamptz', updateDate: true },
  },
  indices: [{ name: 'products_category_id_idx', columns: ['category_id'] }],
  checks: [{ name: 'products_price_check', expression: 'price >= 0' }],
  foreignKeys: [
    {
      name: 'products_category_id_fkey',
      target: 'Category',
      columnNames: ['category_id'],
      referencedColumnNames: ['id'],
    },
  ],
});

export const InventoryEntity = new EntitySchema<InventoryRow>({
  name: 'Inventory',
  tableName: 'inventory',
  columns: {
    product_id: { type: 'int', primary: true },
    quantity: { type: 'int' },
    updated_at: { type: 'timestamptz', updateDate: true },
  },
  checks: [{ name: 'inventory_quantity_check', expression: 'quantity >= 0' }],
  foreignKeys: [
    {
      name: 'inventory_product_id_fkey',
      target: 'Product',
      columnNames: ['product_id'],
      referencedColumnNames: ['id'],
      onDelete: 'CASCADE',
    },
  ],
});

export const ReviewEntity = new EntitySchema<ReviewRow>({
  name: 'Review',
  tableName: 'reviews',
  columns: {
    id: { type: 'int', primary: true, generated: 'increment' },
    product_id: { type: 'int' },
    user_id: { type: 'int' },
    rating: { type: 'int' },
    comment: { type: 'text', default: '' },
    created_at: { type: 'timestamptz', createDate: true },
  },
  indices: [{ name: 'reviews_product_id_idx', columns: ['product_id'] }],
  checks: [{ name: 'reviews_rating_check', expression: 'rating >= 1 AND rating <= 5' }],
  foreignKeys: [
    {
      name: 'reviews_product_id_fkey',
      target: 'Product',
      columnNames: ['product_id'],
      referencedColumnNames: ['id'],
      onDelete: 'CASCADE',
    },
    {
      name: 'reviews_user_id_fkey',
      target: 'User',
      columnNames: ['user_id'],
      referencedColumnNames: ['id'],
      onDelete: 'CASCADE',
    },
  ],
});
