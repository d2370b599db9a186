import type { EntityManager } from 'typeorm';

export function paymentRepository(manager: EntityManager) {
  return {
    async record(payment: { order_id: number; amount: string; status: string; provider_ref: string }): Promise<number> {
      const rows = await manager.query(
        'INSERT INTO payments (order_id, amount, status, provider_ref) VALUES ($1, $2, $3, $4) RETURNING id',
        [payment.order_id, payment.amount, payment.status, payment.provider_ref],
      );
      return rows[0].id;
    },
  };
}
