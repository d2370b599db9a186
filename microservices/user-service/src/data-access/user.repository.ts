import type pg from 'pg';

/** A user as the contract shows it: never the password hash. */
export interface User {
  id: number;
  email: string;
  full_name: string;
  is_admin: boolean;
  created_at: string;
}

export interface UserWithHash extends User {
  password_hash: string;
}

interface UserRow {
  id: number;
  email: string;
  full_name: string;
  is_admin: boolean;
  created_at: Date;
  password_hash: string;
}

const toUser = (row: UserRow): User => ({
  id: row.id,
  email: row.email,
  full_name: row.full_name,
  is_admin: row.is_admin,
  created_at: row.created_at.toISOString(),
});

export class UserRepository {
  constructor(private readonly pool: pg.Pool) {}

  /** Inserts a user; null when the email is already taken (the unique index decides, not a racy pre-check). */
  async insert(input: {
    email: string;
    password_hash: string;
    full_name: string;
    is_admin?: boolean;
  }): Promise<User | null> {
    const { rows } = await this.pool.query<UserRow>(
      `INSERT INTO users (email, password_hash, full_name, is_admin) VALUES ($1, $2, $3, $4)
       ON CONFLICT (email) DO NOTHING
       RETURNING *`,
      [input.email, input.password_hash, input.full_name, input.is_admin ?? false],
    );
    return rows[0] ? toUser(rows[0]) : null;
  }

  async findByEmail(email: string): Promise<UserWithHash | null> {
    const { rows } = await this.pool.query<UserRow>('SELECT * FROM users WHERE email = $1', [email]);
    return rows[0] ? { ...toUser(rows[0]), password_hash: rows[0].password_hash } : null;
  }

  async findById(id: number): Promise<User | null> {
    // PERF: the gateway asks this on every authenticated request; a named statement is planned once per connection.
    const { rows } = await this.pool.query<UserRow>({
      name: 'user-by-id',
      text: 'SELECT id, email, full_name, is_admin, created_at FROM users WHERE id = $1',
      values: [id],
    });
    return rows[0] ? toUser(rows[0]) : null;
  }

  /** Creates the admin, or resets its password and admin flag: the lab's admin login always works after a start. */
  async upsertAdmin(email: string, passwordHash: string): Promise<User> {
    const { rows } = await this.pool.query<UserRow>(
      `INSERT INTO users (email, password_hash, full_name, is_admin) VALUES ($1, $2, 'Lab Admin', TRUE)
       ON CONFLICT (email) DO UPDATE SET password_hash = EXCLUDED.password_hash, is_admin = TRUE
       RETURNING *`,
      [email, passwordHash],
    );
    return toUser(rows[0]);
  }
}
