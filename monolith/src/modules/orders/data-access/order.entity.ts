import { EntitySchema } from 'typeorm';

export interface CheckoutStep {
  name: string;
  service: 'monolith';
  started_at: string;
  duration_ms: number;
}

export interface OrderRow {
  id: number;
  user_id: number;
  status: string;
  total: string;
  failure_reason: string | null;
  idempotency_key: string | null;
  processing_duration_ms: number | null;
  completion_duration_ms: number | null;
  email_sent_at: Date | null;
  steps: CheckoutStep[];
  created_at: Date;
}

export interface OrderItemRow {
  id: number;
  order_id: number;
  product_id: number;
  quantity: number;
  unit_price: string;
}

export const OrderEntity = new EntitySchema<OrderRow>({
  name: 'Order',
  tableName: 'orders',
  columns: {
    id: { type: 'int', primary: true, generated: 'increment' },
    user_id: { type: 'int' },
    status: { type: 'varchar', length: 20 },
    total: { type: 'numeric', precision: 12, scale: 2 },
    failure_reason: { type: 'varchar', length: 50, nullable: true },
    idempotency_key: { type: 'varchar', length: 255, nullable: true },
    processing_duration_ms: { type: 'int', nullable: true },
    completion_duration_ms: { type: 'int', nullable: true },
    email_sent_at: { type: 'timestamptz', nullable: true },
    steps: { type: 'jsonb', default: [] },
    // clock_timestamp(), not now(): the moment of the INSERT, not of BEGIN, so orders of one run sort as they were made.
    created_at: { type: 'timestamptz', createDate: true, default: () => 'clock_timestamp()' },
  },
  uniques: [{ name: 'orders_user_id_idempotency_key_key', columns: ['user_id', 'idempotency_key'] }],
  indices: [
    { name: 'orders_user_id_idx', columns: ['user_id'] },
    { name: 'orders_created_at_idx', columns: ['created_at'] },
  ],
  foreignKeys: [
    {
      name: 'orders_user_id_fkey',
      target: 'User',
      columnNames: ['user_id'],
      referencedColumnNames: ['id'],
      onDelete: 'CASCADE',
    },
  ],
});

export const OrderItemEntity = new EntitySchema<OrderItemRow>({
  name: 'OrderItem',
  tableName: 'order_items',
  columns: {
    id: { type: 'int', primary: true, generated: 'increment' },
    order_id: { type: 'int' },
    product_id: { type: 'int' },
    quantity: { type: 'int' },
    unit_price: { type: 'numeric', precision: 10, scale: 2 },
  },
  indices: [{ name: 'order_items_order_id_idx', columns: ['order_id'] }],
  checks: [{ name: 'order_items_quantity_check', expression: 'quantity > 0' }],
  foreignKeys: [
    {
      name: 'order_items_order_id_fkey',
      target: 'Order',
      columnNames: ['order_id'],
      referencedColumnNames: ['id'],
      onDelete: 'CASCADE',
    },
    // No cascade: order history keeps its products (deleting an ordered product is a 409 PRODUCT_HAS_ORDERS).
    {
      name: 'order_items_product_id_fkey',
      target: 'Product',
      columnNames: ['product_id'],
      referencedColumnNames: ['id'],
    },
  ],
});
