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
});
