import { type Db, managerOf } from '../../../shared/db';
import { PaymentEntity } from './payment.entity';

export function paymentRepository(db: Db) {
  const payments = managerOf(db).getRepository(PaymentEntity);
  return {
    async record(payment: { order_id: number; amount: string; status: string; provider_ref: string }): Promise<number> {
      const { identifiers } = await payments.insert(payment);
      return identifiers[0].id as number;
    },
  };
}
