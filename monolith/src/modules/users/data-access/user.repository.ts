import type { DataSource } from 'typeorm';
import type { UserRow } from './user.entity';

export interface PublicUser {
  id: number;
  email: string;
  full_name: string;
  is_admin: boolean;
  created_at: string;
}

export function toPublicUser(row: UserRow): PublicUser {
  return {
    id: row.id,
    email: row.email,
    full_name: row.full_name,
    is_admin: row.is_admin,
    created_at: new Date(row.created_at).toISOString(),
  };
}

export function userRepository(db: DataSource) {
  return {
    async findByEmail(email: string): Promise<UserRow | null> {
      const rows: UserRow[] = await db.query('SELECT * FROM users WHERE email = $1', [email]);
      return rows[0] ?? null;
    },
    async findById(id: number): Promise<UserRow | null> {
      const rows: UserRow[] = await db.query('SELECT * FROM users WHERE id = $1', [id]);
      return rows[0] ?? null;
    },
    /** Returns null when the email is taken (the unique index decides, so two racing sign-ups cannot both win). */
    async create(user: { email: string; password_hash: string; full_name: string }): Promise<UserRow | null> {
      const rows: UserRow[] = await db.query(
        `INSERT INTO users (email, password_hash, full_name) VALUES ($1, $2, $3)
         ON CONFLICT (email) DO NOTHING RETURNING *`,
        [user.email, user.password_hash, user.full_name],
      );
      return rows[0] ?? null;
    },
  };
}
