// What other modules may use of the email module: they import from here, never from its folders.
export { NotificationEntity } from './data-access/notification.entity';
export { notificationRepository } from './data-access/notification.repository';
export { createMailer, sendOrderConfirmation } from './domain/send-order-confirmation';
export { notificationsRoutes } from './entry-points/notifications.routes';
