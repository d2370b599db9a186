import { EntitySchema } from 'typeorm';

export interface PaymentRow {
  id: number;
  order_id: number;
  amount: string;
  status: string;
  provider_ref: string;
  created_at: Date;
}

export const PaymentEntity = new EntitySchema<PaymentRow>({
  name: 'Payment',
  tableName: 'payments',
  columns: {
    id: { type: 'int', primary: true, generated: 'increment' },
    order_id: { type: 'int' },
    amount: { type: 'numeric', precision: 12, scale: 2 },
    status: { type: 'varchar', length: 20 },
    provider_ref: { type: 'varchar', length: 100 },
    created_at: { type: 'timestamptz', createDate: true, default: () => 'clock_timestamp()' },
  },
  indices: [{ name: 'payments_order_id_idx', columns: ['order_id'] }],
  foreignKeys: [
    {
      name: 'payments_order_id_fkey',
      target: 'Order',
      columnNames: ['order_id'],
      referencedColumnNames: ['id'],
      onDelete: 'CASCADE',
    },
  ],
});
