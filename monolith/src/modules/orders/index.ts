// What other modules may use of the orders module: they import from here, never from its folders.
export { OrderEntity, OrderItemEntity } from './data-access/order.entity';
export { type Order, orderRepository } from './data-access/order.repository';
export { ordersRoutes } from './entry-points/orders.routes';
export { processPaymentJob, sendConfirmationJob } from './domain/checkout-fixed.use-case';
