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
});

export const InventoryEntity = new EntitySchema<InventoryRow>({
  name: 'Inventory',
  tableName: 'inventory',
  columns: {
    product_id: { type: 'int', primary: true },
    quantity: { type: 'int' },
    updated_at: { type: 'timestamptz', updateDate: true },
  },
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
});
