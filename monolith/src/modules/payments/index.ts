// What other modules may use of the payments module: they import from here, never from its folders.
export { PaymentEntity } from './data-access/payment.entity';
export { paymentRepository } from './data-access/payment.repository';
export { chargeCard, type PaymentResult } from './domain/charge-card';
