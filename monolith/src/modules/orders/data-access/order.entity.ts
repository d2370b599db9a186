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

export interface NotificationRow {
  id: number;
  user_id: number;
  order_id: number | null;
  type: string;
  message: string;
  read: boolean;
  created_at: Date;
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
    steps: { type: 'jsonb', default: () => "'[]'::jsonb" },
    created_at: { type: 'timestamptz', createDate: true },
  },
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
});

export const NotificationEntity = new EntitySchema<NotificationRow>({
  name: 'Notification',
  tableName: 'notifications',
  columns: {
    id: { type: 'int', primary: true, generated: 'increment' },
    user_id: { type: 'int' },
    order_id: { type: 'int', nullable: true },
    type: { type: 'varchar', length: 50 },
    message: { type: 'text' },
    read: { type: 'boolean', default: false },
    created_at: { type: 'timestamptz', createDate: true },
  },
});
