import { EntitySchema } from 'typeorm';

export interface NotificationRow {
  id: number;
  user_id: number;
  order_id: number | null;
  type: string;
  message: string;
  read: boolean;
  created_at: Date;
}

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
    created_at: { type: 'timestamptz', createDate: true, default: () => 'clock_timestamp()' },
  },
  indices: [{ name: 'notifications_user_id_idx', columns: ['user_id'] }],
  foreignKeys: [
    {
      name: 'notifications_user_id_fkey',
      target: 'User',
      columnNames: ['user_id'],
      referencedColumnNames: ['id'],
      onDelete: 'CASCADE',
    },
    {
      name: 'notifications_order_id_fkey',
      target: 'Order',
      columnNames: ['order_id'],
      referencedColumnNames: ['id'],
      onDelete: 'CASCADE',
    },
  ],
});
