import { type Db, managerOf } from '../../../shared/db';
import { NotificationEntity } from './notification.entity';

export interface Notification {
  id: number;
  type: string;
  message: string;
  created_at: string;
  read: boolean;
}

export function notificationRepository(db: Db) {
  const notifications = managerOf(db).getRepository(NotificationEntity);
  return {
    async create(notification: { user_id: number; order_id: number; type: string; message: string }): Promise<void> {
      await notifications.insert(notification);
    },
    async listForUser(userId: number): Promise<Notification[]> {
      const rows = await notifications.find({
        select: { id: true, type: true, message: true, created_at: true, read: true },
        where: { user_id: userId },
        order: { id: 'DESC' },
      });
      return rows.map((row) => ({
        id: row.id,
        type: row.type,
        message: row.message,
        created_at: row.created_at.toISOString(),
        read: row.read,
      }));
    },
  };
}
