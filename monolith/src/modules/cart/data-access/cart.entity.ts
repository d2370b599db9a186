import { EntitySchema } from 'typeorm';

export interface CartRow {
  id: number;
  user_id: number;
  created_at: Date;
  updated_at: Date;
}

export interface CartItemRow {
  id: number;
  cart_id: number;
  product_id: number;
  quantity: number;
  created_at: Date;
}

export const CartEntity = new EntitySchema<CartRow>({
  name: 'Cart',
  tableName: 'carts',
  columns: {
    id: { type: 'int', primary: true, generated: 'increment' },
    user_id: { type: 'int', unique: true },
    created_at: { type: 'timestamptz', createDate: true },
    updated_at: { type: 'timestamptz', updateDate: true },
  },
  foreignKeys: [
    {
      name: 'carts_user_id_fkey',
      target: 'User',
      columnNames: ['user_id'],
      referencedColumnNames: ['id'],
      onDelete: 'CASCADE',
    },
  ],
});

export const CartItemEntity = new EntitySchema<CartItemRow>({
  name: 'CartItem',
  tableName: 'cart_items',
  columns: {
    id: { type: 'int', primary: true, generated: 'increment' },
    cart_id: { type: 'int' },
    product_id: { type: 'int' },
    quantity: { type: 'int' },
    created_at: { type: 'timestamptz', createDate: true },
  },
  uniques: [{ name: 'cart_items_cart_id_product_id_key', columns: ['cart_id', 'product_id'] }],
  checks: [{ name: 'cart_items_quantity_check', expression: 'quantity > 0' }],
  foreignKeys: [
    {
      name: 'cart_items_cart_id_fkey',
      target: 'Cart',
      columnNames: ['cart_id'],
      referencedColumnNames: ['id'],
      onDelete: 'CASCADE',
    },
    {
      name: 'cart_items_product_id_fkey',
      target: 'Product',
      columnNames: ['product_id'],
      referencedColumnNames: ['id'],
      onDelete: 'CASCADE',
    },
  ],
});
