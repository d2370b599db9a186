import type { Db } from '../../../shared/db';
import { managerOf } from '../../../shared/db';
import { toJson } from '../../../shared/json';
import { UserEntity, type UserRow } from './user.entity';

export interface PublicUser {
  id: number;
  email: string;
  full_name: string;
  is_admin: boolean;
  created_at: string;
}

export function toPublicUser(row: UserRow): PublicUser {
  return toJson(row, ['id', 'email', 'full_name', 'is_admin']);
}

export function userRepository(db: Db) {
  const users = managerOf(db).getRepository(UserEntity);
  return {
    findByEmail: (email: string): Promise<UserRow | null> => users.findOneBy({ email }),
    findById: (id: number): Promise<UserRow | null> => users.findOneBy({ id }),
    /** Returns null when the email is taken (the unique index decides, so two racing sign-ups cannot both win). */
    async create(user: { email: string; password_hash: string; full_name: string }): Promise<UserRow | null> {
      const result = await users.createQueryBuilder().insert().values(user).orIgnore().returning('*').execute();
      return (result.raw as UserRow[])[0] ?? null;
    },
  };
}
